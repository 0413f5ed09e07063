"""Curriculum schedules as data, the step-aware sampler, the trainer datasets and the
GRPO advantage helper."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from pathlib import Path

import pytest

from codefrontier.cli import main
from codefrontier.errors import CodefrontierError, InputError
from codefrontier.synth.curriculum import (
    SCHEDULES,
    CurriculumDataset,
    CurriculumSampler,
    curriculum_rows,
    grouped_advantages,
    grpo_advantages,
    load_schedule,
)

PROBLEMS = {"easy": ["e1", "e2", "e3"], "medium": ["m1", "m2"], "hard": ["h1"]}


def test_the_named_schedules_have_the_published_weights():
    soft = SCHEDULES["soft"]
    assert soft.weights_at(0) == pytest.approx({"easy": 0.80, "medium": 0.15, "hard": 0.05})
    assert soft.weights_at(7_499) == soft.weights_at(0)
    assert soft.weights_at(7_500) == pytest.approx({"easy": 0.15, "medium": 0.80, "hard": 0.05})
    assert soft.weights_at(17_500) == pytest.approx({"easy": 0.15, "medium": 0.40, "hard": 0.45})
    assert soft.weights_at(30_000) == pytest.approx({"easy": 0.05, "medium": 0.15, "hard": 0.80})
    hard = SCHEDULES["hard"]
    assert [hard.weights_at(s)["hard"] for s in (0, 7_500, 17_500, 99_999)] == pytest.approx(
        [0.05, 0.05, 0.9, 0.9]
    )
    assert SCHEDULES["uniform"].weights_at(123) == pytest.approx(
        {"easy": 1 / 3, "medium": 1 / 3, "hard": 1 / 3}
    )
    assert set(SCHEDULES) == {"uniform", "soft", "hard", "classic", "reverse", "medium-easy"}


@pytest.mark.parametrize("step", [0, 8_000, 20_000, 31_000])
def test_the_sampler_draws_bins_with_the_schedules_weights(step):
    sampler = CurriculumSampler(PROBLEMS, SCHEDULES["soft"], seed=7)
    n = 20_000
    counts = Counter(name for name, _ in sampler.draw(step, n))
    for name, weight in SCHEDULES["soft"].weights_at(step).items():
        sd = math.sqrt(n * weight * (1 - weight))
        assert abs(counts[name] - n * weight) <= 4 * sd + 1, (name, counts)
    within = Counter(pid for name, pid in sampler.draw(step, n) if name == "easy")
    assert set(within) == {"e1", "e2", "e3"} and min(within.values()) > 0.25 * sum(within.values())


def test_draws_are_deterministic_for_a_seed_and_step():
    a = CurriculumSampler(PROBLEMS, SCHEDULES["hard"], seed=1)
    b = CurriculumSampler(PROBLEMS, SCHEDULES["hard"], seed=1)
    assert a.draw(100, 50) == b.draw(100, 50)
    assert a.draw(100, 50) != a.draw(101, 50)
    assert a.draw(100, 50) != CurriculumSampler(PROBLEMS, SCHEDULES["hard"], seed=2).draw(100, 50)


def test_bins_without_problems_share_their_weight_out():
    sampler = CurriculumSampler({"easy": ["e"], "medium": [], "hard": ["h"]}, SCHEDULES["soft"], seed=0)
    assert sampler.weights(8_000) == pytest.approx({"easy": 0.75, "hard": 0.25})


def test_a_user_schedule_is_read_from_toml(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        'name = "mine"\n[[phase]]\nstart = 0\nweights = { easy = 3, hard = 1 }\n'
        "[[phase]]\nstart = 100\nweights = { easy = 0, hard = 1 }\n"
    )
    schedule = load_schedule(path)
    assert schedule.name == "mine" and schedule.weights_at(50) == {"easy": 0.75, "hard": 0.25}
    assert schedule.weights_at(100) == {"easy": 0.0, "hard": 1.0}


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[[phase]]\nstart = -1\nweights = { easy = 1 }\n", "phase[0].start"),
        ("[[phase]]\nstart = 0\nweights = { easy = -1 }\n", "phase[0].weights.easy"),
        ("[[phase]]\nstart = 0\nweights = 3\n", "phase[0].weights"),
        ('name = "x"\n', "phase"),
        ("[[phase]]\nstart = 5\nweights = { easy = 1 }\n", "phase"),  # must start at 0
    ],
)
def test_a_bad_schedule_file_names_the_field(tmp_path, text, field):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_schedule(path)
    assert caught.value.field == field and str(path) in str(caught.value)


def test_the_dataset_lays_out_rows_step_by_step():
    sampler = CurriculumSampler(PROBLEMS, SCHEDULES["classic"], seed=3)
    rows = {pid: {"prompt": f"solve {pid}"} for ids in PROBLEMS.values() for pid in ids}
    dataset = CurriculumDataset(sampler, rows, prompts_per_step=4, steps=20_000)
    assert len(dataset) == 80_000
    first, late = dataset[0], dataset[4 * 18_000 + 1]
    assert first["step"] == 0 and first["bin"] == "easy" and first["prompt"] == f"solve {first['problem_id']}"
    assert late["step"] == 18_000 and late["bin"] == "hard" and late["problem_id"] == "h1"
    streamed = list(curriculum_rows(sampler, rows, prompts_per_step=4, steps=3))
    assert streamed == [dataset[i] for i in range(12)]
    hf = CurriculumDataset(sampler, rows, prompts_per_step=2, steps=3).to_hf()
    assert hf.num_rows == 6 and set(hf.column_names) >= {"prompt", "problem_id", "bin", "step"}


def test_the_verl_sampler_yields_indices_by_the_schedule():
    from codefrontier.synth.verl_sampler import CurriculumSampler as VerlSampler

    data = [{"bin": "easy"}, {"extra_info": {"bin": "hard"}}, {"bin": "easy"}]
    sampler = VerlSampler(
        data, {"train_batch_size": 8, "curriculum": {"schedule": "classic", "steps": 20_000}}
    )
    assert len(sampler) == 160_000
    assert set(itertools.islice(sampler, 16)) <= {0, 2}  # steps 0 and 1: easy rows only
    sampler.start_step = 19_998  # a resumed trainer
    late = list(sampler)
    assert len(late) == len(sampler) == 16 and set(late) == {1}


def test_the_grpo_advantage_is_reward_minus_the_group_mean():
    assert grpo_advantages([1.0, 0.0, 0.0, 1.0]) == [0.5, -0.5, -0.5, 0.5]
    assert grpo_advantages([1.0, 1.0]) == [0.0, 0.0]  # no standard-deviation division: no NaN either
    assert grpo_advantages([1.0, None, 0.0]) == [0.5, None, -0.5]  # a missing reward stays missing
    assert grouped_advantages([1, 0, 0, 0], 2) == [0.5, -0.5, 0.0, 0.0]
    with pytest.raises(CodefrontierError):
        grouped_advantages([1, 0, 1], 2)


def test_curriculum_show_prints_the_phases_and_plots_them(tmp_path, capsys):
    out = tmp_path / "soft.png"
    assert main(["curriculum", "show", "soft", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "from step    7500: easy 0.15  medium 0.80  hard 0.05" in text
    assert out.read_bytes().startswith(b"\x89PNG")
    path = tmp_path / "mine.toml"
    path.write_text("[[phase]]\nstart = 0\nweights = { a = 1, b = 1 }\n")
    assert main(["curriculum", "show", str(path)]) == 0
    assert Path(tmp_path / "mine.png").exists()
