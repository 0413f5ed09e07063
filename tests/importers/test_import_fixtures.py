"""The checked-in fixtures are what make_fixtures.py writes, and known_solutions.json (the
known-correct and known-wrong programs for the judge tests) matches the converted problems."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pyarrow.parquet as pq
from importer_helpers import FIXTURES

from codefrontier.problems.importers import import_dataset


def _make_fixtures():
    spec = importlib.util.spec_from_file_location("importer_make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_checked_in_fixtures_are_what_the_generator_writes(tmp_path: Path) -> None:
    _make_fixtures().write_all(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in FIXTURES.iterdir() if p.name != "make_fixtures.py")
    for name in written:
        if name.endswith(".parquet"):
            assert pq.read_table(tmp_path / name).equals(pq.read_table(FIXTURES / name))
        else:
            assert (tmp_path / name).read_text() == (FIXTURES / name).read_text(), name


def test_known_solutions_cover_each_kind_of_each_fixture_with_a_correct_and_a_wrong_program() -> None:
    known = json.loads((FIXTURES / "known_solutions.json").read_text())
    problems = {}
    for entry in known:
        key = (entry["fixture"], entry["problem_id"])
        if entry["fixture"] not in problems:
            converted = import_dataset(entry["format"], FIXTURES / entry["fixture"]).problems
            problems[entry["fixture"]] = {p.id: p for p in converted}
        problem = problems[entry["fixture"]][entry["problem_id"]]
        assert problem.kind.value == entry["kind"], key
        assert entry["expected"] in ("AC", "WA") and entry["language"] in ("python", "cpp")
    covered = {(e["format"], e["kind"], e["expected"]) for e in known}
    for fmt, kinds in {
        "livecodebench": ("stdio", "function"),
        "codecontests": ("stdio",),
        "apps": ("stdio", "function"),
        "taco": ("stdio", "function"),
        "mbpp": ("assert",),
    }.items():
        for kind in kinds:
            assert {(fmt, kind, "AC"), (fmt, kind, "WA")} <= covered, (fmt, kind)
