"""Merge methods by name.

A method registers itself with `@register_method` when its module is imported; the
modules of this package are imported with it, so a built-in method is one file here, and
a method of your own is one file of yours that you import before merging.
"""

from __future__ import annotations

from typing import TypeVar

from codefrontier.errors import ConfigError
from codefrontier.merge.methods.base import MergeMethod

M = TypeVar("M", bound=type[MergeMethod])

_METHODS: dict[str, type[MergeMethod]] = {}


def register_method(cls: M) -> M:
    """Add a MergeMethod subclass under its `name` (a class decorator). Registering a
    different class under a name already taken is a ValueError."""
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name:
        raise ValueError(f"{cls.__name__} has no method name")
    if not isinstance(getattr(cls, "formula", None), str):
        raise ValueError(f"merge method {name!r} has no formula")
    existing = _METHODS.get(name)
    if existing is not None and existing is not cls:
        raise ValueError(f"merge method {name!r} is already registered by {existing.__module__}")
    _METHODS[name] = cls
    return cls


def unregister_method(name: str) -> None:
    _METHODS.pop(name, None)


def method_class(name: str) -> type[MergeMethod]:
    """The method registered as `name`; ConfigError naming the choices otherwise."""
    cls = _METHODS.get(name)
    if cls is None:
        raise ConfigError(f"unknown merge method {name!r}; choose one of {', '.join(method_names())}")
    return cls


def method_names() -> list[str]:
    return sorted(_METHODS)
