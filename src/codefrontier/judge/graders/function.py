"""Function problems: the solution is loaded once per sample in a sandboxed session and
its entry point called per test; arguments and results cross as typed JSON and are
compared here, in the judge, with Python's own builtins.

A returned value is program-controlled data: it is read only up to a budget made from the
expected value's size (`RESULT_BUDGET_FACTOR`), decoded defensively, and compared so that
nothing it holds can raise. Too large is OLE; unreadable or unequal is WA.
"""

from __future__ import annotations

import json
import os
from typing import Any

from codefrontier.contracts import Problem, ProblemKind, TestCase, Verdict, default_size
from codefrontier.errors import InputError
from codefrontier.judge.compare import values_equal
from codefrontier.judge.graders.base import call_verdict
from codefrontier.judge.graders.session import SessionGrader
from codefrontier.sandbox.runtime import values
from codefrontier.sandbox.runtime.protocol import CallReply
from codefrontier.sandbox.worker import Limits, read_memfd

RESULT_BUDGET_FACTOR = 16  # a returned value may be this many times the expected one's size ...
RESULT_BUDGET_MIN = 64 << 10  # ... and at least this many bytes


class FunctionGrader(SessionGrader):
    kind = ProblemKind.FUNCTION

    def test_fds(self, problem: Problem, test: TestCase) -> tuple[list[int], list[int]]:
        """[args, result]: the result file is fresh for every call (nothing a call leaves
        on it reaches another sample)."""
        result_fd = os.memfd_create("result", os.MFD_CLOEXEC)
        return [self._args_fd(problem, test), result_fd], [result_fd]

    def run_one(self, problem: Problem, test: TestCase, limits: Limits) -> tuple[CallReply, Verdict, str]:
        fds, mine = self.test_fds(problem, test)
        try:
            reply = self.ctx.sandbox.call(fds[0], fds[1], limits)
            verdict, detail = self.verdict(problem, test, reply, limits, fds)
        finally:
            for fd in mine:
                os.close(fd)
        return reply, verdict, detail

    def verdict(
        self, problem: Problem, test: TestCase, reply: CallReply, limits: Limits, fds: list[int]
    ) -> tuple[Verdict, str]:
        verdict, detail = call_verdict(reply, limits)
        if verdict is not Verdict.AC:
            return verdict, detail
        want, want_bytes = self._expected(problem, test)
        budget = max(RESULT_BUDGET_MIN, RESULT_BUDGET_FACTOR * want_bytes)
        result_fd = fds[1]
        size = os.fstat(result_fd).st_size
        if size > budget:
            return (
                Verdict.OLE,
                f"returned a value of {size} bytes; the answer has {want_bytes} (budget {budget})",
            )
        raw = read_memfd(result_fd, budget)
        try:
            got = values.loads(raw)
        except Exception as exc:  # program-controlled bytes: any failure to read them is WA
            return Verdict.WA, f"the returned value could not be read: {type(exc).__name__}"
        if values_equal(problem.checker, got, want):
            return Verdict.AC, ""
        return Verdict.WA, f"returned {_short(raw)}"

    def _args_fd(self, problem: Problem, test: TestCase) -> int:
        return self.ctx.data.fd((problem.id, test.id, "args"), lambda: _args_json(test))

    def _expected(self, problem: Problem, test: TestCase) -> tuple[Any, int]:
        def make() -> tuple[tuple[Any, int], int]:
            value = _json_file(test, "output")
            encoded = len(json.dumps(value, separators=(",", ":")))
            return (values.decode(value), encoded), default_size(value)

        return self.ctx.data.value((problem.id, test.id, "want"), make)


def _json_file(test: TestCase, which: str) -> Any:
    """A function test's arguments or answer: the JSON in its file when the test names
    one (input_file / output_file), else the value given inline."""
    path = test.input_path if which == "input" else test.output_path
    inline = test.input if which == "input" else test.output
    if path is None:
        return inline
    what = f"the {'arguments' if which == 'input' else 'answer'} of test {test.id}"
    try:
        return json.loads(path.read_text())
    except ValueError as exc:  # the file's name, not just "Expecting value: line 1 column 1"
        raise InputError(f"{what} is not valid JSON: {exc}", path=path) from None


def _args_json(test: TestCase) -> bytes:
    return json.dumps({"args": _json_file(test, "input")}, separators=(",", ":")).encode()


def _short(raw: bytes, limit: int = 200) -> str:
    text = raw[: limit * 4].decode(errors="replace")
    return text if len(text) <= limit else text[:limit] + "..."


GRADER = FunctionGrader
