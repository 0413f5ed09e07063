"""One execution-feedback dialog (Llama 3, §4.3.1): the model answers a task with a
solution (its reasoning in comments) and unit tests; the parser, the linter, its tests
and the problem's own tests check the answer; when anything fails, the model gets a
revision prompt with every check's output (stdout, stderr, exit status) and may fix the
solution or the tests; up to `rounds` answers in all. The dialog passes when every check
of its last answer passed (a skipped check is not a pass).

Outcomes: `first_try` (the first answer passed), `fixed` (a later one did), `dropped`
(none did within the rounds, a request failed, or a check could not run: a skipped check
is never a pass, and with nothing failed there is nothing to revise, so the loop stops). A model that answers a revision with
a program it already wrote is not stopped early: the loop runs its rounds and records how
many answers repeated an earlier program (`repeated`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from codefrontier.contracts import Problem
from codefrontier.feedback import prompts
from codefrontier.feedback.checks import CheckResult, CheckStatus, lint_check, parse_check
from codefrontier.feedback.execution import TestRunner
from codefrontier.sampling.backends.base import Backend, GenerationParams, Message, RequestFailed, Usage


@dataclass(frozen=True)
class LoopSettings:
    rounds: int = 3  # answers in all: the first and up to rounds - 1 revisions
    temperature: float = 0.8
    max_tokens: int = 2048
    seed: int | None = 0
    ruff: str | None = None  # the linter's executable (default: the installed ruff)


@dataclass
class Dialog:
    id: str
    messages: list[Message]
    checks: list[list[dict[str, str]]] = field(default_factory=list)  # per answer
    outcome: str = "dropped"
    stop: str = "round_limit"
    repeated: int = 0
    usage: Usage = field(default_factory=Usage)
    solution: str = ""
    tests: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def answers(self) -> int:
        return len(self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "outcome": self.outcome,
            "stop": self.stop,
            "answers": self.answers,
            "repeated": self.repeated,
            "checks": self.checks,
            "usage": self.usage.to_json(),
            "solution": self.solution,
            "tests": self.tests,
            "messages": self.messages,
            "prompt_version": prompts.PROMPT_VERSION,
            **self.meta,
        }


async def check_answer(
    runner: TestRunner, problem: Problem, solution: str, tests: str, ruff: str | None
) -> list[CheckResult]:
    """Every check of one answer, in the order the revision prompt lists them."""
    parsed = parse_check(solution)
    checks = [parsed, lint_check(solution, ruff)]
    if not parsed.passed:  # nothing can run; the parser's output says why
        return checks
    checks.append(await runner.model_tests(problem, solution, tests))
    own = await runner.own_tests(problem, solution)
    if own is not None:
        checks.append(own)
    return checks


async def run_dialog(
    backend: Backend, runner: TestRunner, problem: Problem, task: str, item_id: str, settings: LoopSettings
) -> Dialog:
    dialog = Dialog(
        item_id,
        [
            {"role": "system", "content": prompts.SYSTEM},
            {"role": "user", "content": prompts.SOLVE.format(task=task)},
        ],
    )
    seen: set[str] = set()
    for answer in range(settings.rounds):
        seed = None if settings.seed is None else settings.seed + answer
        try:
            params = GenerationParams(
                temperature=settings.temperature, max_tokens=settings.max_tokens, seed=seed
            )
            (completion,) = await backend.chat(list(dialog.messages), params)
        except RequestFailed as exc:
            dialog.stop = f"request_failed: {exc}"[:300]
            return dialog
        dialog.usage = dialog.usage + completion.usage
        dialog.messages.append({"role": "assistant", "content": completion.text})
        solution, tests = prompts.split_answer(completion.text)
        if solution in seen:
            dialog.repeated += 1
        seen.add(solution)
        dialog.solution, dialog.tests = solution, tests
        checks = await check_answer(runner, problem, solution, tests, settings.ruff)
        dialog.checks.append([c.to_json() for c in checks])
        if all(c.passed for c in checks):
            dialog.outcome = "first_try" if answer == 0 else "fixed"
            dialog.stop = "passed"
            return dialog
        if not any(c.status is CheckStatus.FAILED for c in checks):  # nothing for the model to fix
            skipped = ", ".join(c.name for c in checks if c.status is CheckStatus.SKIPPED)
            dialog.stop = f"unchecked: {skipped} skipped"
            return dialog
        if answer + 1 < settings.rounds:
            dialog.messages.append(
                {"role": "user", "content": prompts.REVISE.format(report=prompts.report_text(checks))}
            )
    return dialog
