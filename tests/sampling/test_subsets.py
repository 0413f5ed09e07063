"""Quick runs on a subset, as lm-eval's --limit: `--limit N` and `--problem-ids` on
`sample`, `judge` and `experiment run`."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pyarrow.parquet as pq

from codefrontier.cli import main

from .conftest import SOLUTIONS, problem_of
from .openai_server import answer


def test_sample_with_a_limit_draws_only_the_first_problems(
    serve, problems_file: Path, tmp_path: Path
) -> None:
    server = serve(lambda request, i: answer(SOLUTIONS[problem_of(request)]))
    out = tmp_path / "s.jsonl"
    argv = ["sample", "--model", server.url, "--problems", str(problems_file), "--n", "2", "--out", str(out)]
    assert main([*argv, "--limit", "1", "--no-progress"]) == 0
    assert {json.loads(line)["problem_id"] for line in out.read_text().splitlines()} == {"shout"}
    assert main([*argv, "--problem-ids", "add", "--no-progress"]) == 0
    assert (
        sorted(json.loads(line)["problem_id"] for line in out.read_text().splitlines())
        == ["add"] * 2 + ["shout"] * 2
    )


def test_judge_with_problem_ids_and_a_limit_judges_only_those(tmp_path: Path, capsys) -> None:
    out = tmp_path / "runs"
    ids = ["HumanEval/3", "HumanEval/1", "HumanEval/2"]
    argv = ["judge", "--benchmark", "humaneval", "--solutions", "--out", str(out), "--no-progress"]
    assert main([*argv, "--problem-ids", *ids, "--limit", "2"]) == 0
    rows = pq.read_table(out / "samples.parquet").to_pylist()
    assert sorted(r["problem_id"] for r in rows) == ["HumanEval/1", "HumanEval/3"]
    assert main([*argv, "--problem-ids", "HumanEval/9999"]) == 2
    assert "--problem-ids: unknown in 'humaneval': HumanEval/9999" in capsys.readouterr().err


def test_experiment_run_with_a_limit_evaluates_only_the_first_problems(
    serve, problems_file: Path, tmp_path: Path
) -> None:
    server = serve(lambda request, i: answer(SOLUTIONS[problem_of(request)]))
    exp = tmp_path / "exp.toml"
    exp.write_text(
        textwrap.dedent(
            f"""
            problems_file = "{problems_file}"
            [[policies]]
            name = "served"
            endpoint = "{server.url}"
            [sampling]
            setting = "reasoning"
            n = 1
            """
        )
    )
    assert main(["experiment", "run", str(exp), "--limit", "1", "--no-progress"]) == 0
    rows = pq.read_table(tmp_path / "exp" / "results" / "samples.parquet").to_pylist()
    assert [(r["problem_id"], r["verdict"]) for r in rows] == [("shout", "AC")]
    assert main(["experiment", "run", str(exp), "--problem-ids", "add", "--no-progress"]) == 0
    rows = pq.read_table(tmp_path / "exp" / "results" / "samples.parquet").to_pylist()
    assert sorted(r["problem_id"] for r in rows) == ["add", "shout"]
