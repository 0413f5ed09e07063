"""`codefrontier reward` (a samples file in, one reward per sample out) and `serve`'s options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codefrontier.cli import main
from codefrontier.contracts import Problem
from codefrontier.problems.io import save_problems
from codefrontier.rewards import JudgePool
from codefrontier.rewards.server import running
from codefrontier.rewards.service import JudgeService

from .problems import PAIRWISE_NAIVE, PAIRWISE_REF, PAIRWISE_WA, fenced


@pytest.fixture
def files(tmp_path: Path, problems: list[Problem]) -> tuple[Path, Path]:
    problems_file = tmp_path / "problems.jsonl"
    save_problems(problems_file, problems)
    samples_file = tmp_path / "samples.jsonl"
    records = [
        {"problem_id": "pairwise-products", "policy": "ref", "code": fenced(PAIRWISE_REF)},
        {"problem_id": "pairwise-products", "policy": "naive", "code": PAIRWISE_NAIVE},
        {"problem_id": "pairwise-products", "policy": "wa", "code": PAIRWISE_WA},
    ]
    samples_file.write_text("".join(json.dumps(r) + "\n" for r in records))
    return problems_file, samples_file


def test_reward_command_writes_one_reward_per_sample(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    problems_file, samples_file = files
    out = tmp_path / "rewards.jsonl"
    code = main(
        [
            "reward",
            "--problems",
            str(problems_file),
            "--samples",
            str(samples_file),
            "--kind",
            "level",
            "--level",
            "medium",
            "--out",
            str(out),
            "--jobs",
            "1",
        ]
    )
    assert code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["policy"], r["value"], r["verdict"]) for r in rows] == [
        ("ref", 1.0, "AC"),
        ("naive", 1.0, "AC"),
        ("wa", 0.0, "WA"),
    ]
    assert "3 rewards (level, level medium): mean 0.6667; missing 0" in capsys.readouterr().out


def test_reward_command_can_use_a_running_service(
    files: tuple[Path, Path], problems: list[Problem], capsys: pytest.CaptureFixture[str]
) -> None:
    problems_file, samples_file = files
    service = JudgeService(problems, JudgePool.local(jobs=1))
    with running(service) as url:
        code = main(
            [
                "reward",
                "--problems",
                str(problems_file),
                "--samples",
                str(samples_file),
                "--level",
                "small",
                "--url",
                url,
            ]
        )
    assert code == 0
    assert "3 rewards (binary, level small): mean 0.6667; missing 0" in capsys.readouterr().out


def test_a_missing_reward_makes_the_command_fail(tmp_path: Path, problems: list[Problem]) -> None:
    problems_file = tmp_path / "problems.jsonl"
    save_problems(problems_file, problems)
    samples_file = tmp_path / "samples.jsonl"
    samples_file.write_text(json.dumps({"problem_id": "broken-checker", "code": "print(1)"}) + "\n")
    assert (
        main(["reward", "--problems", str(problems_file), "--samples", str(samples_file), "--jobs", "1"]) == 1
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--reward-kind", "level"], "--reward-level"),
        (["--efficiency-weight", "3"], "--efficiency-weight"),
        (["--max-queue", "0"], "--max-queue"),
        (["--token-file", "/nonexistent/token"], "--token-file"),
        (["--max-queue", "8", "--max-batch", "16"], "--max-batch 16 is above --max-queue 8"),
        (["--header-timeout", "0"], "--header-timeout"),
        (["--drain-timeout", "nan"], "--drain-timeout"),
        (["--max-body-mb", "-1"], "--max-body-mb"),
        (["--parse-budget-mb", "0"], "--parse-budget-mb"),
    ],
)
def test_serve_refuses_bad_options_before_starting(
    files: tuple[Path, Path], options: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    problems_file, _ = files
    assert main(["serve", "--problems", str(problems_file), *options]) == 2
    assert message in capsys.readouterr().err
