"""Python literals: how inputs and predicted outputs are read from model text, written
back as source, and compared — always in the judge's process, never by running them.

Reading is `ast.literal_eval`, which builds plain data (numbers, strings, bytes, tuples,
lists, dicts, sets, None, booleans) and executes nothing. Arguments are read the way the
teacher format describes them: the text between the fences is what would stand between
the parentheses of a call, so `ast.literal_eval("(" + text + ",)")` turns `1, 'a'` into
`(1, 'a')` and `[3, 1]` into `([3, 1],)`.
"""

from __future__ import annotations

import math
from typing import Any

from codefrontier import pyast
from codefrontier.judge import values_equal
from codefrontier.problems import Checker, CheckerKind
from codefrontier.sandbox import values

EXACT = Checker(CheckerKind.EXACT)
MAX_LITERAL_CHARS = 10_000


class NotALiteral(ValueError):
    """Text that is not a Python literal (the message says why)."""


def parse_arguments(text: str, max_chars: int = MAX_LITERAL_CHARS) -> tuple[Any, ...]:
    """The positional arguments written in `text` (`1, 'a'` -> `(1, 'a')`)."""
    body = text.strip()
    if not body:
        raise NotALiteral("empty")
    value = _literal("(" + body + ",)", max_chars)
    if not isinstance(value, tuple):  # pragma: no cover - the parentheses make a tuple
        raise NotALiteral("not an argument list")
    return value


def parse_value(text: str, max_chars: int = MAX_LITERAL_CHARS) -> Any:
    """The one value written in `text` (`[1, 2]`, `'abc'`, `None`)."""
    body = text.strip()
    if not body:
        raise NotALiteral("empty")
    return _literal(body, max_chars)


def _literal(text: str, max_chars: int) -> Any:
    if len(text) > max_chars:
        raise NotALiteral(f"longer than {max_chars} characters")
    try:
        value = pyast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
        raise NotALiteral(f"{type(exc).__name__}: {exc}"[:200]) from None
    try:
        values.encode(value)  # every literal is plain data; this bounds the nesting too
    except (values.UnsupportedValue, RecursionError) as exc:
        raise NotALiteral(str(exc)[:200]) from None
    return value


def to_source(value: Any) -> str:
    """Python source that evaluates to `value` (plain data only): what the judge writes
    into the programs it builds from answers. `repr` except where repr is not source
    (non-finite floats, empty sets, frozensets)."""
    if value is None or isinstance(value, (bool, int, str, bytes)):
        return repr(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"float({str(value)!r})"
    if isinstance(value, complex):
        return f"complex({to_source(value.real)}, {to_source(value.imag)})"
    if isinstance(value, tuple):
        inner = ", ".join(to_source(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(to_source(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{to_source(k)}: {to_source(v)}" for k, v in value.items()) + "}"
    if isinstance(value, frozenset):
        return "frozenset([" + ", ".join(to_source(v) for v in sorted_items(value)) + "])"
    if isinstance(value, set):
        return "{" + ", ".join(to_source(v) for v in sorted_items(value)) + "}" if value else "set()"
    raise TypeError(f"not plain data: {type(value).__name__}")


def sorted_items(items: set[Any] | frozenset[Any]) -> list[Any]:
    """A set's elements in a stable order (its iteration order depends on hashing)."""
    return sorted(items, key=canonical)


def call_text(args: tuple[Any, ...], name: str = "f") -> str:
    """`f(1, 'a')`: how a call with these arguments is shown to a model."""
    return f"{name}(" + ", ".join(to_source(a) for a in args) + ")"


def arguments_text(args: tuple[Any, ...]) -> str:
    """`1, 'a'`: the arguments as the teacher and student formats write them."""
    return ", ".join(to_source(a) for a in args)


def canonical(value: Any) -> str:
    """A text that is equal for equal plain data of equal types (sets in a stable
    order): the key of exact duplicate checks. Distinguishes 1, 1.0 and True, which
    Python's `==` does not."""
    return values.dumps(_stable(value))


def _stable(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        items = sorted((_stable(v) for v in value), key=values.dumps)
        return {"__set__" if isinstance(value, set) else "__frozenset__": items}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_stable(v) for v in value)
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items()}
    return value


def same_value(got: Any, want: Any) -> bool:
    """The judge's comparison of two plain values (`values_equal` with the exact
    checker: Python equality of the rebuilt values, a tuple is not a list)."""
    return values_equal(EXACT, got, want)


def equals_itself(value: Any) -> bool:
    """False for values the judge cannot carry and compare as themselves (the codec
    refuses them); NaN is fine: the judge takes NaN as equal to NaN."""
    try:
        rebuilt = values.loads(values.dumps(value))
    except (values.UnsupportedValue, ValueError, RecursionError):
        return False
    return same_value(rebuilt, values.loads(values.dumps(value)))


def encode_arguments(args: tuple[Any, ...]) -> list[Any]:
    """A function test's `input`: the JSON array of typed-JSON arguments."""
    return [values.encode(a) for a in args]


def decode_arguments(data: list[Any]) -> tuple[Any, ...]:
    return tuple(values.decode(a) for a in data)
