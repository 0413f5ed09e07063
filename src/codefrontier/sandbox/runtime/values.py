"""Typed JSON: how values cross the boundary between untrusted code and the judge.

A function's arguments and its returned value travel as plain JSON data, never as
pickled objects, so an object whose ``__eq__`` always returns True cannot reach the
judge: only None, bool, int, float, str, list, tuple, dict, set, frozenset, bytes and
complex survive, rebuilt from scratch on the other side.

Plain JSON values encode as themselves. The rest are one-key objects:
``{"__tuple__": [...]}``, ``{"__set__": [...]}``, ``{"__frozenset__": [...]}``,
``{"__bytes__": "<base64>"}``, ``{"__complex__": [re, im]}``,
``{"__float__": "nan" | "inf" | "-inf"}``, and ``{"__dict__": [[key, value], ...]}``
for dicts whose keys are not all strings (or that would look like a marker).

This module is standard-library only: it also runs inside the sandbox.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

MARKERS = frozenset(
    {"__tuple__", "__set__", "__frozenset__", "__bytes__", "__complex__", "__float__", "__dict__"}
)
MAX_DEPTH = 500


class UnsupportedValue(TypeError):
    """A value that is not plain data (a custom object, a function, a generator...)."""


def encode(value: Any, _depth: int = 0) -> Any:
    """Turn a Python value into JSON-compatible data; raise UnsupportedValue otherwise.

    Subclasses of the builtin types are converted through the builtin type's own
    methods, so an overridden ``__eq__``/``__iter__``/``__str__`` never runs here."""
    if _depth > MAX_DEPTH:
        raise UnsupportedValue("value nested too deeply")
    d = _depth + 1
    if value is None or value is True or value is False:
        return value
    if isinstance(value, bool):  # a bool subclass cannot exist, but be exact
        return bool.__bool__(value)
    if isinstance(value, int):
        return int.__index__(value) if type(value) is not int else value
    if isinstance(value, float):
        v = float.__float__(value)
        if math.isfinite(v):
            return v
        return {"__float__": "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")}
    if isinstance(value, str):
        return value if type(value) is str else str.__str__(value)
    if isinstance(value, list):
        return [encode(x, d) for x in list.__iter__(value)]
    if isinstance(value, tuple):
        return {"__tuple__": [encode(x, d) for x in tuple.__iter__(value)]}
    if isinstance(value, dict):
        items = list(dict.items(value))
        if all(type(k) is str for k, _ in items) and not (len(items) == 1 and items[0][0] in MARKERS):
            return {k: encode(v, d) for k, v in items}
        return {"__dict__": [[encode(k, d), encode(v, d)] for k, v in items]}
    if isinstance(value, frozenset):
        return {"__frozenset__": [encode(x, d) for x in frozenset.__iter__(value)]}
    if isinstance(value, set):
        return {"__set__": [encode(x, d) for x in set.__iter__(value)]}
    if isinstance(value, (bytes, bytearray)):
        return {"__bytes__": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, complex):
        return {
            "__complex__": [
                encode(complex.__complex__(value).real, d),
                encode(complex.__complex__(value).imag, d),
            ]
        }
    raise UnsupportedValue(
        f"cannot send a value of type {type(value).__name__} (only plain data crosses the sandbox)"
    )


def decode(data: Any, _depth: int = 0) -> Any:
    """Rebuild a Python value from typed JSON data (only builtin types come out)."""
    if _depth > MAX_DEPTH:
        raise ValueError("value nested too deeply")
    d = _depth + 1
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(x, d) for x in data]
    if isinstance(data, dict):
        if len(data) == 1:
            ((key, inner),) = data.items()
            if key == "__tuple__" and isinstance(inner, list):
                return tuple(decode(x, d) for x in inner)
            if key == "__set__" and isinstance(inner, list):
                return {_hashable(decode(x, d)) for x in inner}
            if key == "__frozenset__" and isinstance(inner, list):
                return frozenset(_hashable(decode(x, d)) for x in inner)
            if key == "__bytes__" and isinstance(inner, str):
                return base64.b64decode(inner.encode("ascii"), validate=True)
            if key == "__complex__" and isinstance(inner, list) and len(inner) == 2:
                return complex(float(decode(inner[0], d)), float(decode(inner[1], d)))
            if key == "__float__" and inner in ("nan", "inf", "-inf"):
                return float(inner)
            if key == "__dict__" and isinstance(inner, list):
                return {_hashable(decode(k, d)): decode(v, d) for k, v in inner}
        return {k: decode(v, d) for k, v in data.items()}
    raise ValueError(f"not typed JSON: {type(data).__name__}")


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        raise ValueError("a list cannot be a set element or a dict key")
    return value


def dumps(value: Any) -> str:
    return json.dumps(encode(value), separators=(",", ":"), allow_nan=False)


def loads(text: str | bytes) -> Any:
    return decode(json.loads(text))
