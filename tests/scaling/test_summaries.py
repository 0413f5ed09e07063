"""Structured summaries: the schema is validated, a bad answer is retried and then
recorded as failed (the deterministic summary stands in, marked), summaries fit their
token budget, and the deterministic summarizer reads the trajectory."""

from __future__ import annotations

import asyncio
import json

import pytest

from codefrontier.sampling import open_backend
from codefrontier.scaling import (
    DeterministicSummarizer,
    ModelSummarizer,
    Rollout,
    Summary,
    SummaryInvalid,
    count_tokens,
    fit,
    parse_summary,
)
from codefrontier.scaling.summaries import FIELDS
from sampling.openai_server import LoopbackServer, answer

GOOD = {
    "approach": "prefix sums",
    "key_findings": ["off by one at the end"],
    "changes_made": ["fixed the loop bound"],
    "verification": [{"check": "example tests", "outcome": "all passed"}],
    "final_status": "passed_public_tests",
    "failure_modes": [],
    "open_questions": ["large inputs"],
}


def rollout() -> Rollout:
    steps = [
        {
            "turn": 1,
            "action": {"type": "reply", "text": "Greedy by weight.\n```python\nprint(0)\n```"},
            "observation": {
                "messages": ["Your submission passed 0 of 2 example tests."],
                "public": {"passed": False, "verdicts": {"t1": "WA", "t2": "AC"}},
            },
        },
        {
            "turn": 2,
            "action": {
                "type": "reply",
                "text": "Now a DP over capacity.\n```python\nimport sys\nprint(1)\nprint(2)\n```",
            },
            "observation": {"messages": [], "public": {"passed": True, "verdicts": {"t1": "AC", "t2": "AC"}}},
        },
    ]
    return Rollout(
        "r1",
        "task",
        "r0",
        0,
        "ok",
        "passed_public",
        "import sys\nprint(1)\nprint(2)\n",
        "python",
        steps,
        public={"passed": True, "verdicts": {"t1": "AC", "t2": "AC"}, "submission": 2},
    )


def test_a_summary_of_the_schema_parses_from_the_last_json_block():
    text = 'Here:\n```json\n{"approach": 1}\n```\nBetter:\n```json\n' + json.dumps(GOOD) + "\n```"
    summary = parse_summary(text, "r1")
    assert summary.fields() == GOOD and summary.source == "model"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"final_status": "probably fine"}, "`final_status` must be one of"),
        ({"key_findings": "one"}, "`key_findings` must be a list of strings"),
        ({"verification": [{"check": "x"}]}, "`verification` must be a list of"),
        ({"approach": "  "}, "`approach` must be a non-empty string"),
    ],
)
def test_answers_that_break_the_schema_are_rejected_with_the_reason(change, message):
    with pytest.raises(SummaryInvalid, match=message):
        parse_summary(json.dumps({**GOOD, **change}), "r1")
    missing = {k: v for k, v in GOOD.items() if k != "open_questions"}
    with pytest.raises(SummaryInvalid, match="missing key"):
        parse_summary(json.dumps(missing), "r1")
    with pytest.raises(SummaryInvalid, match="no JSON object"):
        parse_summary("I could not summarize this.", "r1")


def test_a_summary_is_cut_to_its_token_budget_and_says_so():
    summary = Summary(
        "r1", approach=" ".join(["word"] * 200), key_findings=[f"finding number {i}" for i in range(50)]
    )
    assert count_tokens(summary.render()) > 120
    fit(summary, 120)
    assert count_tokens(summary.render()) <= 120 and summary.cut
    assert "(shortened to fit the summary budget)" in summary.render()
    assert summary.key_findings == [
        f"finding number {i}" for i in range(len(summary.key_findings))
    ]  # kept in order


def test_a_model_summary_that_never_validates_is_retried_then_recorded_as_failed_with_the_fallback():
    seen = []

    def script(request, index):
        seen.append(request["messages"])
        return answer("Sure, it went well.")

    with LoopbackServer(script) as server:
        summarizer = ModelSummarizer(open_backend(server.url), retries=2, budget=400)
        summary = asyncio.run(summarizer.summarize(_task(), rollout(), "key1"))
    assert len(seen) == 3 and summary.attempts == 3
    assert "could not be used: no JSON object found" in seen[1][-1]["content"]  # the retry says why
    assert (
        summary.status == "failed"
        and summary.source == "fallback"
        and summary.errors == ["no JSON object found"] * 3
    )
    assert summary.final_status == "passed_public_tests"  # the deterministic summary, never an empty one
    assert summary.cost.calls["summarizer"] == 3


def test_a_model_summary_that_validates_on_retry_is_kept():
    answers = iter(["not json", "```json\n" + json.dumps(GOOD) + "\n```"])
    with LoopbackServer(lambda request, index: answer(next(answers))) as server:
        summary = asyncio.run(
            ModelSummarizer(open_backend(server.url), retries=2).summarize(_task(), rollout(), "k")
        )
    assert summary.status == "ok" and summary.source == "model" and summary.attempts == 2
    assert summary.fields() == GOOD and summary.errors == ["no JSON object found"]


def test_the_deterministic_summary_reads_outcomes_and_changes_off_the_trajectory():
    summary = asyncio.run(DeterministicSummarizer(400).summarize(_task(), rollout(), "k"))
    assert summary.final_status == "passed_public_tests"
    assert summary.key_findings == [
        "submission 1 passed 1 of 2 example tests",
        "submission 2 passed 2 of 2 example tests",
    ]
    assert summary.changes_made == ["submission 2: +3 -1 lines"]
    assert summary.verification[0] == {"check": "example tests, submission 1", "outcome": "t1 WA, t2 AC"}
    assert summary.approach.startswith("Now a DP over capacity.") and "3 lines of python" in summary.approach
    assert set(summary.fields()) == set(FIELDS)


def _task():
    from codefrontier.problems import Problem, ProblemKind, TestCase

    return Problem(
        "task", ProblemKind.STDIO, "Print the answer.", [TestCase("t1", "1\n", "1\n", hidden=False)]
    )
