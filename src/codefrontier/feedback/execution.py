"""The dynamic checks: the model's own unit tests, run in the sandbox after the solution
(one Python program: solution, then tests; any failing assert or exception is a non-zero
exit), and the problem's own tests where it has them, judged by the judge.

The model's tests run through the `tools` setting's `CodeRunner` (the sandbox, the
problem's limits, stdout, stderr and exit status back); the problem's tests through a
pool of sample judges. The text the model sees of the problem's tests names every
failing test with its verdict; inputs, expected answers and details are shown for
public tests only, so hidden test data never enters a dialog.
"""

from __future__ import annotations

import json
from dataclasses import replace

from codefrontier.contracts import Problem, Sample, SampleResult
from codefrontier.feedback.checks import CheckResult, CheckStatus
from codefrontier.judge import JudgeConfig, SampleJudge
from codefrontier.sampling.backends.base import ToolCall
from codefrontier.sampling.sandboxes import SandboxLeases
from codefrontier.sampling.tools import CodeRunner, tool_specs

OUTPUT_CHARS = 2000


class TestRunner:
    """Runs a solution's tests in sandboxes (`jobs` of each kind at most)."""

    __test__ = False  # not a pytest class

    def __init__(self, config: JudgeConfig | None = None, jobs: int | None = None) -> None:
        self.config = config or JudgeConfig()
        self.runner = CodeRunner(self.config, jobs, output_chars=OUTPUT_CHARS)
        self.judges: SandboxLeases[SampleJudge] = SandboxLeases(
            lambda: SampleJudge(replace(self.config, level=None)), lambda j: j.close(), jobs
        )
        self._specs = [t for t in tool_specs(cpp=False) if t["function"]["name"] == "run_python"]

    def close(self) -> None:
        self.runner.close()
        self.judges.close()

    async def model_tests(self, problem: Problem, code: str, tests: str) -> CheckResult:
        """The model's tests after the solution, as one program in the sandbox."""
        if not tests.strip():
            return CheckResult("tests", CheckStatus.FAILED, "no unit tests were given")
        program = code.rstrip("\n") + "\n\n\n" + tests.rstrip("\n") + "\n"
        call = ToolCall("tests", "run_python", json.dumps({"code": program, "stdin": ""}))
        outcome = await self.runner.call(problem, call, self._specs)
        result = outcome.result
        if outcome.status == "OK":
            return CheckResult("tests", CheckStatus.PASSED)
        if outcome.status == "IE":
            return CheckResult("tests", CheckStatus.SKIPPED, result.get("detail", "the sandbox failed"))
        text = f"status {outcome.status}, exit status {result.get('exit_code')}"
        for stream in ("stdout", "stderr"):
            if result.get(stream):
                text += f"\n{stream}:\n{result[stream].rstrip()}"
        if result.get("detail") and outcome.status != "RE":
            text += f"\n{result['detail']}"
        return CheckResult("tests", CheckStatus.FAILED, text)

    async def own_tests(self, problem: Problem, code: str, language: str = "python") -> CheckResult | None:
        """The problem's own tests (None when it has none)."""
        if not problem.tests:
            return None
        result = await self.judges.run(
            lambda judge: judge.judge(problem, Sample(problem.id, "feedback", 0, language, code))
        )
        assert isinstance(result, SampleResult)
        if result.verdict.value == "IE":
            return CheckResult("own tests", CheckStatus.SKIPPED, "the judge failed (internal error)")
        if result.passed:
            return CheckResult("own tests", CheckStatus.PASSED)
        return CheckResult("own tests", CheckStatus.FAILED, describe_own(problem, result))


def describe_own(problem: Problem, result: SampleResult) -> str:
    by_id = {t.id: t for t in problem.tests}
    lines = [f"{result.tests_passed} of {result.tests_total} of the problem's tests pass."]
    for test in result.tests:
        if test.verdict.value == "AC":
            continue
        case = by_id.get(test.test_id)
        if case is None or case.hidden:
            lines.append(f"- hidden test {test.test_id}: {test.verdict.value}")
            continue
        lines.append(f"- test {test.test_id}: {test.verdict.value}")
        shown = case.input if isinstance(case.input, str) else json.dumps(case.input)
        lines.append(f"  input: {shown[:500]}")
        if case.output is not None:
            expected = case.output if isinstance(case.output, str) else json.dumps(case.output)
            lines.append(f"  expected: {expected[:500]}")
        if test.detail:
            lines.append(f"  details: {test.detail[:500]}")
    return "\n".join(lines)
