"""The problem model: Problem, TestCase, Checker, Solution (DESIGN.md, "Core contracts").

These are plain dataclasses; `problems.io` reads and writes them as JSONL in the
native format documented in docs/formats.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class ProblemKind(StrEnum):
    """How a program is run against a test."""

    STDIO = "stdio"  # a whole program: test input on stdin, output compared by the checker
    FUNCTION = "function"  # call entry_point(*input); the returned value is compared in the judge
    ASSERT = "assert"  # test code that calls `candidate` and asserts (HumanEval's check)


class CheckerKind(StrEnum):
    TOKENS = "tokens"  # whitespace-insensitive token equality (default)
    EXACT = "exact"  # byte equality (after normalising a trailing newline)
    FLOAT = "float"  # tokens, numbers compared with absolute/relative tolerance
    PROGRAM = "program"  # a checker program decides (input, expected, output) -> verdict


@dataclass
class Checker:
    """How an output is compared with the expected one.

    For `function` problems, `tokens` and `exact` mean Python equality of the decoded
    values and `float` compares numbers inside the values with tolerance.
    """

    kind: CheckerKind = CheckerKind.TOKENS
    abs_tol: float = 1e-6
    rel_tol: float = 1e-6
    code: str | None = None  # the checker program, for kind == program
    language: str = "python"

    def to_json(self) -> str | dict[str, Any]:
        if self.kind in (CheckerKind.TOKENS, CheckerKind.EXACT):
            return self.kind.value
        if self.kind is CheckerKind.FLOAT:
            return {"kind": "float", "abs_tol": self.abs_tol, "rel_tol": self.rel_tol}
        return {"kind": "program", "language": self.language, "code": self.code}


@dataclass
class TestCase:
    """One test. `input`/`output` are text for stdio problems, a JSON array of
    positional arguments / the expected JSON value for function problems, and test
    code / None for assert problems. Large data may live in files instead
    (`input_path`, `output_path`), read only when the test runs."""

    __test__ = False  # not a pytest test class

    id: str
    input: Any = None
    output: Any = None
    size: int = 0
    hidden: bool = True
    tier: str | None = None
    input_path: Path | None = None
    output_path: Path | None = None

    def input_bytes(self) -> bytes:
        if self.input_path is not None:
            return self.input_path.read_bytes()
        if isinstance(self.input, bytes):
            return self.input
        if isinstance(self.input, str):
            return self.input.encode()
        raise TypeError(f"test {self.id}: input is not text")

    def output_bytes(self) -> bytes:
        if self.output_path is not None:
            return self.output_path.read_bytes()
        if isinstance(self.output, bytes):
            return self.output
        if isinstance(self.output, str):
            return self.output.encode()
        raise TypeError(f"test {self.id}: output is not text")


@dataclass
class Solution:
    """A known solution shipped with a problem, tagged with the verdict it must get."""

    name: str
    language: str
    code: str
    expected: str = "AC"


@dataclass
class Problem:
    id: str
    kind: ProblemKind
    statement: str
    tests: list[TestCase]
    time_limit_s: float = 2.0
    memory_mb: int = 256
    checker: Checker = field(default_factory=Checker)
    entry_point: str | None = None
    # Python code run before the sample's code (imports a dataset assumes, MBPP's setup code).
    prelude: str = ""
    # Per-language CPU limits where one limit cannot fit all (e.g. {"python": 6.0, "cpp": 1.0}).
    time_limits: dict[str, float] = field(default_factory=dict)
    tiers: list[str] = field(default_factory=list)  # ordered, smallest first
    difficulty: str | None = None
    source: str | None = None
    starter_code: str | None = None
    solutions: list[Solution] = field(default_factory=list)
    limits_note: str | None = None  # how the limits were derived
    metadata: dict[str, Any] = field(default_factory=dict)

    def time_limit_for(self, language: str) -> float:
        return float(self.time_limits.get(language, self.time_limit_s))

    def public_tests(self) -> list[TestCase]:
        return [t for t in self.tests if not t.hidden]


def default_size(value: Any) -> int:
    """Size of a test input when the dataset gives none: its length in bytes."""
    if value is None:
        return 0
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, str):
        return len(value.encode())
    import json

    return len(json.dumps(value, separators=(",", ":")))


def ceil_count(fraction: float, n: int) -> int:
    """Number of tests in coverage level `fraction` of a suite of n tests."""
    if not 0 < fraction <= 1:
        raise ValueError(f"coverage level must be in (0, 1], got {fraction}")
    return min(n, max(1, math.ceil(fraction * n - 1e-9)))
