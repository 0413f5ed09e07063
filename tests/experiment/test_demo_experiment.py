"""The demo's experiment end to end on a tiny random model: the file the demo writes, a
supervised warm-up, two GRPO runs with codefrontier's nested-coverage rewards, the merge
sweep, sampling, judging and the report; a second run does no work; a run killed in the
middle resumes without redoing what was finished."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from codefrontier.demo import DemoPlan, write_experiment
from codefrontier.experiment.run import judge_cpu_seconds, run_experiment

from .tiny_policy import EVAL_IDS, TRAIN_IDS, save_tiny_policy, write_tiny_problems

ROOT = Path(__file__).resolve().parents[2]


def tiny_plan(**changes: object) -> DemoPlan:
    plan = DemoPlan(
        base="base",
        model="tiny",
        train_problems=TRAIN_IDS,
        eval_problems=EVAL_IDS,
        benchmark=None,
        problems_file="problems.jsonl",
        low_level=0.5,
        high_level=1.0,
        warmup_steps=2,
        warmup_lr=1e-2,
        steps=2,
        lr=1e-2,
        prompts_per_step=2,
        num_generations=4,
        max_completion_length=6,
        trainable_layers=None,
        alphas=[0.0, 1.0, 1.5],
        n=2,
        max_tokens=6,
        batch_size=4,
        k=[1, 2],
    )
    for key, value in changes.items():
        setattr(plan, key, value)
    return plan


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    save_tiny_policy(tmp_path / "base")
    write_tiny_problems(tmp_path / "problems.jsonl")
    return tmp_path


def test_the_demo_experiment_trains_merges_samples_judges_and_reports(demo_dir: Path) -> None:
    path = write_experiment(tiny_plan(), demo_dir / "experiment.toml")
    run = run_experiment(path, jobs=2)
    assert run.did == [
        "train:warmup",
        "train:rl-low",
        "train:rl-full",
        "merge",
        "sample:alpha_0",
        "sample:alpha_1",
        "sample:alpha_1.5",
        "judge",
        "report",
    ]
    for name in ("warmup", "rl-low", "rl-full"):
        assert (demo_dir / "train" / name / "config.json").is_file()
        log = [
            json.loads(line)
            for line in (demo_dir / "train" / "logs" / f"{name}.jsonl").read_text().splitlines()
        ]
        assert [line["step"] for line in log] == [1, 2]
    rl_log = [
        json.loads(line) for line in (demo_dir / "train" / "logs" / "rl-low.jsonl").read_text().splitlines()
    ]
    assert all(0.0 <= line["reward"] <= 1.0 for line in rl_log)
    manifest = json.loads((demo_dir / "manifest.json").read_text())
    assert manifest["stages"]["train"]["outputs"]["rl-full"]["status"] == "finished"
    assert manifest["runs"][-1]["status"] == "finished"
    assert run.report is not None and run.report.is_file()
    samples = (demo_dir / "samples" / "alpha_1.5.jsonl").read_text().splitlines()
    assert len(samples) == len(EVAL_IDS) * 2
    # the demo's timing line charges the judged programs' CPU from the store
    recorded = pq.read_table(demo_dir / "results" / "tests.parquet", columns=["cpu_s"]).column(0)
    assert (
        judge_cpu_seconds(demo_dir) == pytest.approx(sum(recorded.to_pylist()))
        and sum(recorded.to_pylist()) > 0
    )

    again = run_experiment(path, jobs=2)
    assert again.did == []


def test_a_changed_training_setting_is_refused_rather_than_mixed(demo_dir: Path) -> None:
    path = write_experiment(tiny_plan(warmup_steps=0, alphas=[0.0]), demo_dir / "experiment.toml")
    run_experiment(path, jobs=2)
    write_experiment(tiny_plan(warmup_steps=0, alphas=[0.0], steps=3), path)
    from codefrontier.errors import ConfigError

    with pytest.raises(ConfigError, match="trained from another start point or with other settings"):
        run_experiment(path, jobs=2)


@pytest.mark.slow
def test_a_demo_experiment_killed_while_sampling_resumes_where_it_stopped(demo_dir: Path) -> None:
    path = write_experiment(
        tiny_plan(n=6, max_tokens=40, alphas=[0.0, 0.5, 1.0]), demo_dir / "experiment.toml"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "codefrontier.cli",
            "experiment",
            "run",
            str(path),
            "--jobs",
            "2",
            "--no-progress",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    first = demo_dir / "samples" / "alpha_0.jsonl"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not (first.exists() and first.read_text().count("\n") >= 2):
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    manifest = json.loads((demo_dir / "manifest.json").read_text())
    assert manifest["stages"]["train"]["outputs"]["rl-full"]["status"] == "finished"
    kept = first.read_text().count("\n")
    run = run_experiment(path, jobs=2)
    assert not any(stage.startswith("train") for stage in run.did) and "judge" in run.did
    assert first.read_text().count("\n") == len(EVAL_IDS) * 6 >= kept
    manifest = json.loads((demo_dir / "manifest.json").read_text())
    assert manifest["runs"][-1]["status"] == "finished"
