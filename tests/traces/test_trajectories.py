"""Trajectory datasets: deterministic for a seed, every transition valid under its tree,
the text form parses back, and the three kinds of sources."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from codefrontier.contracts import Problem, ProblemKind, Solution, TestCase
from codefrontier.errors import InputError
from codefrontier.problems.io import save_problems
from codefrontier.traces import TraceLimits, trace_from_json
from codefrontier.traces.cwm import format_frame, frames_of
from codefrontier.traces.trajectories import (
    Source,
    build_dataset,
    cruxeval_sources,
    folder_sources,
    parse_trajectory,
    problem_sources,
)
from codefrontier.traces.tree import StateTree, apply

from . import programs

SOURCES = [Source(name, code, call, "test") for name, (code, call) in sorted(programs.ALL.items())]


def rows(out: Path, name: str) -> list[dict]:
    """A table's rows, without the measured CPU time (the one field that differs between runs)."""
    return [
        {k: v for k, v in r.items() if k != "cpu_s"}
        for r in pq.read_table(out / f"{name}.parquet").to_pylist()
    ]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dataset")
    build_dataset(SOURCES + cruxeval_sources()[:12], out, actions=16, seed=3, jobs=2, jsonl=True)
    return out


def test_the_same_seed_gives_the_same_dataset(dataset: Path, tmp_path: Path) -> None:
    build_dataset(SOURCES + cruxeval_sources()[:12], tmp_path / "again", actions=16, seed=3, jobs=1)
    for name in ("transitions", "trajectories", "traces"):
        assert rows(tmp_path / "again", name) == rows(dataset, name)
    build_dataset(SOURCES, tmp_path / "other", actions=16, seed=4, jobs=2)
    assert [r["action"] for r in rows(tmp_path / "other", "transitions")] != [
        r["action"] for r in rows(dataset, "transitions") if r["origin"] == "test"
    ]


def test_every_transition_is_valid_under_its_tree(dataset: Path) -> None:
    traces = {r["source"]: trace_from_json(json.loads(r["trace"])) for r in rows(dataset, "traces")}
    transitions = rows(dataset, "transitions")
    for row in transitions:
        trace = traces[row["source"]]
        tree = StateTree.of(trace)
        assert apply(tree, row["from_state"], row["action"], json.loads(row["arg"])) == row["to_state"]
        assert row["target"] == format_frame(frames_of(trace)[row["to_state"]])
        assert row["skipped"] == abs(row["to_state"] - row["from_state"]) - 1
    assert {r["action"] for r in transitions} == {
        "step_into", "step_over", "step_return", "breakpoint", "continue",
        "inv_step_into", "inv_step_over", "inv_step_return", "inv_breakpoint",
    }  # fmt: skip


def test_a_mixed_trajectory_takes_every_action_asked(dataset: Path) -> None:
    trajectories = rows(dataset, "trajectories")
    assert len(trajectories) == len(SOURCES) + 12
    assert all(t["steps"] == 16 for t in trajectories)


def test_the_text_form_parses_back_into_the_transitions(dataset: Path) -> None:
    transitions = rows(dataset, "transitions")
    for trajectory in rows(dataset, "trajectories"):
        context, start, steps = parse_trajectory(trajectory["text"])
        mine = [r for r in transitions if r["source"] == trajectory["source"]]
        assert [(a, json.dumps(list(g) if isinstance(g, tuple) else g)) for a, g, _ in steps] == [
            (r["action"], r["arg"]) for r in mine
        ]
        assert [format_frame(f) for _, _, f in steps] == [r["target"] for r in mine]
        assert all(trajectory["text"].startswith(r["prompt"]) for r in mine)
        assert "# << START_OF_TRACE" in context


def test_jsonl_copies_hold_the_same_rows(dataset: Path) -> None:
    lines = (dataset / "transitions.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == rows(dataset, "transitions")
    provenance = json.loads((dataset / "provenance.json").read_text())
    assert provenance["seed"] == 3 and provenance["counts"]["transitions"] == len(lines)
    assert provenance["limits"]["hash_seed"] == 0


def test_a_problems_file_gives_its_references_on_their_tests(tmp_path: Path) -> None:
    problem = Problem(
        id="double",
        kind=ProblemKind.FUNCTION,
        statement="double x",
        entry_point="double",
        tests=[TestCase("a", [2], 4), TestCase("b", [[1, 2]], [1, 2, 1, 2])],
        solutions=[
            Solution("ref", "python", "def double(x):\n    return x * 2\n"),
            Solution("bad", "python", "x", "WA"),
        ],
    )
    stdio = Problem(id="echo", kind=ProblemKind.STDIO, statement="", tests=[TestCase("t", "1\n", "1\n")])
    path = tmp_path / "p.jsonl"
    save_problems(path, [problem, stdio])
    from codefrontier.problems.io import load_problems

    sources, skipped = problem_sources(load_problems(path), "problems:p")
    assert [(s.id, s.call) for s in sources] == [
        ("double/ref/a", "double(2)"),
        ("double/ref/b", "double([1, 2])"),
    ]
    assert skipped == 1
    report = build_dataset(sources, tmp_path / "out", actions=4, jobs=1)
    assert report.traces == {"returned": 2} and report.transitions == 8


def test_a_folder_gives_each_file_its_calls(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("# call: f(1)\n# call: f(2)\ndef f(x):\n    return x + 1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.py").write_text("# call: g()\ndef g():\n    while True:\n        pass\n")
    sources = folder_sources(tmp_path)
    assert [(s.id, s.call) for s in sources] == [
        ("a.py:0", "f(1)"),
        ("a.py:1", "f(2)"),
        ("sub/b.py:0", "g()"),
    ]
    report = build_dataset(sources, tmp_path / "out", actions=4, jobs=1, limits=TraceLimits(max_events=200))
    assert report.unusable == 1 and report.traces == {"returned": 2, "limit": 1}
    reasons = {r["source"]: r["message"] for r in rows(tmp_path / "out", "traces")}
    assert "200 events" in reasons["sub/b.py:0"]
    (tmp_path / "c.py").write_text("def h():\n    return 0\n")
    with pytest.raises(InputError, match="call: EXPR"):
        folder_sources(tmp_path)
