"""The pipeline against a local checkpoint (transformers, in this process): a tiny random
Llama writes nonsense, so every summary falls back to the deterministic one and every
vote is an abstention, and the run still ends with every method scored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codefrontier.sampling.samplefile import read_records
from codefrontier.scaling import load_scaling_experiment, run_scaling
from codefrontier.scaling.run import _open_backends
from sampling.tiny_models import save_tiny_model


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_model(tmp_path_factory.mktemp("tiny") / "ckpt", 3)


@pytest.mark.slow
def test_a_local_checkpoint_serves_agent_summarizer_and_judge_from_one_backend(tmp_path, checkpoint):
    exp_file = tmp_path / "local.toml"
    exp_file.write_text(
        f"""\
methods = ["oracle", "best_of_n", "rtv", "pdr"]
benchmark = "bundled"
problems = ["rover-payload-knapsack"]

[agent]
model = "{checkpoint}"
engine = "transformers"
device = "cpu"
max_tokens = 24
max_turns = 1

[summarizer]
model = "{checkpoint}"
engine = "transformers"
device = "cpu"
max_tokens = 24
retries = 1

[judge]
max_tokens = 8

[scaling]
n = 2
k = 1
votes = 2
majority_inputs = 0

[sandbox]
jobs = 1
"""
    )
    exp = load_scaling_experiment(exp_file)
    backends, chosen = _open_backends(exp)
    assert chosen["agent"] is chosen["judge"] is chosen["summarizer"] and len(backends.by_spec) == 1

    run = run_scaling(exp_file)
    out = tmp_path / "local"
    assert run.failed_rollouts == 0 and run.drawn == 2 * 2 + 2  # the pool (N x 2, matched) and PDR's round
    rollouts = [r for _, r in read_records(out / "rollouts.jsonl")]
    assert {r["model"] for r in rollouts} == {"ckpt"}
    summaries = [r for _, r in read_records(out / "summaries.jsonl")]
    assert summaries and all(s["source"] == "fallback" and s["attempts"] == 2 for s in summaries)
    brackets = [r for _, r in read_records(out / "brackets.jsonl")]
    votes = [v for b in brackets for rnd in b["rounds"] for g in rnd for v in g["votes"]]
    assert votes and all(v["choice"] is None and v["abstention"] for v in votes)
    assert all(g["tie_broken"] for b in brackets for rnd in b["rounds"] for g in rnd)
    summary = json.loads((out / "summary.json").read_text())
    assert {p["method"] for p in summary["points"]} == {"oracle", "best_of_n", "rtv", "pdr"}
    assert any("never validated" in w for w in summary["warnings"])
    assert any("abstentions" in w for w in summary["warnings"])
