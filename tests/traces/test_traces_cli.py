"""The commands: trace, debug, traces build|eval, cruxeval score|predict (generate's model
side is the sampling backends'; its prompts and post-processing are tested in test_cruxeval)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from codefrontier.cli import main
from sampling.openai_server import MODEL, LoopbackServer, answer

PROGRAM = "def f(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total\n"


@pytest.fixture()
def program(tmp_path: Path) -> Path:
    path = tmp_path / "prog.py"
    path.write_text(PROGRAM)
    return path


def test_trace_prints_the_cwm_trace_or_json(program: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", str(program), "--call", "f([1, 2])"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<|trace_context_start|>def f(xs):  # << START_OF_TRACE\n")
    assert out.rstrip().endswith('<|return_sep|><|action_sep|>    return total\n<|arg_sep|>"3"<|frame_sep|>')
    assert main(["trace", str(program), "--call", "f([1, 2])", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outcome"] == "returned" and data["value"] == "3" and len(data["events"]) == 9


def test_trace_says_why_a_trace_did_not_finish(program: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", str(program), "--call", "f(range(10**9))", "--max-events", "30"]) == 1
    assert "ended limit: the trace passed 30 events" in capsys.readouterr().err
    assert main(["trace", str(program), "--call", "g()"]) == 1
    assert "names no function" in capsys.readouterr().err
    assert main(["trace", str(program.parent / "missing.py"), "--call", "f()"]) == 2


def test_debug_answers_from_real_execution(
    program: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = iter(["n", "n", "p total", "b 4", "c", "p", "rbreak 4", "ro", "out", "q"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(commands))
    assert main(["debug", str(program), "--call", "f([5, 6])"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == [
        "-> [call] def f(xs):",
        "-> [line]     total = 0",
        "-> [line]     for x in xs:",
        "0",
        "-> [line]         total += x",
        "-> [line]         total += x",
        "{'xs': '[5, 6]', 'total': '5', 'x': '6'}",
        "-> [line]         total += x",
        "-> [call] def f(xs):",
        "-> [return]     return total",
        "   return value: 11",
    ]


def test_debug_with_a_model_reports_decoding_errors(
    program: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = iter(["s", "q"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(commands))
    with LoopbackServer(lambda request, i: answer("not a frame")) as server:
        assert (
            main(["debug", str(program), "--call", "f([1])", "--model", server.url, "--model-name", MODEL])
            == 0
        )
    assert "decoding error: the model's frame does not parse" in capsys.readouterr().out


def test_traces_build_and_eval(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "programs"
    folder.mkdir()
    (folder / "prog.py").write_text("# call: f([1, 2, 3])\n" + PROGRAM)
    out = tmp_path / "ds"
    args = ["traces", "build", "--folder", str(folder), "--actions", "8", "--seed", "1", "--out", str(out)]
    assert main([*args, "--jsonl", "--jobs", "1"]) == 0
    assert "1 traces (returned 1), 1 trajectories, 8 transitions" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [
        "provenance.json", "traces.parquet", "trajectories.jsonl", "trajectories.parquet",
        "transitions.jsonl", "transitions.parquet",
    ]  # fmt: skip
    assert main(["traces", "eval", str(out), "--out", str(tmp_path / "acc.json")]) == 0
    accuracy = json.loads((tmp_path / "acc.json").read_text())
    assert all(cell["line"]["accuracy"] == 1.0 for cell in accuracy["by_action"].values())


def test_cruxeval_score_writes_the_original_format_and_a_results_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    generations = tmp_path / "gens.json"
    generations.write_text(
        json.dumps({"sample_2": ["'hbtofdeiequ'", "'x'"], "sample_3": ["f('bcksrut', 'q')"]})
    )
    out = tmp_path / "scored"
    assert main(["cruxeval", "score", str(generations), "--mode", "output", "--out", str(out)]) == 2
    assert "--partial" in capsys.readouterr().err
    assert (
        main(["cruxeval", "score", str(generations), "--mode", "output", "--out", str(out), "--partial"]) == 0
    )
    assert "pass@1: 25.0 pass@5: 100.0" in capsys.readouterr().out
    scored = json.loads((out / "scored.json").read_text())
    assert scored["raw_scored_generations"] == {"sample_2": [True, False], "sample_3": [False]}
    samples = pq.read_table(out / "samples.parquet").to_pylist()
    assert [(s["problem_id"], s["sample"], s["verdict"]) for s in samples] == [
        ("sample_2", 0, "AC"), ("sample_2", 1, "WA"), ("sample_3", 0, "WA"),
    ]  # fmt: skip
    assert samples[0]["policy"] == "gens" and samples[0]["benchmark"] == "cruxeval-output"
    assert "CruxEval's rule" in samples[2]["detail"]


def test_cruxeval_predict_with_the_oracle_says_it_is_exact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cruxeval", "predict", "--mode", "output", "--limit", "10", "--out", str(tmp_path)]) == 0
    assert "CruxEval-O by the debugger (the oracle (real execution)): pass@1 100.00 on 10 problems" in (
        capsys.readouterr().out
    )
    assert json.loads((tmp_path / "generations.json").read_text())["sample_3"] == ["'bcksrutq'"]


def test_cruxeval_generate_prompts_and_post_processes_as_the_original(tmp_path: Path) -> None:
    seen: list[dict] = []

    def script(request: dict, index: int):  # noqa: ANN202
        seen.append(request)
        return answer("assert f(17) == 17\n")

    out = tmp_path / "gen.json"
    with LoopbackServer(script) as server:
        args = ["cruxeval", "generate", "--model", server.url, "--model-name", MODEL, "--mode", "output"]
        assert main([*args, "--n", "2", "--limit", "3", "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == {f"sample_{i}": ["17", "17"] for i in range(3)}
    assert seen[0]["stop"] == ["[/ANSWER]"] and seen[0]["temperature"] == 0.2 and seen[0]["top_p"] == 0.95
    raw = json.loads((tmp_path / "gen_raw.json").read_text())
    assert raw["sample_0"][0].endswith("[/PYTHON]\n[ANSWER]\nassert f(17) == 17\n")
    assert not (tmp_path / "gen.json.partial.jsonl").exists()
