"""Assert problems (HumanEval's `check`, MBPP's asserts): each test's code runs in a harness
process of its own that calls the solution across a process boundary and reports its
verdict to the sandbox on a pipe the solution cannot reach (sandbox/runtime/harness.py)."""

from __future__ import annotations

from codefrontier.contracts import Problem, ProblemKind, TestCase, Verdict
from codefrontier.judge.graders.base import call_verdict
from codefrontier.judge.graders.session import SessionGrader
from codefrontier.sandbox.runtime.protocol import CallReply
from codefrontier.sandbox.worker import Limits


class AssertGrader(SessionGrader):
    kind = ProblemKind.ASSERT

    def test_fds(self, problem: Problem, test: TestCase) -> tuple[list[int], list[int]]:
        return [self._test_code_fd(problem, test)], []

    def run_one(self, problem: Problem, test: TestCase, limits: Limits) -> tuple[CallReply, Verdict, str]:
        reply = self.ctx.sandbox.run_assert(
            self._test_code_fd(problem, test), problem.entry_point or "", limits
        )
        verdict, detail = call_verdict(reply, limits)
        return reply, verdict, detail

    def verdict(
        self, problem: Problem, test: TestCase, reply: CallReply, limits: Limits, fds: list[int]
    ) -> tuple[Verdict, str]:
        return call_verdict(reply, limits)

    def _test_code_fd(self, problem: Problem, test: TestCase) -> int:
        # The prelude (imports, MBPP's setup code) belongs to the test's namespace too.
        code = (problem.prelude.rstrip("\n") + "\n" if problem.prelude else "") + str(test.input)
        return self.ctx.data.fd((problem.id, test.id, "test-code"), lambda: code.encode())


GRADER = AssertGrader
