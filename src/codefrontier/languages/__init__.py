"""Languages: one module per language, each defining `LANGUAGE` (see base.py).

Adding a language is adding a module here — or, outside codefrontier, a module that
defines `LANGUAGE` and is named by `register_module("pkg.module")` or an entry point in
the `codefrontier.languages` group. `get_language` finds a language by name or alias.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from codefrontier.errors import UnknownLanguageError
from codefrontier.languages.base import Interpreted, Language, Prepared, SelfTest

__all__ = [
    "Interpreted",
    "Language",
    "Prepared",
    "SelfTest",
    "all_languages",
    "get_language",
    "register_language",
    "register_module",
    "unregister_language",
]

_REGISTERED: dict[str, Language] = {}


@cache
def _discovered() -> dict[str, Language]:
    """The language modules of this package and of installed entry points."""
    found: dict[str, Language] = {}
    modules = [f"{__name__}.{info.name}" for info in pkgutil.iter_modules(__path__) if info.name != "base"]
    from importlib.metadata import entry_points

    modules += [ep.value for ep in entry_points(group="codefrontier.languages")]
    for name in modules:
        language = getattr(importlib.import_module(name), "LANGUAGE", None)
        if isinstance(language, Language):
            found[language.name] = language
    return found


def all_languages() -> dict[str, Language]:
    """Every known language, by canonical name."""
    return {**_discovered(), **_REGISTERED}


def register_language(language: Language) -> Language:
    """Make `language` known to the judge, the samples reader and the sampling layer."""
    _REGISTERED[language.name] = language
    _by_alias.cache_clear()
    return language


def unregister_language(name: str) -> None:
    """Forget a language registered with `register_language` (tests, plugins unloading)."""
    _REGISTERED.pop(name, None)
    _by_alias.cache_clear()


def register_module(module_name: str) -> Language:
    """Import a module that defines `LANGUAGE` and register it."""
    language = getattr(importlib.import_module(module_name), "LANGUAGE", None)
    if not isinstance(language, Language):
        raise UnknownLanguageError(f"module {module_name!r} defines no LANGUAGE (a codefrontier Language)")
    return register_language(language)


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
