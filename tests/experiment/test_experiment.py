"""`codefrontier experiment run`: merge, sample, judge and report under one directory, every
stage cached; and one clear error for each kind of bad experiment file."""

from __future__ import annotations

import json
import socket
import textwrap
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from codefrontier.cli import main
from codefrontier.errors import ConfigError, InputError
from codefrontier.experiment.run import check_experiment, run_experiment
from codefrontier.sampling.backends import EndpointError
from sampling.conftest import SOLUTIONS, problem_of
from sampling.openai_server import answer


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def mtimes(root: Path) -> dict[str, int]:
    return {
        str(p.relative_to(root)): p.stat().st_mtime_ns
        for p in root.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    "problem_source",
    [
        'problems_file = "problems.jsonl"\n        problems = ["shout", "add"]',
        'benchmark = "bundled"\n        problems = ["alloy-bar-fusion", "rover-payload-knapsack"]',
    ],
    ids=["problems-file", "bundled"],
)
def test_a_tiny_sweep_runs_end_to_end_and_a_second_run_does_no_work(
    tiny_pair: tuple[Path, Path], problems_file: Path, tmp_path: Path, problem_source: str
) -> None:
    low, high = tiny_pair
    exp = write(
        tmp_path / "sweep.toml",
        f"""
        name = "tiny frontier"
        {problem_source}

        [merge]
        low = "{low}"
        high = "{high}"
        alphas = [0.0, 0.5, 1.0]

        [sampling]
        setting = "reasoning"
        n = 2
        temperature = 1.0
        max_tokens = 16

        [judge]
        jobs = 1

        [report]
        k = [1, 2]
        """,
    )
    first = run_experiment(exp)
    out = tmp_path / "sweep"
    assert first.out == out and first.failed_samples == 0
    policies = ["alpha_0", "alpha_0.5", "alpha_1"]
    assert first.did == ["merge", *(f"sample:{p}" for p in policies), "judge", "report"]
    for policy in policies:
        assert (out / "checkpoints" / policy / "config.json").is_file()
        assert len((out / "samples" / f"{policy}.jsonl").read_text().splitlines()) == 4
        assert (out / "samples" / f"{policy}.trajectories.jsonl").is_file()
        assert (out / "samples" / f"{policy}.sampling.json").is_file()
    rows = pq.read_table(out / "results" / "samples.parquet").to_pylist()
    assert len(rows) == 12 and not any(r["verdict"] == "AC" for r in rows)  # junk from random weights
    assert {r["policy"]: json.loads(r["policy_meta"])["alpha"] for r in rows} == {
        "alpha_0": 0.0,
        "alpha_0.5": 0.5,
        "alpha_1": 1.0,
    }
    assert (out / "report" / "index.html").is_file() and first.report == out / "report" / "index.html"
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["stages"]) == {"merge", "sample", "judge", "report"}
    assert manifest["versions"]["codefrontier"] and manifest["versions"]["transformers"]
    assert manifest["experiment"]["sha256"] and (out / "experiment.toml").read_text() == exp.read_text()

    before = mtimes(out)
    second = run_experiment(exp)
    assert second.did == [] and second.report == first.report
    assert mtimes(out) == before
    assert len(json.loads((out / "manifest.json").read_text())["runs"]) == 2


@pytest.mark.slow
def test_endpoints_and_sample_files_serve_as_policies(serve, problems_file: Path, tmp_path: Path) -> None:
    server = serve(lambda request, i: answer(SOLUTIONS[problem_of(request)]))
    theirs = tmp_path / "theirs.jsonl"
    theirs.write_text(
        "".join(
            json.dumps({"problem_id": pid, "policy": "x", "sample": i, "code": "print('no')"}) + "\n"
            for pid in ("shout", "add")
            for i in range(2)
        )
    )
    exp = write(
        tmp_path / "served.toml",
        f"""
        problems_file = "problems.jsonl"
        out = "runs/served"

        [[policies]]
        name = "served"
        endpoint = "{server.url}"
        meta = {{ alpha = 0.5 }}

        [[policies]]
        name = "theirs"
        samples = "theirs.jsonl"
        meta = {{ alpha = 1.0 }}

        [sampling]
        setting = "agent"
        n = 2
        """,
    )
    run = run_experiment(exp)
    out = tmp_path / "runs" / "served"
    assert run.did == ["sample:served", "judge", "report"]
    rows = pq.read_table(out / "results" / "samples.parquet").to_pylist()
    verdicts = {(r["policy"], r["verdict"]) for r in rows}
    assert verdicts == {("served", "AC"), ("theirs", "WA")}
    assert {json.loads(r["policy_meta"])["alpha"] for r in rows if r["policy"] == "theirs"} == {1.0}
    assert run_experiment(exp).did == []


