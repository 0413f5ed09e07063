"""Comparing a program's answer with the expected one, in the trusted judge.

stdio outputs (bytes): `tokens` (whitespace-insensitive), `exact` (bytes equal up to
one trailing newline), `float` (tokens; numbers within absolute or relative
tolerance). Checker programs are run by the judge runner (they need a sandbox).

function results (decoded typed-JSON values, see sandbox/runtime/values.py):
`exact` is Python equality of the rebuilt values (a tuple is not a list, as in
HumanEval's asserts); `tokens` (the default) compares them as JSON would (tuples equal
lists); `float` is JSON comparison with numeric tolerance.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from itertools import zip_longest
from typing import Any

from codefrontier.contracts import Checker, CheckerKind

FAST_PATH_BYTES = 4 << 20  # below this, split() in C; above, stream in chunks (bounded memory)
CHUNK_BYTES = 1 << 20
WHITESPACE = b" \t\n\r\x0b\x0c"
_SPACE = re.compile(rb"[ \t\n\r\x0b\x0c]")
MAX_NUMBER_BYTES = 4096  # a longer token is compared as text, never parsed as a number


def iter_tokens(data: bytes | memoryview) -> Iterator[bytes]:
    """Whitespace-separated tokens of `data`, chunk by chunk (memory bounded by a chunk)."""
    view = memoryview(data)
    n = len(view)
    start = 0
    while start < n:
        end = min(start + CHUNK_BYTES, n)
        if end < n:
            # extend to the next whitespace so no token is cut in two (searched in C: a
            # program's one 60 MB token must not cost a Python loop per byte)
            found = _SPACE.search(view, end)
            end = found.start() if found else n
        yield from bytes(view[start:end]).split()
        start = end


def tokens_equal(output: bytes, expected: bytes) -> bool:
    if len(output) + len(expected) <= FAST_PATH_BYTES:
        return output.split() == expected.split()
    return all(a == b for a, b in zip_longest(iter_tokens(output), iter_tokens(expected)))


def exact_equal(output: bytes, expected: bytes) -> bool:
    return _strip_one_newline(output) == _strip_one_newline(expected)


def _strip_one_newline(data: bytes) -> bytes:
    if data.endswith(b"\r\n"):
        return data[:-2]
    if data.endswith(b"\n"):
        return data[:-1]
    return data


def numbers_close(a: float, b: float, abs_tol: float, rel_tol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    diff = abs(a - b)
    return diff <= abs_tol or diff <= rel_tol * abs(b)


def _as_float(token: bytes) -> float | None:
    if len(token) > MAX_NUMBER_BYTES:
        return None
    try:
        return float(token)
    except (ValueError, OverflowError):
        return None


def float_tokens_equal(output: bytes, expected: bytes, abs_tol: float, rel_tol: float) -> bool:
    for got, want in zip_longest(iter_tokens(output), iter_tokens(expected)):
        if got is None or want is None:
            return False
        if got == want:
            continue
        g, w = _as_float(got), _as_float(want)
        if g is None or w is None or not numbers_close(g, w, abs_tol, rel_tol):
            return False
    return True


def compare_output(checker: Checker, output: bytes, expected: bytes) -> tuple[bool, str]:
    """Compare a stdio program's output; returns (accepted, short reason when not)."""
    if checker.kind is CheckerKind.EXACT:
        ok = exact_equal(output, expected)
    elif checker.kind is CheckerKind.FLOAT:
        ok = float_tokens_equal(output, expected, checker.abs_tol, checker.rel_tol)
    elif checker.kind is CheckerKind.TOKENS:
        ok = tokens_equal(output, expected)
    else:
        raise ValueError("checker programs are run by the judge runner, not compared here")
    return ok, "" if ok else first_difference(output, expected)


def first_difference(output: bytes, expected: bytes, limit: int = 80) -> str:
    """A short description of where the output first differs from the expected one."""
    for index, (got, want) in enumerate(zip_longest(iter_tokens(output), iter_tokens(expected))):
        if got != want:
            if got is None:
                return f"output ends after {index} tokens; expected {_show(want, limit)} next"
            if want is None:
                return f"extra output after {index} tokens: {_show(got, limit)}"
            return f"token {index + 1}: got {_show(got, limit)}, expected {_show(want, limit)}"
    return "outputs differ in whitespace"


def _show(token: bytes | None, limit: int) -> str:
    text = (token or b"").decode(errors="replace")
    return repr(text if len(text) <= limit else text[:limit] + "...")


def values_equal(checker: Checker, got: Any, want: Any) -> bool:
    """Compare a function's decoded result with the expected value (both plain data).

    `got` is program-controlled: whatever it holds (a number too large for a float, a
    structure too deep to walk), the comparison answers False, never raises. An expected
    NaN matches a NaN: the answer says "not a number" and the program said it too."""
    try:
        if checker.kind is CheckerKind.EXACT:
            return _exact_equal(got, want)
        tol = (checker.abs_tol, checker.rel_tol) if checker.kind is CheckerKind.FLOAT else None
        return _json_equal(got, want, tol)
    except Exception:  # RecursionError, OverflowError, TypeError, MemoryError ...
        return False


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _exact_equal(got: Any, want: Any) -> bool:
    """Python equality, where NaN equals NaN (at any depth)."""
    if _is_nan(want) or _is_nan(got):
        return _is_nan(want) and _is_nan(got)
    if type(got) is not type(want) and not (isinstance(got, (int, float)) and isinstance(want, (int, float))):
        return bool(got == want)
    if isinstance(want, (list, tuple)):
        return len(got) == len(want) and all(_exact_equal(a, b) for a, b in zip(got, want, strict=True))
    if isinstance(want, dict):
        return got.keys() == want.keys() and all(_exact_equal(got[k], want[k]) for k in want)
    if isinstance(want, complex) and isinstance(got, complex):
        return _exact_equal(got.real, want.real) and _exact_equal(got.imag, want.imag)
    return bool(got == want)


def _json_equal(got: Any, want: Any, tol: tuple[float, float] | None) -> bool:
    """Python equality after treating tuples as lists (as the datasets' own harnesses do),
    with numbers compared within tolerance when `tol` is given."""
    if isinstance(got, tuple):
        got = list(got)
    if isinstance(want, tuple):
        want = list(want)
    if isinstance(got, list) and isinstance(want, list):
        return len(got) == len(want) and all(_json_equal(a, b, tol) for a, b in zip(got, want, strict=True))
    if isinstance(got, dict) and isinstance(want, dict):
        return got.keys() == want.keys() and all(_json_equal(got[k], want[k], tol) for k in got)
    if _is_nan(want) or _is_nan(got):
        return _is_nan(want) and _is_nan(got)
    if (
        tol is not None
        and isinstance(got, (int, float))
        and isinstance(want, (int, float))
        and not isinstance(got, bool)
        and not isinstance(want, bool)
    ):
        return numbers_close(float(got), float(want), *tol)
    return bool(got == want)
