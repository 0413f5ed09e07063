"""Seeds: code snippets from a corpus (deterministic for a seed) and solved problems
from a results store."""

from __future__ import annotations

import pytest

from codefrontier.cli import main
from codefrontier.errors import ConfigError
from codefrontier.problems.io import write_jsonl_atomic
from codefrontier.synth.seeds import default_corpus, snippet_seeds, solved_seeds


def test_snippets_are_25_to_50_consecutive_lines_of_the_corpus_and_repeat_for_a_seed():
    seeds = snippet_seeds(None, 12, seed=5)
    assert seeds == snippet_seeds(None, 12, seed=5)
    assert seeds != snippet_seeds(None, 12, seed=6)
    for seed in seeds:
        path, lines = seed.source.rsplit(":", 1)
        first, last = map(int, lines.split("-"))
        assert 25 <= last - first + 1 <= 50
        text = (default_corpus() / path).read_text(encoding="utf-8").splitlines()
        assert seed.text == "\n".join(text[first - 1 : last])
        assert not path.startswith("test/")  # the standard library's own tests are left out


def test_a_corpus_folder_of_ones_own(tmp_path):
    (tmp_path / "a.py").write_text("\n".join(f"x{i} = {i}" for i in range(60)))
    (tmp_path / "short.py").write_text("y = 1\n")
    seeds = snippet_seeds(tmp_path, 3, seed=0)
    assert all(s.source.startswith("a.py:") for s in seeds)
    with pytest.raises(ConfigError):
        snippet_seeds(tmp_path / "missing", 1)


def test_solved_problems_come_from_a_results_store(tmp_path):
    problems = tmp_path / "problems.jsonl"
    write_jsonl_atomic(
        problems,
        [
            {"id": "inc", "kind": "function", "statement": "Add one.", "entry_point": "f",
             "tests": [{"id": "0", "input": [1], "output": 2}]},
            {"id": "dec", "kind": "function", "statement": "Take one.", "entry_point": "f",
             "tests": [{"id": "0", "input": [1], "output": 0}]},
        ],
    )  # fmt: skip
    samples = tmp_path / "samples.jsonl"
    write_jsonl_atomic(
        samples,
        [
            {"problem_id": "inc", "policy": "m", "sample": 0, "code": "def f(x):\n    return x + 2\n"},
            {"problem_id": "inc", "policy": "m", "sample": 1, "code": "def f(x):\n    return x + 1\n"},
            {"problem_id": "dec", "policy": "m", "sample": 0, "code": "def f(x):\n    return x\n"},
        ],
    )
    store = tmp_path / "store"
    assert (
        main(
            [
                "judge",
                "--problems",
                str(problems),
                "--samples",
                str(samples),
                "--out",
                str(store),
                "--jobs",
                "1",
            ]
        )
        == 0
    )
    seeds = solved_seeds(store)
    assert [(s.id, s.kind, s.statement) for s in seeds] == [("solved-inc", "solved", "Add one.")]
    assert seeds[0].text == "def f(x):\n    return x + 1\n"  # the accepted sample, not the wrong one
