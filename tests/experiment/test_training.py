"""Training on a tiny random model: the supervised warm-up and GRPO runs with
codefrontier's nested-coverage rewards publish whole checkpoints and one log line per
step; two coverage levels give two different checkpoints; a loss that stops being finite
stops the run with the last good weights and the log kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from safetensors.torch import load_file

from codefrontier.experiment.train import TrainingDiverged, TrainSettings, train_grpo, warm_up
from codefrontier.problems.io import load_problems

from .tiny_policy import TRAIN_IDS, save_tiny_policy, write_tiny_problems


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, list]:
    base = save_tiny_policy(tmp_path / "base")
    problems = [
        p for p in load_problems(write_tiny_problems(tmp_path / "problems.jsonl")) if p.id in TRAIN_IDS
    ]
    return base, problems


def weights(path: Path) -> dict:
    return load_file(path / "model.safetensors")


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_grpo_at_the_lowest_and_at_full_coverage_trains_two_different_checkpoints(
    tmp_path: Path, setup: tuple[Path, list]
) -> None:
    base, problems = setup
    settings = TrainSettings(steps=2, lr=1e-2, prompts_per_step=2, num_generations=4, max_completion_length=6)
    low = train_grpo(base, tmp_path / "rl-low", problems, 0.5, settings, log=tmp_path / "low.jsonl", jobs=2)
    full = train_grpo(
        base, tmp_path / "rl-full", problems, 1.0, settings, log=tmp_path / "full.jsonl", jobs=2
    )
    for result in (low, full):
        assert (result.path / "config.json").is_file() and (result.path / "tokenizer.json").is_file()
        log = lines(result.log)
        assert [line["step"] for line in log] == [1, 2]
        assert all(0.0 <= line["reward"] <= 1.0 and line["missing"] == 0.0 for line in log)
    start, a, b = weights(base), weights(low.path), weights(full.path)
    assert any(not a[k].equal(start[k]) for k in start)  # the runs moved the weights
    assert any(not a[k].equal(b[k]) for k in start)  # and differently
    record = json.loads((low.path / "codefrontier_train.json").read_text())
    assert record["kind"] == "grpo" and record["level"] == 0.5


def test_the_warm_up_learns_the_reference_answers(tmp_path: Path, setup: tuple[Path, list]) -> None:
    base, problems = setup
    settings = TrainSettings(steps=8, lr=3e-2, prompts_per_step=2)
    result = warm_up(base, tmp_path / "warmup", problems, settings, log=tmp_path / "warmup.jsonl")
    losses = [line["loss"] for line in lines(result.log)]
    assert len(losses) == 8 and losses[-1] < losses[0] / 2


def test_trainable_layers_leaves_the_earlier_layers_unchanged(
    tmp_path: Path, setup: tuple[Path, list]
) -> None:
    base, problems = setup
    settings = TrainSettings(steps=2, lr=1e-2, trainable_layers=1)
    result = warm_up(base, tmp_path / "warmup", problems, settings, log=tmp_path / "warmup.jsonl")
    start, after = weights(base), weights(result.path)
    changed = {k for k in start if not start[k].equal(after[k])}
    assert changed and all(k.startswith(("model.layers.1.", "model.norm.")) for k in changed)


def test_a_loss_that_is_not_finite_stops_training_and_keeps_what_was_done(
    tmp_path: Path, setup: tuple[Path, list]
) -> None:
    base, problems = setup
    settings = TrainSettings(
        steps=4, lr=1e30, prompts_per_step=2
    )  # the first step throws the weights far out
    out = tmp_path / "warmup"
    with pytest.raises(TrainingDiverged, match=r"diverged at step \d") as caught:
        warm_up(base, out, problems, settings, log=tmp_path / "warmup.jsonl")
    message = str(caught.value)
    assert "not finite" in message and "Lower the learning rate" in message
    assert not out.exists()  # nothing is published as if the run had finished
    kept = tmp_path / "warmup.diverged"
    assert (kept / "config.json").is_file() and str(kept) in message
    log = lines(tmp_path / "warmup.jsonl")
    assert log and all(line["loss"] == line["loss"] for line in log)  # the finished steps, all finite


def test_settings_out_of_range_are_named() -> None:
    from codefrontier.errors import ConfigError

    with pytest.raises(ConfigError, match="num_generations must be at least 2"):
        TrainSettings(num_generations=1)
    with pytest.raises(ConfigError, match="trainable_layers must be at least 1"):
        TrainSettings(trainable_layers=0)
