"""Shared pieces of the importers: the record a converter sees, the error it raises,
typed field access, and the conventions every format uses (checker guess, limits)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codefrontier.contracts import Checker, CheckerKind, Problem
from codefrontier.errors import InputError

# Limits used where a dataset gives none (each importer says which and why in `limits_note`).
DEFAULT_MEMORY_MB = 1024  # generous: catches memory bombs, never an honest solution of these datasets


class RecordError(Exception):
    """A record cannot be converted; the run turns it into an InputError naming the record."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Record:
    """One dataset record handed to a converter, with where it came from."""

    data: dict[str, Any]
    path: Path
    line: int | None  # 1-based line of a JSONL file
    row: int | None  # 0-based row of a Parquet file or JSON array
    ordinal: int  # 0-based position of the record in the whole import run

    def where(self, record_id: str | None = None) -> str:
        """`file:line` or `file row N`, with the dataset id when known."""
        return where(self.path, self.line, self.row, record_id)

    def error(self, message: str, field: str | None = None, record_id: str | None = None) -> InputError:
        return record_input_error(self.path, self.line, self.row, record_id, message, field)


def where(path: Path, line: int | None, row: int | None, record_id: str | None) -> str:
    text = str(path)
    if line is not None:
        text += f":{line}"
    elif row is not None:
        text += f" row {row}"
    if record_id is not None:
        text += f" (record {record_id!r})"
    return text


def record_input_error(
    path: Path, line: int | None, row: int | None, record_id: str | None, message: str, field: str | None
) -> InputError:
    prefix = ""
    if line is None and row is not None:
        prefix += f"row {row}, "
    if record_id is not None:
        prefix += f"record {record_id!r}, "
    if prefix:
        message = prefix.rstrip(", ") + ": " + message
    return InputError(message, path=path, line=line, field=field)


@dataclass(frozen=True)
class DatasetFormat:
    """One published dataset format: how to recognise, identify and convert its records."""

    name: str  # the FORMAT argument of `codefrontier import`
    title: str  # human name used in messages
    signature: frozenset[str]  # fields every record of this format has
    convert: Callable[[Record], Problem]
    record_id: Callable[[Record], str | None]


# --- typed field access --------------------------------------------------------------------------


def require(data: dict[str, Any], name: str) -> Any:
    if name not in data or data[name] is None:
        raise RecordError("missing", name)
    return data[name]


def get_str(data: dict[str, Any], name: str, default: str | None = None, *, required: bool = False) -> Any:
    """A text field; None and absent give `default` unless `required`."""
    value = data.get(name)
    if value is None:
        if required:
            raise RecordError("missing", name)
        return default
    if not isinstance(value, str):
        raise RecordError(f"must be text, got {type(value).__name__}", name)
    return value


def json_field(data: dict[str, Any], name: str, *, already: tuple[type, ...] = ()) -> Any:
    """A field that holds JSON text (datasets store nested data as JSON strings); values
    already decoded (of the types in `already`) are accepted as they are."""
    value = require(data, name)
    if already and isinstance(value, already):
        return value
    if not isinstance(value, str):
        raise RecordError(f"must be JSON text, got {type(value).__name__}", name)
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise RecordError(f"does not decode as JSON ({exc.msg} at char {exc.pos})", name) from None
    except ValueError as exc:  # e.g. an integer longer than Python's int-parsing limit
        raise RecordError(f"does not decode as JSON ({exc})", name) from None


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n")


def id_text(value: Any) -> str | None:
    """A dataset id as text (ints such as APPS problem_id and MBPP task_id included)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | str):
        return str(value)
    return None


def json_safe(value: Any) -> Any:
    """A metadata value that survives a JSON round trip unchanged (dates become ISO text)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# --- conventions shared by the stdio formats -----------------------------------------------------

# A decimal number standing alone as a token ("0.5", "-3.25e-4"), not part of "1.2.3" or "v1.0".
_DECIMAL_TOKEN = re.compile(rb"(?<![\w.])[+-]?\d+\.\d+(?:[eE][+-]?\d+)?(?![\w.])")


def guess_checker(expected_outputs: Iterable[Any]) -> Checker:
    """`float` (abs/rel tolerance 1e-6) when an expected output holds a decimal number,
    otherwise `tokens`. None of these datasets ships a checker; their own evaluators
    compare numbers leniently (APPS: numpy.allclose; LiveCodeBench: Decimal), and their
    problems with real-valued answers accept an error of 1e-6 or so."""
    for out in expected_outputs:
        data = out.encode() if isinstance(out, str) else out
        if isinstance(data, bytes) and _DECIMAL_TOKEN.search(data):
            return Checker(kind=CheckerKind.FLOAT, abs_tol=1e-6, rel_tol=1e-6)
    return Checker()


def text_lines(value: Any, field: str) -> str:
    """A stdio test text: a string, or a list of lines joined with "\\n" (as APPS's evaluator does)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    raise RecordError(f"must be text or a list of lines, got {type(value).__name__}", field)


def entry_point_for(fn_name: str, starter_code: str | None) -> str:
    """`Solution.<fn_name>` when the starter code is a LeetCode-style `class Solution`
    (the evaluators of APPS, TACO and LiveCodeBench then call the method of
    `Solution()`), otherwise the module-level function `fn_name`."""
    if starter_code and "class Solution" in starter_code:
        return f"Solution.{fn_name}"
    return fn_name
