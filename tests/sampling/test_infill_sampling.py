"""`codefrontier sample --infill`: middles drawn from a completions endpoint in either
order, judged as prefix + middle + suffix, scored per split and order in the store."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from codefrontier.cli import main
from codefrontier.problems.humaneval_infilling import load_split
from codefrontier.sampling.infilling import CODE_LLAMA

from .openai_server import answer

TASKS = 4


@pytest.fixture(scope="module")
def tasks():
    return load_split("single")[:TASKS]


def _oracle(tasks, *, wrong: set[str] = frozenset()):
    """A model that writes each task's canonical middle (or `pass` for the `wrong` ones),
    recognizing the task by the suffix in its prompt."""

    def script(request: dict, index: int):
        prompt = request["prompt"]
        assert isinstance(prompt, str) and request["stop"] == [CODE_LLAMA.end]
        task = next(t for t in tasks if t.suffix in prompt and t.starter_code in prompt)
        middle = "    pass\n" if task.id in wrong else task.metadata["canonical_middle"]
        return answer(middle)

    return script


def _sample(server, tasks, out: Path, order: str) -> int:
    return main(
        ["sample", "--model", server.url, "--benchmark", "humaneval-infilling-single", "--infill",
         "--order", order, "--n", "1", "--out", str(out), "--no-progress",
         "--problem-ids", *[t.id for t in tasks]]
    )  # fmt: skip


def test_infill_samples_carry_order_and_split_and_are_judged_per_split_and_order(serve, tasks, tmp_path):
    server = serve(_oracle(tasks, wrong={tasks[1].id}))
    out = tmp_path / "samples.jsonl"
    assert _sample(server, tasks, out, "psm") == 0
    assert _sample(server, tasks, out, "spm") == 0
    prompts = [r["prompt"] for r in server.requests]
    first = tasks[0]
    assert f"<PRE> {first.starter_code} <SUF>{first.suffix} <MID>" in prompts
    assert f"<PRE> <SUF>{first.suffix} <MID> {first.starter_code}" in prompts

    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 2 * TASKS
    assert {(r["policy"], json.dumps(r["policy_meta"], sort_keys=True)) for r in lines} == {
        ("loopback-model-psm", '{"infill_order": "psm", "infill_split": "single"}'),
        ("loopback-model-spm", '{"infill_order": "spm", "infill_split": "single"}'),
    }
    one = next(r for r in lines if r["problem_id"] == first.id)
    assert one["raw"] == first.metadata["canonical_middle"]
    assert one["code"] == first.program_for_completion(first.metadata["canonical_middle"])

    store = tmp_path / "run"
    code = main(
        [
            "judge",
            "--benchmark",
            "humaneval-infilling-single",
            "--samples",
            str(out),
            "--out",
            str(store),
            "--no-progress",
        ]
    )
    assert code == 0
    scores = duckdb.sql(
        f"select benchmark, json_extract_string(policy_meta, '$.infill_order') as o, "
        f"avg((verdict = 'AC')::int) from '{store}/samples.parquet' group by all order by o"
    ).fetchall()
    assert scores == [
        ("humaneval-infilling-single", "psm", (TASKS - 1) / TASKS),
        ("humaneval-infilling-single", "spm", (TASKS - 1) / TASKS),
    ]


def test_rerunning_infill_sampling_draws_nothing_new(serve, tasks, tmp_path):
    server = serve(_oracle(tasks))
    out = tmp_path / "samples.jsonl"
    assert _sample(server, tasks, out, "spm") == 0
    asked = len(server.requests)
    assert _sample(server, tasks, out, "spm") == 0
    assert len(server.requests) == asked


def test_infill_on_a_benchmark_without_suffixes_is_refused(serve, tmp_path, capsys):
    server = serve(lambda request, index: answer(""))
    code = main(
        [
            "sample",
            "--model",
            server.url,
            "--benchmark",
            "bundled",
            "--infill",
            "--out",
            str(tmp_path / "s.jsonl"),
        ]
    )
    assert code == 2
    assert "fill-in-the-middle benchmark" in capsys.readouterr().err
    assert server.requests == []
