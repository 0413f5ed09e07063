"""The agent setting's judge: a submission is run on the problem's PUBLIC tests only and
the model is told the verdicts and, for the first failing test, a bounded diff.

Hidden tests never reach this module: `public_view` keeps only the tests marked public,
and everything here works on that view, so no hidden input or answer can appear in a
message. A problem without public tests gets no feedback (the first submission is final).
"""

from __future__ import annotations

import difflib
import os
import time
from dataclasses import dataclass, replace
from typing import Any

from codefrontier.contracts import Problem, ProblemKind, Sample, SampleResult, TestCase, TestResult, Verdict
from codefrontier.judge.config import JudgeConfig
from codefrontier.judge.runner import SampleJudge
from codefrontier.languages import get_language
from codefrontier.sampling.sandboxes import SandboxLeases
from codefrontier.sandbox.worker import memfd_from_bytes

DIFF_LINES = 40


def public_view(problem: Problem) -> Problem:
    """The problem as the agent may see it: only its public tests, no known solutions."""
    return replace(problem, tests=problem.public_tests(), solutions=[])


@dataclass
class Feedback:
    passed: bool
    results: list[TestResult]
    text: str  # the part of the message that describes the results
    wall_s: float

    def record(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "verdicts": {r.test_id: r.verdict.value for r in self.results},
            "cpu_s": {r.test_id: r.cpu_s for r in self.results},
            "wall_s": round(self.wall_s, 4),
        }


class PublicJudge:
    """Judges submissions on public tests, on a pool of sample judges."""

    def __init__(self, config: JudgeConfig | None = None, jobs: int | None = None, max_chars: int = 2000):
        self.config = replace(config or JudgeConfig(), level=None)
        self.max_chars = max_chars
        self.pool: SandboxLeases[SampleJudge] = SandboxLeases(
            lambda: SampleJudge(self.config), lambda j: j.close(), jobs
        )

    def close(self) -> None:
        self.pool.close()

    async def judge(self, view: Problem, code: str, language: str) -> Feedback:
        """Judge `code` on `view` (a `public_view`: hidden tests must not be in it)."""
        if any(t.hidden for t in view.tests):
            raise ValueError("PublicJudge.judge takes a public_view of the problem")
        started = time.perf_counter()
        result = await self.pool.run(lambda judge: self._judge(judge, view, code, language))
        assert isinstance(result, tuple)
        sample_result, actual = result
        text = self.describe(view, sample_result, actual)
        return Feedback(sample_result.passed, sample_result.tests, text, time.perf_counter() - started)

    def _judge(
        self, judge: SampleJudge, view: Problem, code: str, language: str
    ) -> tuple[SampleResult, str | None]:
        result = judge.judge(view, Sample(view.id, "agent", 0, language, code))
        failed = _first_failure(result)
        actual = None
        if failed is not None and failed.verdict is Verdict.WA and view.kind is ProblemKind.STDIO:
            actual = self._output_of(judge, view, code, language, _test(view, failed.test_id))
        return result, actual

    def _output_of(self, judge: SampleJudge, view: Problem, code: str, language: str, test: TestCase) -> str:
        """The program's output on one test (the judge compares outputs but does not keep them)."""
        lang = get_language(language)
        program = lang.prepare(code, judge.sandbox)
        stdin = memfd_from_bytes(test.input_bytes(), "stdin")
        try:
            run = lang.run(judge.sandbox, program, stdin, self.config.limits_for(view, lang.name))
        finally:
            program.close()
            os.close(stdin)
        return run.stdout.decode(errors="replace")

    def describe(self, view: Problem, result: SampleResult, actual: str | None) -> str:
        lines = [f"Test {r.test_id}: {r.verdict.value}" for r in result.tests]
        passed = sum(1 for r in result.tests if r.verdict is Verdict.AC)
        head = f"Your submission passed {passed} of {len(view.tests)} example tests.\n" + "\n".join(lines)
        failed = _first_failure(result)
        if failed is None:
            return head
        return head + "\n\n" + self._failure_text(view, failed, actual)

    def _failure_text(self, view: Problem, failed: TestResult, actual: str | None) -> str:
        test = _test(view, failed.test_id)
        budget = self.max_chars
        parts = [f"First failing test: {failed.test_id} ({failed.verdict.value})"]
        if view.kind is ProblemKind.STDIO:
            shown = _cut(test.input_bytes().decode(errors="replace").rstrip("\n"), budget // 3)
            parts.append("Input:\n```\n" + shown + "\n```")
            if actual is not None:
                expected = test.output_bytes().decode(errors="replace")
                parts.append(
                    "Difference (--- expected, +++ your output):\n```diff\n"
                    + bounded_diff(expected, actual, budget // 2)
                    + "\n```"
                )
        elif view.kind is ProblemKind.FUNCTION:
            parts.append(f"Arguments: {_cut(repr(test.input), budget // 3)}")
            parts.append(f"Expected: {_cut(repr(test.output), budget // 3)}")
        else:
            parts.append("Test code:\n```python\n" + _cut(str(test.input), budget // 2) + "\n```")
        if failed.detail:
            parts.append("Details: " + _cut(failed.detail, budget // 3))
        return "\n".join(parts)


def bounded_diff(expected: str, actual: str, max_chars: int, max_lines: int = DIFF_LINES) -> str:
    """A unified diff of two outputs, cut to `max_lines` lines and `max_chars` characters."""
    diff = list(
        difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), "expected", "your output", lineterm="", n=1
        )
    )
    if not diff:  # they differ only in whitespace the checker does not forgive
        diff = [f"expected {expected[:200]!r}", f"got      {actual[:200]!r}"]
    shown = diff[:max_lines]
    text = "\n".join(line if len(line) <= 200 else line[:200] + "..." for line in shown)
    if len(diff) > max_lines:
        text += f"\n... ({len(diff) - max_lines} more diff lines)"
    return _cut(text, max_chars)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text) - limit} more characters)"


def _first_failure(result: SampleResult) -> TestResult | None:
    return next((r for r in result.tests if r.verdict is not Verdict.AC), None)


def _test(view: Problem, test_id: str) -> TestCase:
    return next(t for t in view.tests if t.id == test_id)
