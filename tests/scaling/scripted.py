"""A scripted model for the scaling tests, served by the sampling tests' loopback
OpenAI-protocol server. It answers every kind of request the scaling pipeline makes,
deterministically from the request's content (so a resumed run gets the same answers):

- agent turns: by the request's seed, the first submission is the reference solution,
  an "overfit" program (a table of the public tests' answers: passes them, fails the
  hidden tests) or `print(0)` (fails the public tests too); after feedback it submits
  the reference (or the overfit program, for some seeds); with a refinement context it
  submits the reference;
- summaries: a JSON summary read off the transcript's example-test results (for some
  rollouts the first answer is not JSON, to exercise the retry);
- judge votes: the first attempt whose summary says it passed the public tests;
- majority-vote inputs: the public test inputs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from codefrontier.problems import Problem
from codefrontier.scaling.summaries import SUMMARY_SYSTEM
from codefrontier.scaling.tournament import JUDGE_SYSTEM
from sampling.openai_server import Reply, answer


def fenced(code: str) -> str:
    return f"Here is my program.\n```python\n{code}```"


def reference(problem: Problem) -> str:
    return next(s.code for s in problem.solutions if s.language == "python" and s.expected == "AC")


def overfit(problem: Problem) -> str:
    table = {t.input_bytes().decode(): t.output_bytes().decode() for t in problem.public_tests()}
    return f"import sys\nTABLE = {table!r}\nprint(TABLE.get(sys.stdin.read(), '0\\n'), end='')\n"


def task_of(text: str, problems: list[Problem]) -> Problem:
    return next(p for p in problems if p.statement.strip()[:80] in text)


class ScriptedModel:
    def __init__(self, problems: list[Problem], *, fail_agent: Callable[[int], bool] | None = None) -> None:
        self.problems = problems
        self.fail_agent = fail_agent  # agent requests whose seed it accepts get a 500, every time
        self.kinds: dict[str, int] = {}

    def __call__(self, request: dict[str, Any], index: int) -> Reply:
        messages = request["messages"]
        system = messages[0]["content"] if messages[0]["role"] == "system" else ""
        if system == JUDGE_SYSTEM:
            return self._count("judge", self._vote(messages[1]["content"]))
        if system == SUMMARY_SYSTEM:
            return self._count("summarizer", self._summary(messages, request.get("seed") or 0))
        if "different test inputs" in messages[-1]["content"]:
            problem = task_of(messages[-1]["content"], self.problems)
            blocks = "".join(f"```text\n{t.input_bytes().decode()}```\n" for t in problem.public_tests())
            return self._count("verifier", answer(blocks))
        return self._count("agent", self._agent(messages, request.get("seed") or 0))

    def _count(self, kind: str, reply: Reply) -> Reply:
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        return reply

    def _agent(self, messages: list[dict[str, Any]], seed: int) -> Reply:
        from sampling.openai_server import status

        if self.fail_agent is not None and self.fail_agent(seed):
            return status(500, "the scripted endpoint is down for this seed")
        task = messages[1]["content"]
        problem = task_of(task, self.problems)
        if "Earlier attempts at this task" in task:
            return answer(fenced(reference(problem)))
        turn = sum(1 for m in messages if m["role"] == "assistant")
        kind = seed % 4
        if turn == 0:
            code = [reference(problem), overfit(problem), "print(0)\n", "print(0)\n"][kind]
        else:
            code = overfit(problem) if kind == 2 else reference(problem)
        return answer(fenced(code))

    def _summary(self, messages: list[dict[str, Any]], seed: int) -> Reply:
        if len(messages) == 2 and seed % 3 == 0:
            return answer("Sure! The agent tried hard and did well.")  # not JSON: retried
        transcript = messages[1]["content"]
        results = re.findall(r"Example tests: passed (\d+) of (\d+)", transcript)
        passed = bool(results) and results[-1][0] == results[-1][1]
        summary = {
            "approach": "a direct implementation of the statement",
            "key_findings": [f"{len(results)} submissions"],
            "changes_made": [],
            "verification": [
                {"check": "example tests", "outcome": "all passed" if passed else "some failed"}
            ],
            "final_status": "passed_public_tests" if passed else "failed_public_tests",
            "failure_modes": [] if passed else ["wrong answer on an example"],
            "open_questions": ["hidden tests"],
        }
        return answer("```json\n" + json.dumps(summary) + "\n```")

    def _vote(self, prompt: str) -> Reply:
        attempts = re.findall(
            r"Attempt ([A-Z]):\n(.*?)(?=\n\nAttempt [A-Z]:|\n\nWhich attempt)", prompt, re.DOTALL
        )
        for label, body in attempts:
            if "Final status: passed_public_tests" in body:
                return answer(f"Attempt {label} passed its example tests.\nFINAL: {label}")
        return answer("None of them verified anything.\nFINAL: A")
