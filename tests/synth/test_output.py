"""Generated problems are native problems: `codefrontier judge`, `validate`, `reward`,
`summary` and `report` work on them unchanged, and the trainer reward adapters too."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from codefrontier.cli import main
from codefrontier.problems.io import load_problems, write_jsonl_atomic
from codefrontier.synth.envs import ENVIRONMENTS, get_environment
from codefrontier.synth.grading import STUDENT_POLICY
from codefrontier.synth.output import load_tasks, write_problems
from codefrontier.synth.rewards import SynthReward, compute_score

from .test_environments import INPUTS, OUTPUTS, inputs_block, outputs_block, task

WRONG = {
    "induction": "```python\ndef f(a, n):\n    return a[:n]\n```",
    "deduction": outputs_block(["[2, 1]", "[5]", "[]", "[7, 8, 9]", "[1]"]),
    "abduction": inputs_block(["[2, 1], 1", "[5], 1", "[], 0", "[9, 8, 7], 3", "[1, 1], 1"]),
    "fuzzing": inputs_block(["[4, 3], 2"]),
}
RIGHT_FUZZ = inputs_block(["[4, 3, 2, 1], 2"])


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Path, Path, dict[tuple[str, int], float]]:
    """All four environments' problems, and right and wrong answers to each as samples."""
    out = tmp_path_factory.mktemp("synth-out")
    tasks = [task(env) for env in ENVIRONMENTS]
    for t in tasks:
        t.meta.update(pass_rate=0.5, bin="medium", turn=1)
    tasks[-1].meta["witness"] = RIGHT_FUZZ  # fuzzing: the failing input a student found
    write_problems(out / "problems.jsonl", tasks)
    samples, expected = [], {}
    for t in tasks:
        env = get_environment(t.env)
        for j, (text, reward) in enumerate([(env.correct_answer(t), 1.0), (WRONG[t.env], 0.0)]):
            code = env.parse_answer(text, t).code
            samples.append({"problem_id": t.id, "policy": STUDENT_POLICY, "sample": j, "code": code})
            expected[(t.id, j)] = reward
    write_jsonl_atomic(out / "samples.jsonl", samples)
    return out / "problems.jsonl", out / "samples.jsonl", expected


def test_the_problems_file_round_trips_into_task_records(synthetic):
    problems, _, _ = synthetic
    tasks = load_tasks(problems)
    assert [t.env for t in tasks] == list(ENVIRONMENTS)
    assert load_problems(problems)[-1].solutions[0].code.startswith("_SYNTH_INPUT = ([4, 3, 2, 1], 2)")
    assert tasks[0].inputs == INPUTS and tasks[0].outputs == OUTPUTS and tasks[0].meta["bin"] == "medium"


def test_codefrontier_judge_grades_the_written_samples_like_the_environments(synthetic, tmp_path, capsys):
    problems, samples, expected = synthetic
    store = tmp_path / "store"
    assert (
        main(
            [
                "judge",
                "--problems",
                str(problems),
                "--samples",
                str(samples),
                "--out",
                str(store),
                "--jobs",
                "2",
            ]
        )
        == 0
    )
    rows = pq.read_table(store / "samples.parquet").to_pylist()
    got = {(r["problem_id"], r["sample"]): 1.0 if r["verdict"] == "AC" else 0.0 for r in rows}
    assert got == expected
    assert main(["summary", str(store)]) == 0
    assert "student" in capsys.readouterr().out


def test_codefrontier_validate_accepts_the_teachers_references(synthetic, capsys):
    problems, _, _ = synthetic
    assert main(["validate", "--problems", str(problems), "--jobs", "2"]) == 0, capsys.readouterr()


def test_codefrontier_reward_rewards_the_written_samples(synthetic, tmp_path):
    problems, samples, expected = synthetic
    out = tmp_path / "rewards.jsonl"
    assert main(["reward", "--problems", str(problems), "--samples", str(samples), "--out", str(out)]) == 0
    got = {(r["problem_id"], r["sample"]): r["value"] for r in map(json.loads, out.read_text().splitlines())}
    assert got == expected


def test_the_trl_reward_reads_each_answer_with_its_environment(synthetic):
    problems, _, _ = synthetic
    reward = SynthReward(problems_file=problems, jobs=2)
    try:
        ids, completions, want = [], [], []
        for t in load_tasks(problems):
            env = get_environment(t.env)
            for text, value in [(env.correct_answer(t), 1.0), (WRONG[t.env], 0.0), ("no answer", 0.0)]:
                ids.append(t.id)
                completions.append([{"role": "assistant", "content": text}])  # a conversational dataset
                want.append(value)
        assert reward(prompts=None, completions=completions, problem_id=ids) == want
    finally:
        reward.close()


def test_the_verl_reward_reads_the_answer_with_its_environment(synthetic):
    problems, _, _ = synthetic
    good = compute_score("synth", outputs_block(["[1, 2]", "[5]", "[]", "[7, 8, 9]", "[1]"]), "t-deduction",
                         problems_file=str(problems), jobs=1)  # fmt: skip
    assert good["score"] == 1.0 and good["readable"] == 1.0
    unreadable = compute_score(
        "synth", "I think it returns a list.", "t-deduction", problems_file=str(problems)
    )
    assert unreadable == {"score": 0.0, "passed": 0.0, "readable": 0.0}


@pytest.mark.slow
def test_codefrontier_report_reads_a_store_of_synthetic_problems(synthetic, tmp_path):
    problems, samples, _ = synthetic
    store = tmp_path / "store"
    assert (
        main(
            [
                "judge",
                "--problems",
                str(problems),
                "--samples",
                str(samples),
                "--out",
                str(store),
                "--jobs",
                "2",
            ]
        )
        == 0
    )
    assert main(["report", str(store), "--out", str(tmp_path / "report")]) == 0
    assert (tmp_path / "report" / "index.html").exists()
