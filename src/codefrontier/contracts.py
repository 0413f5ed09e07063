"""The nouns every stage imports (DESIGN.md, "Core contracts"): the problem model
(Problem, TestCase, Checker, Solution), the Sample to judge, the verdicts and failure
classes, and the judged records (TestResult per test, SampleResult per sample).

Plain dataclasses and enums, nothing else: `problems.io` reads and writes problems as
JSONL (docs/formats.md), `judge.samples` reads samples files, `store` writes judged
records as Parquet. This module imports nothing of codefrontier.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


# -- verdicts ------------------------------------------------------------------------
class Verdict(StrEnum):
    AC = "AC"  # accepted
    WA = "WA"  # wrong answer
    TLE = "TLE"  # CPU time limit (or the wall-clock backstop) exceeded
    MLE = "MLE"  # memory limit exceeded
    RE = "RE"  # runtime error: non-zero exit, signal, uncaught exception
    CE = "CE"  # compile error
    OLE = "OLE"  # output limit exceeded
    IE = "IE"  # internal error of the judge: never the sample's fault


class FailureClass(StrEnum):
    SOLVED = "solved"  # every test AC
    CORRECTNESS = "correctness"  # some test WA, RE, CE or OLE
    OPTIMIZATION = "optimization"  # no correctness failure, but some TLE or MLE
    INTERNAL = "internal"  # the judge failed (IE): excluded from every rate


CORRECTNESS_VERDICTS = frozenset({Verdict.WA, Verdict.RE, Verdict.CE, Verdict.OLE})
OPTIMIZATION_VERDICTS = frozenset({Verdict.TLE, Verdict.MLE})


def failure_class(verdicts: Iterable[Verdict | str]) -> FailureClass:
    """Classify a sample from its test verdicts: any IE makes it internal; else any
    correctness verdict makes it a correctness failure; else any TLE/MLE an
    optimization failure; else solved. An empty list is internal (nothing was judged)."""
    seen = {Verdict(v) for v in verdicts}
    if not seen or Verdict.IE in seen:
        return FailureClass.INTERNAL
    if seen & CORRECTNESS_VERDICTS:
        return FailureClass.CORRECTNESS
    if seen & OPTIMIZATION_VERDICTS:
        return FailureClass.OPTIMIZATION
    return FailureClass.SOLVED


def sample_verdict(ordered_verdicts: Iterable[Verdict | str]) -> Verdict:
    """A sample's verdict: IE if any test is IE, otherwise the verdict of the first
    non-AC test in suite order (smallest first), otherwise AC."""
    verdicts = [Verdict(v) for v in ordered_verdicts]
    if not verdicts or Verdict.IE in verdicts:
        return Verdict.IE
    return next((v for v in verdicts if v is not Verdict.AC), Verdict.AC)


# -- problems ------------------------------------------------------------------------
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
    expected: Verdict = Verdict.AC  # the verdict it must get: AC for references

    def __post_init__(self) -> None:
        self.expected = Verdict(self.expected)  # a tag given as text ("TLE") becomes the Verdict


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
    # Code after the completion: a fill-in-the-middle problem's completion is the middle,
    # judged as starter_code + completion + suffix (HumanEval infilling).
    suffix: str | None = None
    solutions: list[Solution] = field(default_factory=list)
    limits_note: str | None = None  # how the limits were derived
    metadata: dict[str, Any] = field(default_factory=dict)

    def time_limit_for(self, language: str) -> float:
        return float(self.time_limits.get(language, self.time_limit_s))

    def public_tests(self) -> list[TestCase]:
        return [t for t in self.tests if not t.hidden]

    @property
    def infilling(self) -> bool:
        return self.suffix is not None

    def program_for_completion(self, completion: str) -> str:
        """The program a completion makes: it continues the prompt (the starter code, else
        the statement) and, for a fill-in-the-middle problem, is followed by the suffix."""
        prompt = self.starter_code if self.starter_code is not None else self.statement
        return prompt + completion + (self.suffix or "")


def default_size(value: Any) -> int:
    """Size of a test input when the dataset gives none: its length in bytes."""
    if value is None:
        return 0
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, str):
        return len(value.encode())
    return len(json.dumps(value, separators=(",", ":")))


# -- samples and judged records -------------------------------------------------------
@dataclass
class Sample:
    """A program to judge: model-written (or a known solution), for one problem."""

    problem_id: str
    policy: str
    sample: int
    language: str
    code: str
    extracted: bool = False  # the program was taken out of a fenced block of `raw`
    raw: str | None = None  # the text as the model wrote it, when it differs from `code`
    policy_meta: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.problem_id, self.policy, self.sample)


@dataclass
class TestResult:
    __test__ = False  # not a pytest test class

    test_id: str
    test_index: int  # position in the size-ordered suite
    size: int
    tier: str | None
    verdict: Verdict
    cpu_s: float = 0.0
    wall_s: float = 0.0
    rss_mb: float = 0.0
    exit_code: int | None = None
    signal: int | None = None
    detail: str = ""


@dataclass
class SampleResult:
    benchmark: str
    problem_id: str
    policy: str
    sample: int
    language: str
    verdict: Verdict
    failure_class: FailureClass
    tests: list[TestResult]
    tests_total: int
    highest_level: float
    highest_tier: str | None
    difficulty: str | None = None
    extracted: bool = False
    code_sha256: str = ""
    policy_meta: dict = field(default_factory=dict)
    detail: str = ""
    attempts: int = 1  # how many times the judge tried (more than one after an internal error)

    @property
    def tests_passed(self) -> int:
        return sum(1 for t in self.tests if t.verdict is Verdict.AC)

    @property
    def tests_run(self) -> int:
        return len(self.tests)

    @property
    def max_cpu_s(self) -> float:
        return max((t.cpu_s for t in self.tests), default=0.0)

    @property
    def sum_cpu_s(self) -> float:
        return sum(t.cpu_s for t in self.tests)

    @property
    def max_rss_mb(self) -> float:
        return max((t.rss_mb for t in self.tests), default=0.0)

    @property
    def first_failed_test(self) -> str | None:
        return next((t.test_id for t in self.tests if t.verdict is not Verdict.AC), None)

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.AC
