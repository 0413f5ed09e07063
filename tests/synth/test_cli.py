"""`codefrontier synth generate` and `synth filter` from the command line."""

from __future__ import annotations

import json

from codefrontier.cli import main
from codefrontier.problems.io import load_problems

from .scripted import scripted


def test_generate_then_filter(serve, tmp_path, capsys):
    server = serve(scripted(start=2, solve_chance=lambda level: max(0.0, 1.0 - level / 8)))
    out = tmp_path / "run"
    args = ["synth", "generate", "--env", "induction", "--teacher", server.url, "--student", server.url,
            "--corpus", str(tmp_path / "corpus"), "--n", "2", "--turns", "2", "--attempts", "8", "--jobs", "2",
            "--max-retries", "0", "--out", str(out)]  # fmt: skip
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "code.py").write_text("\n".join(f"value_{i} = {i} * 2" for i in range(80)))
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "4 turns played (0 already done), 4 problems" in printed and "tokens this run: teacher" in printed
    problems = load_problems(out / "problems.jsonl")
    assert len(problems) == 4 and all(p.metadata["synth"]["env"] == "induction" for p in problems)
    assert main(args) == 0  # resumed: nothing to do
    assert "0 turns played (4 already done)" in capsys.readouterr().out
    filtered = tmp_path / "kept.jsonl"
    assert (
        main(["synth", "filter", str(out / "problems.jsonl"), "--bins", "broad", "--out", str(filtered)]) == 0
    )
    printed = capsys.readouterr().out
    kept = load_problems(filtered)
    # both seeds' conversations are the same problems: renamed copies and exact copies go
    assert 1 <= len(kept) < 4 and "duplicates dropped" in printed
    assert all(0.01 < p.metadata["synth"]["pass_rate"] < 0.97 for p in kept)
    assert all(p.difficulty == p.metadata["synth"]["bin"] for p in kept)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["turns"] == 4 and summary["env"] == "induction"


def test_a_bad_flag_value_is_an_error_that_names_it(tmp_path, capsys):
    assert main(["synth", "generate", "--env", "induction", "--teacher", "http://127.0.0.1:9", "--student",
                 "http://127.0.0.1:9", "--n", "0", "--out", str(tmp_path)]) == 2  # fmt: skip
    assert "--n must be at least 1" in capsys.readouterr().err
