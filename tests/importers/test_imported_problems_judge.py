"""Imported problems judge for real: known-correct programs AC, known-wrong ones not."""

from __future__ import annotations

import json

import pytest
from importer_helpers import FIXTURES

from codefrontier.contracts import Sample, Verdict
from codefrontier.judge.api import judge_samples
from codefrontier.problems.importers import import_dataset

KNOWN = json.loads((FIXTURES / "known_solutions.json").read_text())


def imported(fixture: str, fmt: str):
    return {p.id: p for p in import_dataset(fmt, FIXTURES / fixture).problems}


@pytest.mark.parametrize("fixture", sorted({k["fixture"] for k in KNOWN}))
def test_known_programs_get_their_verdict_on_imported_problems(fixture):
    entries = [k for k in KNOWN if k["fixture"] == fixture]
    problems = imported(fixture, entries[0]["format"])
    samples = [
        Sample(k["problem_id"], f"{k['name']}-{k['language']}", 0, k["language"], k["code"]) for k in entries
    ]
    results = judge_samples(problems.values(), samples)
    got = {(r.problem_id, r.policy): r for r in results}
    for k in entries:
        result = got[(k["problem_id"], f"{k['name']}-{k['language']}")]
        if k["expected"] == "AC":
            assert result.verdict is Verdict.AC, (k["problem_id"], k["name"], result.detail)
        else:
            assert result.verdict not in (Verdict.AC, Verdict.IE), (k["problem_id"], k["name"])


@pytest.mark.parametrize("fixture,fmt", [("codecontests.jsonl", "codecontests"), ("mbpp.jsonl", "mbpp")])
def test_solutions_shipped_in_the_dataset_are_accepted(fixture, fmt):
    problems = imported(fixture, fmt)
    samples = [
        Sample(p.id, s.name, i, s.language, s.code)
        for p in problems.values()
        for i, s in enumerate(p.solutions)
    ]
    assert samples
    results = judge_samples(problems.values(), samples)
    assert [(r.problem_id, r.policy) for r in results if r.verdict is not Verdict.AC] == []
