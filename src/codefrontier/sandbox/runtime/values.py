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

The extended codec (assert problems, `remote.py`) passes `extend` to `encode` and
`resolve` to `decode`. It adds the standard library's value types, rebuilt as the
receiver's own: ``__int__`` (past 4000 digits), ``__bytearray__``, ``__range__``,
``__slice__``, ``__deque__``, ``__counter__``, ``__ordered__``, ``__defaultdict__``,
``__fraction__``, ``__decimal__``, and dict views ``__keys__``, ``__values__``,
``__items__`` (`encode_stdlib`, `decode_stdlib`); and it spells objects that do not
cross by value: ``__named__`` (a module, class or function of the standard library, by
name), ``__obj__`` (an object of the sender, by reference) and ``__yours__`` (an object
of the receiver, sent back). Without the hooks those markers are plain dicts.

This module is standard-library only: it also runs inside the sandbox.
"""

from __future__ import annotations

import base64
import collections
import json
import math
import sys
from collections.abc import Callable
from typing import Any

EXTENDED = frozenset(
    {
        "__bytearray__",
        "__range__",
        "__slice__",
        "__deque__",
        "__counter__",
        "__ordered__",
        "__defaultdict__",
        "__fraction__",
        "__decimal__",
        "__keys__",
        "__values__",
        "__items__",
        "__int__",
        "__named__",
        "__obj__",
        "__yours__",
    }
)
MARKERS = (
    frozenset({"__tuple__", "__set__", "__frozenset__", "__bytes__", "__complex__", "__float__", "__dict__"})
    | EXTENDED
)
MAX_DEPTH = 500
# The mutable containers the extended codec sends by value: a call's argument of one of
# these types is sent back after the call, so that the caller sees what the callee did to it.
MUTABLE = (
    list,
    dict,
    set,
    bytearray,
    collections.deque,
    collections.Counter,
    collections.OrderedDict,
    collections.defaultdict,
)

# The plain types: a value of a subclass of one is sent as the plain type itself.
PLAIN = (bool, int, float, str, list, tuple, dict, set, frozenset, bytes, bytearray, complex)
# Integers too long for JSON text (CPython's int_max_str_digits) cross in hexadecimal.
BIG_INT = 10**4000

_KEYS, _VALUES, _ITEMS = type({}.keys()), type({}.values()), type({}.items())

Extend = Callable[[Any, int], Any]  # (value, depth) -> marker data, or None: not mine
Resolve = Callable[[str, Any, int], Any]  # (marker, inner data, depth) -> value


class UnsupportedValue(TypeError):
    """A value that is not plain data (a custom object, a function, a generator...)."""


def encode(value: Any, extend: Extend | None = None, _depth: int = 0) -> Any:
    """Turn a Python value into JSON-compatible data; raise UnsupportedValue otherwise.

    Subclasses of the builtin types are converted through the builtin type's own
    methods, so an overridden ``__eq__``/``__iter__``/``__str__`` never runs here.
    `extend` (the extended codec) is asked first about every value that is not exactly
    one of the plain types; it returns marker data, or None to leave the value to the
    rules above."""
    if _depth > MAX_DEPTH:
        raise UnsupportedValue("value nested too deeply")
    d = _depth + 1
    if value is None or value is True or value is False:
        return value
    t = type(value)
    if t is str:
        return value
    if t is int:
        if extend is None or -BIG_INT < value < BIG_INT:
            return value
        return {"__int__": hex(value)}
    if t is list:
        return [encode(x, extend, d) for x in value]
    if t is tuple:
        return {"__tuple__": [encode(x, extend, d) for x in value]}
    if extend is not None and t is not float and t is not dict:
        data = extend(value, d)
        if data is not None:
            return data
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
        return [encode(x, extend, d) for x in list.__iter__(value)]
    if isinstance(value, tuple):
        return {"__tuple__": [encode(x, extend, d) for x in tuple.__iter__(value)]}
    if isinstance(value, dict):
        items = list(dict.items(value))
        if all(type(k) is str for k, _ in items) and not (len(items) == 1 and items[0][0] in MARKERS):
            return {k: encode(v, extend, d) for k, v in items}
        return {"__dict__": [[encode(k, extend, d), encode(v, extend, d)] for k, v in items]}
    if isinstance(value, frozenset):
        return {"__frozenset__": [encode(x, extend, d) for x in frozenset.__iter__(value)]}
    if isinstance(value, set):
        return {"__set__": [encode(x, extend, d) for x in set.__iter__(value)]}
    if isinstance(value, (bytes, bytearray)):
        return {"__bytes__": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, complex):
        return {
            "__complex__": [
                encode(complex.__complex__(value).real, None, d),
                encode(complex.__complex__(value).imag, None, d),
            ]
        }
    raise UnsupportedValue(
        f"cannot send a value of type {type(value).__name__} (only plain data crosses the sandbox)"
    )


def decode(data: Any, resolve: Resolve | None = None, _depth: int = 0) -> Any:
    """Rebuild a Python value from typed JSON data (only builtin types come out, unless
    `resolve`, the extended codec, rebuilds the extended markers)."""
    if _depth > MAX_DEPTH:
        raise ValueError("value nested too deeply")
    d = _depth + 1
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(x, resolve, d) for x in data]
    if isinstance(data, dict):
        if len(data) == 1:
            ((key, inner),) = data.items()
            if key == "__tuple__" and isinstance(inner, list):
                return tuple(decode(x, resolve, d) for x in inner)
            if key == "__set__" and isinstance(inner, list):
                return {_hashable(decode(x, resolve, d)) for x in inner}
            if key == "__frozenset__" and isinstance(inner, list):
                return frozenset(_hashable(decode(x, resolve, d)) for x in inner)
            if key == "__bytes__" and isinstance(inner, str):
                return base64.b64decode(inner.encode("ascii"), validate=True)
            if key == "__complex__" and isinstance(inner, list) and len(inner) == 2:
                return complex(float(decode(inner[0], None, d)), float(decode(inner[1], None, d)))
            if key == "__float__" and inner in ("nan", "inf", "-inf"):
                return float(inner)
            if key == "__dict__" and isinstance(inner, list):
                return {_hashable(decode(k, resolve, d)): decode(v, resolve, d) for k, v in _pairs(inner)}
            if resolve is not None and key in EXTENDED:
                return resolve(key, inner, d)
        return {k: decode(v, resolve, d) for k, v in data.items()}
    raise ValueError(f"not typed JSON: {type(data).__name__}")


def _pairs(inner: Any) -> list:
    if not all(isinstance(p, list) and len(p) == 2 for p in inner):
        raise ValueError("a dict's items must be [key, value] pairs")
    return inner


# -- the standard library's value types (extended codec) -----------------------------------
def encode_stdlib(value: Any, extend: Extend, depth: int) -> Any:
    """Marker data for a value of one of the standard library's value types (exactly that
    type: a subclass is not rebuilt as itself), or None."""
    t = type(value)
    if t is bytearray:
        return {"__bytearray__": base64.b64encode(value).decode("ascii")}
    if t is range:
        return {"__range__": [value.start, value.stop, value.step]}
    if t is slice:
        return {"__slice__": [encode(x, extend, depth) for x in (value.start, value.stop, value.step)]}
    if t is collections.deque:
        return {"__deque__": [[encode(x, extend, depth) for x in value], value.maxlen]}
    if t is collections.Counter or t is collections.OrderedDict:
        items = [[encode(k, extend, depth), encode(v, extend, depth)] for k, v in dict.items(value)]
        return {"__counter__" if t is collections.Counter else "__ordered__": items}
    if t is collections.defaultdict:
        items = [[encode(k, extend, depth), encode(v, extend, depth)] for k, v in dict.items(value)]
        return {"__defaultdict__": [encode(value.default_factory, extend, depth), items]}
    if t is _KEYS or t is _VALUES or t is _ITEMS:
        kind = "__keys__" if t is _KEYS else "__values__" if t is _VALUES else "__items__"
        return {kind: [encode(x, extend, depth) for x in value]}
    module = sys.modules.get(t.__module__)
    if t.__module__ == "fractions" and t is getattr(module, "Fraction", None):
        return {"__fraction__": [value.numerator, value.denominator]}
    if t.__module__ == "decimal" and t is getattr(module, "Decimal", None):
        return {"__decimal__": str(value)}
    return None


def decode_stdlib(key: str, inner: Any, resolve: Resolve, depth: int) -> Any:
    """The value of a standard-library marker (`encode_stdlib`), rebuilt from scratch;
    ValueError (or another Exception) when the data is not what the marker needs."""
    if key == "__int__" and isinstance(inner, str) and len(inner) < (1 << 24):
        return int(inner, 16)
    if key == "__bytearray__" and isinstance(inner, str):
        return bytearray(base64.b64decode(inner.encode("ascii"), validate=True))
    if key == "__range__" and _ints(inner, 3):
        return range(*inner)
    if key == "__slice__" and isinstance(inner, list) and len(inner) == 3:
        return slice(*(decode(x, resolve, depth) for x in inner))
    if key == "__deque__" and isinstance(inner, list) and len(inner) == 2 and isinstance(inner[0], list):
        maxlen = inner[1]
        if maxlen is not None and not (type(maxlen) is int and maxlen >= 0):
            raise ValueError("a deque's maxlen must be a non-negative integer or null")
        return collections.deque((decode(x, resolve, depth) for x in inner[0]), maxlen)
    if key in ("__counter__", "__ordered__") and isinstance(inner, list):
        kind = collections.Counter if key == "__counter__" else collections.OrderedDict
        out = kind()
        for k, v in _pairs(inner):
            out[_hashable(decode(k, resolve, depth))] = decode(v, resolve, depth)
        return out
    if (
        key == "__defaultdict__"
        and isinstance(inner, list)
        and len(inner) == 2
        and isinstance(inner[1], list)
    ):
        factory = decode(inner[0], resolve, depth)
        if factory is not None and not callable(factory):
            raise ValueError("a defaultdict's factory must be callable or null")
        out = collections.defaultdict(factory)
        for k, v in _pairs(inner[1]):
            out[_hashable(decode(k, resolve, depth))] = decode(v, resolve, depth)
        return out
    if key in ("__keys__", "__values__", "__items__") and isinstance(inner, list):
        items = [decode(x, resolve, depth) for x in inner]
        if key == "__keys__":
            return dict.fromkeys(_hashable(x) for x in items).keys()
        if key == "__values__":
            return dict(enumerate(items)).values()
        if not all(type(x) is tuple and len(x) == 2 for x in items):
            raise ValueError("a dict's items must be pairs")
        return dict((_hashable(k), v) for k, v in items).items()
    if key == "__fraction__" and _ints(inner, 2) and inner[1] != 0:
        import fractions

        return fractions.Fraction(inner[0], inner[1])
    if key == "__decimal__" and isinstance(inner, str) and len(inner) < 10000:
        import decimal

        return decimal.Decimal(inner)
    raise ValueError(f"not typed JSON: a malformed {key} value")


def _ints(inner: Any, n: int) -> bool:
    return isinstance(inner, list) and len(inner) == n and all(type(x) is int for x in inner)


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        raise ValueError("a list cannot be a set element or a dict key")
    return value


def dumps(value: Any) -> str:
    return json.dumps(encode(value), separators=(",", ":"), allow_nan=False)


def loads(text: str | bytes) -> Any:
    return decode(json.loads(text))


def update_in_place(old: Any, new: Any) -> None:
    """Make the mutable container `old` hold what `new` (a fresh copy sent back after a
    call) holds, keeping `old` itself and the nested containers of the same type at the
    same places, as if the callee had changed the caller's objects. ValueError when `new`
    is not of `old`'s type."""
    if type(new) is not type(old):
        raise ValueError(f"a {type(old).__name__} came back as a {type(new).__name__}")
    if isinstance(old, list):
        keep = min(len(old), len(new))
        for i in range(keep):
            old[i] = _merged(old[i], new[i])
        old[keep:] = new[keep:]
    elif isinstance(old, dict):
        if isinstance(old, collections.defaultdict):
            old.default_factory = new.default_factory
        items = [(k, _merged(old.get(k), v)) for k, v in new.items()]
        old.clear()
        for k, v in items:
            old[k] = v
    elif isinstance(old, collections.deque):
        old.clear()
        old.extend(new)
    elif isinstance(old, set):
        if old != new:
            old.clear()
            old.update(new)
    elif isinstance(old, bytearray):
        old[:] = new
    else:
        raise ValueError(f"a {type(old).__name__} cannot be updated in place")


def _merged(old: Any, new: Any) -> Any:
    """`new`, or `old` updated to it when both are containers of the same mutable type."""
    if type(old) is type(new) and isinstance(old, MUTABLE) and old is not new:
        update_in_place(old, new)
        return old
    return new
