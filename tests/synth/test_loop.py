"""The multi-turn loop end to end: a scripted teacher whose problems carry a difficulty
knob, a scripted student whose pass rate falls with it, both behind the loopback
OpenAI-protocol server; real sandboxes and a real judge in between."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from codefrontier.sampling import open_backend
from codefrontier.synth.envs import get_environment
from codefrontier.synth.generate import generate
from codefrontier.synth.progression import DEFAULT_PROGRESSION, Instruction
from codefrontier.synth.seeds import Seed
from codefrontier.synth.settings import LoopSettings
from sampling.openai_server import Reply, answer, status

from .scripted import scripted, solved, student_level, teacher_answer

SEEDS = [Seed("s0", "snippet", "def g(a):\n    return a + 1\n", "inline:1-2")]


def chance(level: int) -> float:
    return max(0.0, 1.0 - level / 8)


def run(
    server_url: str,
    out: Path,
    *,
    turns: int = 6,
    attempts: int = 16,
    seeds: list[Seed] = SEEDS,
    retries: int = 0,
):
    backend = open_backend(server_url, max_retries=retries)
    return generate(
        env=get_environment("induction"),
        teacher=backend,
        student=backend,
        seeds=seeds,
        seed_source={"kind": "inline"},
        out=out,
        settings=LoopSettings(turns=turns, attempts=attempts, parallel=2),
        jobs=2,
    )


def turns_of(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "turns.jsonl").read_text().splitlines()]


def level_in(record: dict) -> int:
    return int(record["task"]["program"].split("x * ")[1].split(" ")[0])


def test_the_teacher_is_steered_by_the_pass_rate_until_it_lands_in_the_band(serve, tmp_path):
    server = serve(scripted(start=0, solve_chance=chance))
    report = run(server.url, tmp_path, turns=6)
    records = turns_of(tmp_path)
    assert report.turns_played == 6 and report.errors == []
    assert [r["turn"] for r in records] == [1, 2, 3, 4, 5, 6]
    # the pass rate follows the knob: M attempts solve about M x chance(level)
    for record in records:
        assert abs(record["pass_rate"] - chance(level_in(record))) <= 0.13, record["pass_rate"]
        assert len(record["answers"]) == 16 and len(record["attempts"]) == 16
    # each turn's instruction is the progression rule applied to the previous pass rate
    assert records[0]["instruction"] == Instruction.FIRST
    for before, after in itertools.pairwise(records):
        assert after["instruction"] == DEFAULT_PROGRESSION.next(before["pass_rate"])
    levels = [level_in(r) for r in records]
    assert levels[:3] == [0, 1, 2]  # too easy: harder, harder
    assert 0.35 <= records[-1]["pass_rate"] <= 0.65  # and it settles in the band
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["problems"] == 6 and summary["tokens_total"]["teacher"]["total_tokens"] > 0
    assert [row["answers"] for row in summary["yield_by_turn"]] == [1] * 6


def test_a_problem_no_attempt_solves_is_made_easier(serve, tmp_path):
    server = serve(scripted(start=9, solve_chance=chance))
    run(server.url, tmp_path, turns=3)
    records = turns_of(tmp_path)
    assert [r["pass_rate"] for r in records[:2]] == [0.0, 0.0]
    assert [r["instruction"] for r in records] == ["first", "easier", "easier"]
    assert [level_in(r) for r in records] == [9, 8, 7]


def test_a_finished_run_costs_nothing_to_repeat(serve, tmp_path):
    server = serve(scripted(start=2, solve_chance=chance))
    run(server.url, tmp_path, turns=2, attempts=8)
    asked = len(server.requests)
    again = run(server.url, tmp_path, turns=2, attempts=8)
    assert len(server.requests) == asked and again.turns_played == 0 and again.turns_done_before == 2
    more = run(server.url, tmp_path, turns=3, attempts=8)  # one more turn: only its calls are made
    assert more.turns_played == 1 and len(server.requests) == asked + 1 + 8


def test_an_endpoint_that_fails_is_recorded_and_a_rerun_pays_only_for_what_is_missing(serve, tmp_path):
    good = scripted(start=2, solve_chance=chance)
    failing = {"on": True}

    def flaky(request: dict, index: int) -> Reply:
        messages = request["messages"]
        if failing["on"] and messages[0]["role"] != "system" and int(request["seed"]) % 4 == 0:
            return status(500, "the server fell over")
        return good(request, index)

    server = serve(flaky)
    first = run(server.url, tmp_path, turns=2, attempts=8)
    assert first.turns_played == 0 and len(first.errors) == 1 and "fell over" in first.errors[0]
    paid = [json.loads(line)["key"] for line in (tmp_path / "calls.jsonl").read_text().splitlines()]
    answered = [k for k in paid if "/student/" in k]
    assert "s0/1/teacher" in paid and 0 < len(answered) < 8  # what answered is kept
    failing["on"] = False
    before = len(server.requests)
    second = run(server.url, tmp_path, turns=2, attempts=8)
    assert second.errors == [] and second.turns_played == 2
    # turn 1: only the attempts that failed; turn 2: the teacher and 8 attempts
    assert len(server.requests) - before == (8 - len(answered)) + 1 + 8


def test_bad_teacher_answers_are_recorded_with_their_reasons_and_the_run_goes_on(serve, tmp_path):
    good = teacher_answer(3)
    bad = [
        "I would rather describe a problem in prose: sort a list.",
        good.replace("```input\n2\n```", "```input\n1\n```")
        .replace("```input\n3\n```", "```input\n1\n```")
        .replace("```input\n4\n```", "```input\n1\n```")
        .replace("```input\n5\n```", "```input\n1\n```"),
        good.replace("return x * 3 + 3", "while True:\n        pass"),
        good.replace("def f(x):", "import time\n\ndef f(x):\n    time.sleep(5)"),
        good.replace("def f(x):", "def f(x):\n    open('/etc/passwd').read()"),
    ]

    def teacher(messages: list[dict]) -> str:
        turn = sum(1 for m in messages if m["role"] == "assistant")
        return bad[turn] if turn < len(bad) else good

    def script(request: dict, index: int) -> Reply:
        if request["messages"][0]["role"] == "system":
            return answer(teacher(request["messages"]))
        if int(request["seed"]) % 2:
            return answer("")  # a student that returns nothing
        level = student_level(request)
        return answer(
            f"```python\ndef f(x):\n    return x * {level} + {level}\n```" if solved(request, 1) else ""
        )

    server = serve(script)
    report = run(server.url, tmp_path, turns=6, attempts=8)
    records = turns_of(tmp_path)
    reasons = [r["rejection"]["reason"] if r["rejection"] else None for r in records]
    assert reasons == ["no_f", "duplicate_inputs", "timeout", "impure", "impure", None]
    assert report.errors == [] and report.problems == 1
    assert all(r["instruction"] == "fix" for r in records[1:])
    last = records[-1]
    empty = [a for a, text in zip(last["attempts"], last["answers"], strict=True) if not text]
    assert empty and all(a["reward"] == 0.0 and a["verdict"] == "unread" for a in empty)
    assert 0 < last["pass_rate"] < 1
    student_requests = [r for r in server.requests if r["messages"][0]["role"] != "system"]
    assert len(student_requests) == 8  # only the accepted problem was attempted
