"""Languages: one module per language, each defining `LANGUAGE` (see base.py).

Adding a language is adding a module here; `get_language` finds it by name or alias.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from codefrontier.errors import UnknownLanguageError
from codefrontier.languages.base import Language, Prepared

__all__ = ["Language", "Prepared", "all_languages", "get_language"]


@cache
def all_languages() -> dict[str, Language]:
    """Every language module in this package, by canonical name."""
    found: dict[str, Language] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        language = getattr(module, "LANGUAGE", None)
        if isinstance(language, Language):
            found[language.name] = language
    return found


@cache
def _by_alias() -> dict[str, Language]:
    table: dict[str, Language] = {}
    for language in all_languages().values():
        for name in (language.name, *language.aliases):
            table[name.lower()] = language
    return table


def get_language(name: str) -> Language:
    """The language called `name` (case-insensitive, aliases accepted)."""
    language = _by_alias().get(name.strip().lower())
    if language is None:
        known = ", ".join(sorted(all_languages()))
        raise UnknownLanguageError(f"unknown language {name!r}; codefrontier runs: {known}", field="language")
    return language
