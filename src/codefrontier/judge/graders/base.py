"""What every grader shares: the grading context of one worker, the test-data cache, and
the one way a measured run or call becomes a TestResult.

The rule every grader keeps: a verdict class comes from what the sandbox measured
(killed at a limit, the cgroup's OOM kill, the setup channel) or from a comparison made
here, in the judge — never from what the program wrote (its exit status, its stderr, a
message on its session channel beyond the correctness kinds RE, WA, OLE).
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from codefrontier.contracts import Problem, ProblemKind, TestCase, TestResult, Verdict
from codefrontier.errors import InternalJudgeError
from codefrontier.judge.config import JudgeConfig, Mode
from codefrontier.languages import Language, Prepared
from codefrontier.sandbox.runtime import protocol
from codefrontier.sandbox.runtime.protocol import CallReply
from codefrontier.sandbox.worker import Limits, Sandbox, memfd_from_bytes

MLE_PEAK_FRACTION = 0.95  # a failed run whose peak came this close to the limit is MLE
DETAIL_CHARS = 2000


class TestData:
    """Test inputs, expected answers and test code, made once per worker and reused
    across samples: inputs as sealed memfds, answers as decoded values. Bounded by
    bytes, least recently used first; what the current test uses is never evicted."""

    __test__ = False

    def __init__(self, budget_bytes: int = 256 << 20) -> None:
        self.budget = budget_bytes
        self.used = 0
        self.entries: OrderedDict[tuple[str, ...], tuple[Any, int, int]] = OrderedDict()
        self.generation = 0

    def next_test(self) -> None:
        self.generation += 1

    def _get(self, key: tuple[str, ...], make: Callable[[], tuple[Any, int]]) -> Any:
        hit = self.entries.get(key)
        if hit is not None:
            self.entries[key] = (hit[0], hit[1], self.generation)
            self.entries.move_to_end(key)
            return hit[0]
        value, size = make()
        self.entries[key] = (value, size, self.generation)
        self.used += size
        while self.used > self.budget:
            oldest_key, (old, old_size, generation) = next(iter(self.entries.items()))
            if generation == self.generation:
                break  # everything left is in use by this test
            del self.entries[oldest_key]
            self.used -= old_size
            if oldest_key[-1].endswith("#fd"):
                os.close(old)
        return value

    def fd(self, key: tuple[str, ...], make: Callable[[], bytes]) -> int:
        """A sealed memfd with the bytes `make()` returns (made on first use)."""

        def build() -> tuple[int, int]:
            data = make()
            return memfd_from_bytes(data, key[-1]), len(data)

        return self._get((*key[:-1], key[-1] + "#fd"), build)

    def value(self, key: tuple[str, ...], make: Callable[[], tuple[Any, int]]) -> Any:
        """A decoded value (and its size in bytes) from `make()`, cached."""
        return self._get(key, make)

    def close(self) -> None:
        for key, (value, _, _) in self.entries.items():
            if key[-1].endswith("#fd"):
                os.close(value)
        self.entries.clear()
        self.used = 0


@dataclass
class GradingContext:
    """One worker's sandbox, settings and caches, shared by its graders."""

    sandbox: Sandbox
    config: JudgeConfig
    data: TestData = field(default_factory=TestData)
    checkers: dict[str, Prepared] = field(default_factory=dict)
    tests_run: int = 0

    def stop_after(self, verdict: Verdict) -> bool:
        """Whether to stop at this test (first-fail mode stops at the first non-AC)."""
        return self.config.mode is Mode.FIRST_FAIL and verdict is not Verdict.AC

    def close_checkers(self) -> None:
        for prepared in self.checkers.values():
            prepared.close()
        self.checkers.clear()


@dataclass
class Cost:
    """What one test cost, as the sandbox measured it."""

    cpu_s: float = 0.0
    wall_s: float = 0.0
    peak_kb: int = 0
    exit_code: int | None = None
    signal: int | None = None

    @classmethod
    def of_call(cls, reply: CallReply) -> Cost:
        return cls(float(reply.cpu_s), float(reply.wall_s), int(reply.peak_kb))


def test_result(test: TestCase, index: int, verdict: Verdict, cost: Cost, detail: str = "") -> TestResult:
    """The one builder of a test's record, for every kind of problem."""
    return TestResult(
        test_id=test.id,
        test_index=index,
        size=test.size,
        tier=test.tier,
        verdict=verdict,
        cpu_s=round(cost.cpu_s, 6),
        wall_s=round(cost.wall_s, 6),
        rss_mb=round(cost.peak_kb / 1024, 3),
        exit_code=cost.exit_code,
        signal=cost.signal,
        detail=protocol.clean_text(detail, DETAIL_CHARS),
    )


def memory_exceeded(peak_kb: int, oom: bool, failed: bool, limits: Limits) -> bool:
    """MLE as the sandbox saw it: the kernel killed a process of the run at its memory limit,
    or the measured peak passed the limit, or the run failed with its peak at the limit."""
    if oom:
        return True
    if not limits.memory_mb:
        return False
    limit_kb = limits.memory_mb * 1024
    return peak_kb > limit_kb or (failed and peak_kb >= MLE_PEAK_FRACTION * limit_kb)


def call_verdict(reply: CallReply, limits: Limits) -> tuple[Verdict, str]:
    """The verdict of a load, call or assert test of a solution process, before any value
    comparison (AC = it returned). IE only when the sandbox itself failed."""
    if reply.status == protocol.INTERNAL:
        raise InternalJudgeError(reply.message or "the sandbox failed while running a test")
    if reply.kind == "TLE" or reply.killed != protocol.KILLED_NONE or reply.cpu_s > limits.cpu_s:
        return Verdict.TLE, f"CPU limit {limits.cpu_s:g} s exceeded"
    failed = reply.status != "ok"
    if reply.kind == "MLE" or memory_exceeded(int(reply.peak_kb), bool(reply.oom), failed, limits):
        return Verdict.MLE, f"memory limit {limits.memory_mb:g} MiB exceeded"
    if reply.kind == "CE":
        return Verdict.CE, reply.message
    if not failed:
        return Verdict.AC, ""
    kind = reply.kind if reply.kind in protocol.PROGRAM_KINDS else "RE"
    return Verdict(kind), reply.message


class Grader(ABC):
    """Judges one sample's tests for one kind of problem."""

    kind: ProblemKind

    def __init__(self, context: GradingContext) -> None:
        self.ctx = context

    @abstractmethod
    def grade(
        self,
        problem: Problem,
        language: Language,
        program: Prepared,
        tests: list[TestCase],
        index_of: dict[str, int],
    ) -> list[TestResult]:
        """Judge `tests` (already chosen for the mode and level) in order."""

    def compile_errors(
        self, tests: list[TestCase], index_of: dict[str, int], message: str
    ) -> list[TestResult]:
        """Every test (or the first, in first-fail mode) as CE; the message on the first."""
        shown = tests if self.ctx.config.mode is Mode.ALL else tests[:1]
        return [
            test_result(t, index_of[t.id], Verdict.CE, Cost(), message if i == 0 else "")
            for i, t in enumerate(shown)
        ]

    def later_compile_errors(self, rest: list[TestCase], index_of: dict[str, int]) -> list[TestResult]:
        """After a compile error found while running a test: the tests after it, in all-tests mode."""
        return self.compile_errors(rest, index_of, "") if self.ctx.config.mode is Mode.ALL else []
