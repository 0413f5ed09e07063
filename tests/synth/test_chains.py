"""Stepping-stone chains built top-down with a scripted teacher and student, and the
matched baseline."""

from __future__ import annotations

import json

import pytest

from codefrontier.sampling import open_backend
from codefrontier.synth.bins import NARROW
from codefrontier.synth.chains import Chain, build_chains, matched_baseline
from codefrontier.synth.journal import TurnRecord
from codefrontier.synth.output import load_tasks
from codefrontier.synth.settings import LoopSettings
from codefrontier.synth.task import SynthTask
from sampling.openai_server import Reply, answer

from .scripted import solved, student_level, teacher_answer


def chance(level: int) -> float:
    return {1: 0.86, 4: 0.5, 6: 0.25}.get(level, 0.1)  # easy, medium, too hard for medium


def hard_task(i: int, rate: float) -> SynthTask:
    program = f"def f(x):\n    return x * 7 + 7 + {i}\n"
    return SynthTask(f"hard-{i}", "induction", program, [(x,) for x in range(1, 6)], [x * 7 + 7 + i for x in range(1, 6)],
                     "This is level 7: scale, then shift.", {"pass_rate": rate})  # fmt: skip


def pool_task(i: int, rate: float) -> SynthTask:
    return SynthTask(
        f"pool-{i}",
        "induction",
        f"def f(x):\n    return x - {i}\n",
        [(1,)],
        [1 - i],
        "m",
        {"pass_rate": rate},
    )


def script(request: dict, index: int) -> Reply:
    messages = request["messages"]
    if messages[0]["role"] == "system":
        last = messages[-1]["content"]
        if "medium variant" in last:
            return answer(teacher_answer(4 if "again" in last else 6))  # misses the band once
        return answer(teacher_answer(1))
    level = student_level(request)
    return answer(
        f"```python\ndef f(x):\n    return x * {level} + {level}\n```"
        if solved(request, chance(level))
        else ""
    )


@pytest.mark.slow
def test_chains_are_built_top_down_and_the_baseline_matches_them(serve, tmp_path):
    server = serve(script)
    hard = [hard_task(0, 0.125), hard_task(1, 0.1)]
    pool = [pool_task(i, r) for i, r in enumerate([0.9, 0.85, 0.5, 0.45, 0.55, 0.12, 0.15, 0.08, 0.7])]
    backend = open_backend(server.url, max_retries=0)
    report = build_chains(
        tasks=hard + pool, teacher=backend, student=backend, out=tmp_path, settings=LoopSettings(attempts=16),
        tries=2, limit=2, jobs=2,
    )  # fmt: skip
    assert report.errors == [] and report.chains == 2 and report.complete == 2
    chains = json.loads((tmp_path / "chains.json").read_text())["chains"]
    first = next(c for c in chains if c["chain"] == "chain-hard-0")
    assert first["complete"] and len(first["medium"]["tries"]) == 2 and len(first["easy"]["tries"]) == 1
    assert 0.41 <= first["medium"]["pass_rate"] <= 0.59 and 0.81 <= first["easy"]["pass_rate"] <= 0.91
    members = load_tasks(tmp_path / "chains.jsonl")
    roles = {(t.meta["chain"], t.meta["chain_role"]) for t in members}
    assert (
        ("chain-hard-0", "hard") in roles
        and ("chain-hard-0", "medium") in roles
        and ("chain-hard-0", "easy") in roles
    )
    # the medium variant was asked of the teacher with the hard problem in view
    turns = [json.loads(line) for line in (tmp_path / "turns.jsonl").read_text().splitlines()]
    assert {t["instruction"] for t in turns} == {"medium", "easy"}
    baseline = load_tasks(tmp_path / "baseline.jsonl")
    chained = {t.id for t in members}
    assert not chained & {t.id for t in baseline}  # disjoint from every chain
    assert sorted(t.meta["baseline_role"] for t in baseline) == ["easy"] * 2 + ["hard"] * 2 + ["medium"] * 2
    assert all(t.meta["bin"] == t.meta["baseline_role"] for t in baseline)
    asked = len(server.requests)
    again = build_chains(tasks=hard + pool, teacher=backend, student=backend, out=tmp_path,
                         settings=LoopSettings(attempts=16), tries=2, limit=2, jobs=2)  # fmt: skip
    assert again.complete == report.complete and len(server.requests) == asked  # resumed from the journal


def test_the_matched_baseline_takes_the_nearest_unused_problem_of_each_bin():
    def member(rate: float) -> TurnRecord:
        t = pool_task(100 + int(rate * 100), rate)
        return TurnRecord("c", 1, "medium", "", task=t, pass_rate=rate)

    chains = [
        Chain("c1", hard_task(0, 0.10), {"medium": member(0.50), "easy": member(0.85)}),
        Chain("c2", hard_task(1, 0.15), {"medium": member(0.44), "easy": member(0.90)}),
        Chain("c3", hard_task(2, 0.12)),  # incomplete: not matched
    ]
    pool = [
        pool_task(i, r) for i, r in enumerate([0.09, 0.16, 0.14, 0.42, 0.58, 0.49, 0.86, 0.88, 0.82, 0.3])
    ]
    chosen, missing = matched_baseline(chains, pool, NARROW)
    rates = {role: sorted(t.meta["pass_rate"] for t in tasks) for role, tasks in chosen.items()}
    assert rates == {"hard": [0.09, 0.14], "medium": [0.42, 0.49], "easy": [0.86, 0.88]}
    assert missing == {"hard": 0, "medium": 0, "easy": 0}
    ids = [t.id for tasks in chosen.values() for t in tasks]
    assert len(ids) == len(set(ids))
