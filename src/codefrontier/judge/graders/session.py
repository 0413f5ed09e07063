"""What function and assert problems share: the solution is loaded once per sample into a
long-lived sandboxed process (a session), and each test is one request to it. In all-tests
mode every test of the sample goes in one request (the sandbox times and watches each);
in first-fail mode one test at a time, so the judge can stop at the first failure. Both
paths give the same verdicts: each test's verdict depends on that test alone."""

from __future__ import annotations

import os
from abc import abstractmethod

from codefrontier.contracts import Problem, TestCase, TestResult, Verdict
from codefrontier.judge.config import Mode
from codefrontier.judge.graders.base import Cost, Grader, call_verdict, test_result
from codefrontier.languages import Language, Prepared
from codefrontier.sandbox.runtime.protocol import CallReply
from codefrontier.sandbox.worker import Limits


class SessionGrader(Grader):
    @abstractmethod
    def test_fds(self, problem: Problem, test: TestCase) -> tuple[list[int], list[int]]:
        """The descriptors one test sends to the session, and those of them the grader
        made for this call alone (closed after it)."""

    @abstractmethod
    def run_one(self, problem: Problem, test: TestCase, limits: Limits) -> tuple[CallReply, Verdict, str]:
        """One test against the loaded solution (first-fail mode)."""

    @abstractmethod
    def verdict(
        self, problem: Problem, test: TestCase, reply: CallReply, limits: Limits, fds: list[int]
    ) -> tuple[Verdict, str]:
        """The verdict of one test from its reply (and the descriptors it was given)."""

    def grade(
        self,
        problem: Problem,
        language: Language,
        program: Prepared,
        tests: list[TestCase],
        index_of: dict[str, int],
    ) -> list[TestResult]:
        limits = self.ctx.config.limits_for(problem, language.name)
        if self.ctx.config.mode is Mode.ALL:
            return self._all_at_once(problem, program, tests, index_of, limits)
        return self._one_at_a_time(problem, program, tests, index_of, limits)

    def _one_at_a_time(
        self,
        problem: Problem,
        program: Prepared,
        tests: list[TestCase],
        index_of: dict[str, int],
        limits: Limits,
    ) -> list[TestResult]:
        sandbox = self.ctx.sandbox
        results: list[TestResult] = []
        loaded = False
        for test in tests:
            self.ctx.data.next_test()
            if not loaded:
                reply = sandbox.session_start(program.fd, problem.entry_point or "", limits)
                if reply.status != "ready":
                    verdict, detail = self.load_verdict(reply, limits, sandbox.last_stderr)
                    results.append(test_result(test, index_of[test.id], verdict, Cost.of_call(reply), detail))
                    break  # first-fail mode: this test failed
                loaded = True
            reply, verdict, detail = self.run_one(problem, test, limits)
            self.ctx.tests_run += 1
            results.append(test_result(test, index_of[test.id], verdict, Cost.of_call(reply), detail))
            loaded = sandbox.session_alive
            if self.ctx.stop_after(verdict):
                break
        sandbox.session_end()
        return results

    def _all_at_once(
        self,
        problem: Problem,
        program: Prepared,
        tests: list[TestCase],
        index_of: dict[str, int],
        limits: Limits,
    ) -> list[TestResult]:
        self.ctx.data.next_test()  # everything this sample uses stays cached until it is done
        groups: list[list[int]] = []
        owned: list[int] = []
        try:
            for test in tests:
                fds, mine = self.test_fds(problem, test)
                groups.append(fds)
                owned += mine
            replies, stderr = self.ctx.sandbox.run_session(
                program.fd, problem.entry_point or "", problem.kind.value, limits, groups
            )
            results: list[TestResult] = []
            for test, fds, reply in zip(tests, groups, replies, strict=False):
                if reply.load:
                    verdict, detail = self.load_verdict(reply, limits, stderr)
                else:
                    verdict, detail = self.verdict(problem, test, reply, limits, fds)
                self.ctx.tests_run += 1
                results.append(test_result(test, index_of[test.id], verdict, Cost.of_call(reply), detail))
            if results and results[-1].verdict is Verdict.CE:
                results.extend(self.compile_errors(tests[len(results) :], index_of, ""))
            return results
        finally:
            for fd in owned:
                os.close(fd)

    @staticmethod
    def load_verdict(reply: CallReply, limits: Limits, stderr: bytes) -> tuple[Verdict, str]:
        """Why a solution could not be loaded (never AC: it is not ready)."""
        verdict, detail = call_verdict(reply, limits)
        if verdict is Verdict.AC:
            verdict = Verdict.RE
        return verdict, detail or stderr.decode(errors="replace").strip()[-1500:]
