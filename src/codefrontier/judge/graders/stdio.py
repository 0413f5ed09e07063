"""Whole programs: each test is a fresh process with the test's input on stdin; its output
is compared here (judge/compare.py), or by the problem's checker program in the sandbox."""

from __future__ import annotations

import os

from codefrontier.contracts import CheckerKind, Problem, ProblemKind, TestCase, TestResult, Verdict
from codefrontier.errors import InternalJudgeError, ProblemDefectError
from codefrontier.judge.compare import compare_output
from codefrontier.judge.graders.base import Cost, Grader, test_result
from codefrontier.languages import Language, Prepared, get_language
from codefrontier.sandbox.worker import Limits, RunResult, memfd_from_bytes

CHECKER_LIMITS = Limits(cpu_s=10.0, wall_s=30.0, memory_mb=1024, output_bytes=1 << 20)


def run_cost(run: RunResult) -> Cost:
    return Cost(run.cpu_s, run.wall_s, run.peak_kb, run.exit_code, run.signal)


class StdioGrader(Grader):
    kind = ProblemKind.STDIO

    def grade(
        self,
        problem: Problem,
        language: Language,
        program: Prepared,
        tests: list[TestCase],
        index_of: dict[str, int],
    ) -> list[TestResult]:
        ctx = self.ctx
        results: list[TestResult] = []
        for position, test in enumerate(tests):
            ctx.data.next_test()
            expected = self._expected_bytes(problem, test)
            limits = ctx.config.limits_for(problem, language.name, len(expected))
            stdin = ctx.data.fd((problem.id, test.id, "in"), test.input_bytes)
            run = language.run(ctx.sandbox, program, stdin, limits)
            ctx.tests_run += 1
            verdict, detail = language.verdict_of(run, limits)
            if verdict is Verdict.AC:
                verdict, detail = self._check_output(problem, test, run.stdout, expected)
            results.append(test_result(test, index_of[test.id], verdict, run_cost(run), detail))
            if verdict is Verdict.CE:  # the program does not compile: every later test is the same
                results.extend(self.later_compile_errors(tests[position + 1 :], index_of))
                break
            if ctx.stop_after(verdict):
                break
        return results

    def _expected_bytes(self, problem: Problem, test: TestCase) -> bytes:
        def make() -> tuple[bytes, int]:
            data = test.output_bytes()
            return data, len(data)

        return self.ctx.data.value((problem.id, test.id, "out"), make)

    def _check_output(
        self, problem: Problem, test: TestCase, output: bytes, expected: bytes
    ) -> tuple[Verdict, str]:
        if problem.checker.kind is not CheckerKind.PROGRAM:
            ok, reason = compare_output(problem.checker, output, expected)
            return (Verdict.AC, "") if ok else (Verdict.WA, reason)
        return self._run_checker(problem, test, output, expected)

    def _run_checker(
        self, problem: Problem, test: TestCase, output: bytes, expected: bytes
    ) -> tuple[Verdict, str]:
        """The checker decides: exit 0 accepts, 1 rejects. Anything else is a checker
        failure — WA when the checker accepts the reference answer on the same test (the
        contestant's output broke it), IE only when it fails on the reference too."""
        verdict, reason, failure = self._checker_says(problem, test, output, expected)
        if failure is None:
            return verdict, reason
        sane = self.ctx.data.value(
            (problem.id, test.id, "checker-accepts-answer"),
            lambda: (self._checker_says(problem, test, expected, expected)[0] is Verdict.AC, 1),
        )
        if sane:
            return Verdict.WA, f"the checker could not read this output ({failure})"
        raise ProblemDefectError(f"the checker of {problem.id} failed on test {test.id} ({failure})")

    def _checker_says(
        self, problem: Problem, test: TestCase, output: bytes, expected: bytes
    ) -> tuple[Verdict, str, str | None]:
        ctx = self.ctx
        checker = ctx.checkers.get(problem.id)
        language = get_language(problem.checker.language)
        if checker is None:
            checker = language.prepare(problem.checker.code or "", ctx.sandbox)
            if checker.compile_error is not None:
                raise InternalJudgeError(
                    f"the checker of {problem.id} does not compile: {checker.compile_error[:500]}"
                )
            ctx.checkers[problem.id] = checker
        input_fd = ctx.data.fd((problem.id, test.id, "in"), test.input_bytes)
        expected_fd = ctx.data.fd((problem.id, test.id, "out-fd"), lambda: expected)
        output_fd = memfd_from_bytes(output, "output")
        try:
            run = language.run(
                ctx.sandbox,
                checker,
                None,
                CHECKER_LIMITS,
                argv=["checker", "/dev/fd/3", "/dev/fd/4", "/dev/fd/5"],
                extra_fds={3: input_fd, 4: expected_fd, 5: output_fd},
                checker=True,
            )
        finally:
            os.close(output_fd)
        if run.status == "internal":
            raise InternalJudgeError(run.message or "the sandbox could not run the checker")
        message = (run.stdout or run.stderr).decode(errors="replace").strip().splitlines()
        reason = message[0][:500] if message else ""
        if run.started and run.status == "exited" and run.killed == "none" and run.exit_code in (0, 1):
            if run.exit_code == 0:
                return Verdict.AC, "", None
            return Verdict.WA, reason or "rejected by the checker", None
        how = f"status {run.status}, exit {run.exit_code}, signal {run.signal}, killed {run.killed}"
        return Verdict.IE, reason, f"{how}: {reason}" if reason else how


GRADER = StdioGrader
