"""Judge one sample against one problem on one worker sandbox (docs/verdicts.md).

`SampleJudge` prepares the program with its language, hands the tests to the grader of
the problem's kind (judge/graders/), and builds the sample's record from the tests'. An
internal error (the sandbox's fault) is retried on a restarted sandbox, and only then
recorded as IE — never charged to the sample. The code that builds that IE record cannot
fail, whatever the sample holds.
"""

from __future__ import annotations

import hashlib

from codefrontier.contracts import (
    Problem,
    Sample,
    SampleResult,
    TestResult,
    Verdict,
    failure_class,
    sample_verdict,
)
from codefrontier.errors import InternalJudgeError, ProblemDefectError
from codefrontier.judge.config import JudgeConfig, Mode
from codefrontier.judge.graders import GradingContext, grader_for
from codefrontier.judge.graders.base import Cost, TestData, test_result
from codefrontier.languages import get_language
from codefrontier.problems.levels import highest_level, level_tests, sorted_tests
from codefrontier.sandbox.runtime.protocol import clean_text
from codefrontier.sandbox.worker import Sandbox, SandboxCrashed

__all__ = ["JudgeConfig", "Mode", "SampleJudge", "TestData", "internal_error_result", "sample_result"]


class SampleJudge:
    """Judges samples one at a time on its own sandbox. Not thread-safe: one per worker."""

    def __init__(self, config: JudgeConfig | None = None, sandbox: Sandbox | None = None) -> None:
        config = config or JudgeConfig()
        self.sandbox = sandbox or Sandbox(config.isolation, tmpfs_mb=config.tmpfs_mb)
        self.context = GradingContext(self.sandbox, config)
        self.closed = False

    @property
    def config(self) -> JudgeConfig:
        return self.context.config

    @config.setter
    def config(self, config: JudgeConfig) -> None:
        """A pool judges each batch under its own settings (mode, level) on the same worker."""
        self.context.config = config

    @property
    def tests_run(self) -> int:
        return self.context.tests_run

    def close(self) -> None:
        self.closed = True
        self.context.data.close()
        self.context.close_checkers()
        self.sandbox.close()

    # -- public -----------------------------------------------------------------
    def judge(self, problem: Problem, sample: Sample, benchmark: str = "") -> SampleResult:
        """Judge `sample`; internal errors are retried, and only then recorded as IE."""
        attempts = 0
        while True:
            attempts += 1
            try:
                result = self._judge_once(problem, sample, benchmark)
                result.attempts = attempts
                return result
            except ProblemDefectError as exc:
                result = internal_error_result(problem, sample, benchmark, str(exc), attempts)
                result.problem_defect = True  # (not a field: not stored) no other worker would do better
                return result
            except (SandboxCrashed, InternalJudgeError) as exc:
                self._recover()
                if attempts > self.config.retries or self.closed:
                    return internal_error_result(problem, sample, benchmark, str(exc), attempts)

    def _recover(self) -> None:
        self.context.close_checkers()
        if self.closed:
            return
        try:
            self.sandbox.restart()
        except Exception:  # the next attempt will raise again and be counted
            pass

    # -- one attempt ----------------------------------------------------------------
    def _judge_once(self, problem: Problem, sample: Sample, benchmark: str) -> SampleResult:
        language = get_language(sample.language)
        ordered = sorted_tests(problem)
        tests = ordered if self.config.level is None else level_tests(problem, self.config.level)
        index_of = {t.id: i for i, t in enumerate(ordered)}
        grader = grader_for(problem.kind)(self.context)
        program = language.prepare(language.program_for(problem, sample.code), self.sandbox)
        try:
            if program.compile_error is not None:
                results = grader.compile_errors(tests, index_of, program.compile_error)
            else:
                results = grader.grade(problem, language, program, tests, index_of)
        finally:
            program.close()
        return sample_result(problem, sample, benchmark, results, len(tests))


def sample_result(
    problem: Problem,
    sample: Sample,
    benchmark: str,
    results: list[TestResult],
    total: int,
    detail: str = "",
) -> SampleResult:
    """A sample's result from its test results: verdict, failure class, highest level."""
    verdicts = [r.verdict for r in results]
    ac_ids = {r.test_id for r in results if r.verdict is Verdict.AC}
    level, tier = highest_level(problem, ac_ids)
    if not detail:
        detail = next((r.detail for r in results if r.verdict is not Verdict.AC and r.detail), "")
    return SampleResult(
        benchmark=benchmark,
        problem_id=problem.id,
        policy=sample.policy,
        sample=sample.sample,
        language=sample.language,
        verdict=sample_verdict(verdicts),
        failure_class=failure_class(verdicts),
        tests=results,
        tests_total=total,
        highest_level=level,
        highest_tier=tier,
        difficulty=problem.difficulty,
        extracted=sample.extracted,
        code_sha256=code_digest(sample.code),
        policy_meta=sample.policy_meta,
        detail=clean_text(detail),
    )


def code_digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", errors="surrogatepass")).hexdigest()


def internal_error_result(
    problem: Problem, sample: Sample, benchmark: str, message: str, attempts: int = 1
) -> SampleResult:
    """The result of a sample the judge could not judge: one IE test, never the sample's fault.
    Built only from the problem's ids and cleaned text, so it cannot fail."""
    tests = sorted_tests(problem)
    first = tests[0]
    results = [test_result(first, 0, Verdict.IE, Cost(), clean_text(message))]
    result = sample_result(problem, sample, benchmark, results, len(tests), detail=clean_text(message))
    result.attempts = attempts
    return result
