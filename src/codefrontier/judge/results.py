"""What judging produces: a TestResult per test run, a SampleResult per sample."""

from __future__ import annotations

from dataclasses import dataclass, field

from codefrontier.judge.verdicts import FailureClass, Verdict


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
