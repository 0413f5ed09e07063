"""Modes and retries: `first-fail` stops at the first failing test, `all` runs every test,
and an internal error is retried, then recorded as IE (never charged to the sample)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from judge_kit import (
    SUM_PY,
    add_function_problem,
    assert_problem,
    function_problem,
    judge_one,
    stdio_problem,
    sum_problem,
    verdicts,
)

from codefrontier.contracts import FailureClass, Verdict
from codefrontier.judge.config import JudgeConfig, Mode
from codefrontier.judge.runner import SampleJudge
from codefrontier.sandbox.worker import SandboxCrashed

AC, WA = Verdict.AC, Verdict.WA

# Five tests; a program that is wrong on the third only.
STDIO = stdio_problem("five", [(f"{i} {i}\n", f"{2 * i}\n") for i in range(5)])
STDIO_WRONG_ON_THIRD = "a, b = map(int, input().split())\nprint(a + b + (a == 2))\n"
FUNCTION = function_problem("five-function", "add", [([i, i], 2 * i) for i in range(5)])
ASSERT = assert_problem("five-assert", "add", [f"assert add({i}, {i}) == {2 * i}\n" for i in range(5)])
SESSION_WRONG_ON_THIRD = "def add(a, b):\n    return a + b + (a == 2)\n"

CASES = {
    "stdio": (STDIO, STDIO_WRONG_ON_THIRD),
    "function": (FUNCTION, SESSION_WRONG_ON_THIRD),
    "assert": (ASSERT, SESSION_WRONG_ON_THIRD),
}


@pytest.fixture(scope="module")
def first_fail(compile_cache: Path) -> Iterator[SampleJudge]:
    worker = SampleJudge(JudgeConfig(mode=Mode.FIRST_FAIL))
    try:
        yield worker
    finally:
        worker.close()


@pytest.mark.parametrize("kind", list(CASES))
def test_all_mode_runs_every_test_past_a_failure(judge: SampleJudge, kind: str) -> None:
    problem, code = CASES[kind]
    before = judge.tests_run
    result = judge_one(judge, problem, code)
    assert verdicts(result) == [AC, AC, WA, AC, AC]
    assert judge.tests_run - before == 5
    assert result.verdict is WA and result.failure_class is FailureClass.CORRECTNESS
    assert result.tests_passed == 4 and result.tests_total == 5
    assert result.first_failed_test == "2"


@pytest.mark.parametrize("kind", list(CASES))
def test_first_fail_mode_stops_at_the_first_failing_test(first_fail: SampleJudge, kind: str) -> None:
    problem, code = CASES[kind]
    before = first_fail.tests_run
    result = judge_one(first_fail, problem, code)
    assert verdicts(result) == [AC, AC, WA]
    assert first_fail.tests_run - before == 3  # the last two were never run
    assert result.verdict is WA and result.tests_total == 5


def test_first_fail_mode_runs_every_test_of_a_correct_sample(first_fail: SampleJudge) -> None:
    result = judge_one(first_fail, add_function_problem(), "def add(a, b):\n    return a + b\n")
    assert verdicts(result) == [AC, AC, AC]


def test_first_fail_mode_reports_one_compile_error(first_fail: SampleJudge) -> None:
    result = judge_one(first_fail, STDIO, "print(\n")
    assert verdicts(result) == [Verdict.CE]


class FlakySandbox:
    """Makes the next `failures` runs of a sandbox fail as if its zygote had died."""

    def __init__(self, judge: SampleJudge, failures: int) -> None:
        self.sandbox = judge.sandbox
        self.real = self.sandbox.run_python
        self.failures = failures
        self.calls = 0

    def run_python(self, *args: object, **kwargs: object) -> object:
        self.calls += 1
        if self.calls <= self.failures:
            raise SandboxCrashed("injected: the sandbox exited")
        return self.real(*args, **kwargs)


def test_internal_error_is_retried_and_not_charged_when_the_retry_succeeds(
    judge: SampleJudge, monkeypatch: pytest.MonkeyPatch
) -> None:
    flaky = FlakySandbox(judge, failures=1)
    monkeypatch.setattr(judge.sandbox, "run_python", flaky.run_python)
    result = judge_one(judge, sum_problem(), SUM_PY)
    assert result.verdict is AC and result.attempts == 2


def test_persistent_internal_error_is_recorded_as_ie_with_class_internal(
    judge: SampleJudge, monkeypatch: pytest.MonkeyPatch
) -> None:
    flaky = FlakySandbox(judge, failures=10**6)
    monkeypatch.setattr(judge.sandbox, "run_python", flaky.run_python)
    result = judge_one(judge, sum_problem(), SUM_PY)
    assert result.verdict is Verdict.IE
    assert result.failure_class is FailureClass.INTERNAL
    assert result.attempts == judge.config.retries + 1 == flaky.calls
    assert "injected" in result.detail
    monkeypatch.undo()
    assert judge_one(judge, sum_problem(), SUM_PY).verdict is AC


@pytest.mark.parametrize("mode", [Mode.ALL, Mode.FIRST_FAIL])
def test_syntax_error_in_a_function_sample_is_always_a_compile_error(
    judge: SampleJudge, first_fail: SampleJudge, mode: Mode
) -> None:
    """The solution process reports the SyntaxError and exits at once: the report must win
    over the exit every time, not just when the zygote happens to read it first."""
    worker = judge if mode is Mode.ALL else first_fail
    problem = add_function_problem()
    seen = {judge_one(worker, problem, "def add(a, b)\n    return a + b\n").verdict for _ in range(20)}
    assert seen == {Verdict.CE}