@pytest.mark.slow
def test_a_named_benchmark_with_a_problem_subset(serve, tmp_path: Path) -> None:
    solution = "```python\ndef has_close_elements(numbers, threshold):\n    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])\n```"
    server = serve(lambda request, i: answer(solution))
    exp = write(
        tmp_path / "he.toml",
        f"""
        benchmark = "humaneval"
        problems = ["HumanEval/0"]

        [[policies]]
        name = "served"
        endpoint = "{server.url}"

        [sampling]
        setting = "reasoning"
        n = 1
        """,
    )
    run = run_experiment(exp)
    rows = pq.read_table(run.out / "results" / "samples.parquet").to_pylist()
    assert [(r["problem_id"], r["verdict"]) for r in rows] == [("HumanEval/0", "AC")]
    assert "Complete the following Python 3 function." in server.requests[0]["messages"][1]["content"]


# -- bad input: one clear message each, before any work ------------------------------------
MINIMAL = """
problems_file = "problems.jsonl"

[[policies]]
name = "p"
samples = "theirs.jsonl"

[sampling]
setting = "reasoning"
n = 1
"""


def run_cli(path: Path, capsys) -> str:
    assert main(["experiment", "run", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    return err


def test_an_unknown_key_names_the_key_the_file_and_the_line(
    problems_file: Path, tmp_path: Path, capsys
) -> None:
    exp = write(tmp_path / "e.toml", MINIMAL.replace("n = 1", "n = 1\ntemprature = 0.5"))
    err = run_cli(exp, capsys)
    assert f"{exp}:10: field 'sampling.temprature': unknown key 'temprature' in [sampling]" in err
    assert "known keys:" in err and "temperature" in err
    assert not (tmp_path / "e").exists()


def test_a_missing_field_is_named(problems_file: Path, tmp_path: Path, capsys) -> None:
    exp = write(tmp_path / "e.toml", MINIMAL.replace("n = 1", ""))
    assert f"{exp}:7: field 'sampling.n': missing (samples per problem and policy)" in run_cli(exp, capsys)


def test_a_checkpoint_path_that_does_not_exist_is_named(problems_file: Path, tmp_path: Path, capsys) -> None:
    exp = write(
        tmp_path / "e.toml",
        MINIMAL + '\n[merge]\nlow = "ckpt/low"\nhigh = "ckpt/high"\nalphas = [0.5]\n',
    )
    err = run_cli(exp, capsys)
    assert f"{exp}:12: field 'merge.low': {tmp_path / 'ckpt/low'} does not exist" in err


def test_a_merge_output_dtype_the_merge_would_refuse_is_named_before_any_work(
    tiny_pair: tuple[Path, Path], problems_file: Path, tmp_path: Path, capsys
) -> None:
    low, high = tiny_pair
    (tmp_path / "theirs.jsonl").write_text('{"problem_id": "shout", "policy": "p", "code": "print(1)"}\n')
    merge = f'\n[merge]\nlow = "{low}"\nhigh = "{high}"\nalphas = [0.5]\nout_dtype = "float8"\n'
    exp = write(tmp_path / "e.toml", MINIMAL + merge)
    err = run_cli(exp, capsys)
    assert f"{exp}:15: field 'merge.out_dtype': 'float8': choose one of float32" in err
    assert not (tmp_path / "e").exists()


def test_an_unreachable_endpoint_stops_the_run_before_anything_is_merged(
    tiny_pair: tuple[Path, Path], problems_file: Path, tmp_path: Path
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    low, high = tiny_pair
    exp = write(
        tmp_path / "e.toml",
        f"""
        problems_file = "problems.jsonl"
        [merge]
        low = "{low}"
        high = "{high}"
        alphas = [0.5]
        [[policies]]
        name = "remote"
        endpoint = "http://127.0.0.1:{port}/v1"
        [sampling]
        setting = "reasoning"
        n = 1
        """,
    )
    with pytest.raises(EndpointError, match=rf"policy 'remote': cannot reach http://127.0.0.1:{port}/v1"):
        run_experiment(exp)
    assert not (tmp_path / "e").exists()


def test_unknown_problem_ids_and_invalid_toml_are_named(problems_file: Path, tmp_path: Path) -> None:
    (tmp_path / "theirs.jsonl").write_text('{"problem_id": "add", "code": "print(3)"}\n')
    exp = write(
        tmp_path / "e.toml",
        MINIMAL.replace(
            'problems_file = "problems.jsonl"', 'problems_file = "problems.jsonl"\nproblems = ["add", "nope"]'
        ),
    )
    with pytest.raises(InputError, match=r"field 'problems': unknown problem id\(s\) 'nope'"):
        check_experiment(exp)
    broken = write(tmp_path / "b.toml", "a = 1\nb = = 2\n")
    with pytest.raises(InputError, match=r"b.toml:2: not valid TOML"):
        check_experiment(broken)


def test_experiment_check_reports_ok(problems_file: Path, tmp_path: Path, capsys) -> None:
    (tmp_path / "theirs.jsonl").write_text('{"problem_id": "add", "code": "print(3)"}\n')
    exp = write(tmp_path / "e.toml", MINIMAL)
    assert main(["experiment", "check", str(exp)]) == 0
    assert "ok: 0 merged and 1 other policies" in capsys.readouterr().out


@pytest.mark.slow
def test_task_arithmetic_merges_only_new_outputs_and_refuses_changed_inputs(
    problems_file: Path, tmp_path: Path
) -> None:
    from sampling.tiny_models import build_tokenizer, save_tiny_model

    tokenizer = build_tokenizer()
    for seed, name in enumerate(("base", "code", "math")):
        save_tiny_model(tmp_path / name, seed, tokenizer)
    text = """
        problems_file = "problems.jsonl"
        problems = ["add"]
        [merge]
        base = "base"
        tasks = ["code", "math"]
        lambdas = [[0.5, 0.5]]
        [sampling]
        setting = "tools"
        n = 1
        max_tokens = 8
        [judge]
        jobs = 1
        """
    exp = write(tmp_path / "ta.toml", text)
    assert run_experiment(exp).did == ["merge", "sample:lambda_0.5_0.5", "judge", "report"]
    write(exp, text.replace("[[0.5, 0.5]]", "[[0.5, 0.5], [1.0, 0.0]]"))
    assert run_experiment(exp).did == ["merge", "sample:lambda_1_0", "judge", "report"]
    manifest = json.loads((tmp_path / "ta" / "manifest.json").read_text())
    assert manifest["stages"]["merge"]["outputs"]["lambda_1_0"]["lambdas"] == [1.0, 0.0]
    save_tiny_model(tmp_path / "math", 99, tokenizer)  # the input changes under the experiment
    with pytest.raises(ConfigError, match="holds checkpoints merged from other inputs"):
        run_experiment(exp)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (("n = 1", 'n = "two"'), "sampling.n", "must be an integer"),
        (("n = 1", "n = -3"), "sampling.n", ""),
        (("n = 1", "n = 2.5"), "sampling.n", "must be an integer"),
        (('setting = "reasoning"', "setting = 3"), "sampling.setting", ""),
    ],
)
def test_values_of_the_wrong_type_or_range_are_named(
    problems_file: Path, tmp_path: Path, capsys, change: tuple[str, str], field: str, message: str
) -> None:
    (tmp_path / "theirs.jsonl").write_text('{"problem_id": "shout", "policy": "p", "code": "print(1)"}\n')
    exp = write(tmp_path / "e.toml", MINIMAL.replace(*change))
    err = run_cli(exp, capsys)
    assert f"field '{field}'" in err and message in err
    assert not (tmp_path / "e").exists()


@pytest.mark.parametrize(
    ("alphas", "message"),
    [
        ("[0.5, 0.0, 0.5]", "given twice"),
        ("[0.5, nan]", "numbers"),
        ('[0.5, "x"]', "numbers"),
        ("[]", "at least one"),
    ],
)
def test_duplicated_or_malformed_alphas_are_named_and_unordered_ones_are_fine(
    tiny_pair: tuple[Path, Path], problems_file: Path, tmp_path: Path, capsys, alphas: str, message: str
) -> None:
    low, high = tiny_pair
    (tmp_path / "theirs.jsonl").write_text('{"problem_id": "shout", "policy": "p", "code": "print(1)"}\n')
    merge = f'\n[merge]\nlow = "{low}"\nhigh = "{high}"\nalphas = {alphas}\n'
    err = run_cli(write(tmp_path / "e.toml", MINIMAL + merge), capsys)
    assert "field 'merge.alphas'" in err and message in err, err
    ok = write(
        tmp_path / "ok.toml",
        MINIMAL + f'\n[merge]\nlow = "{low}"\nhigh = "{high}"\nalphas = [1.0, 0.0, 0.5]\n',
    )
    assert main(["experiment", "check", str(ok)]) == 0
