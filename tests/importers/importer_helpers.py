"""Shared by the importer tests: the fixture directory, JSONL records read and written
as plain dicts, and an import's problems by id."""

from __future__ import annotations

import json
from pathlib import Path

from codefrontier.contracts import Problem
from codefrontier.problems.importers import import_dataset

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"


def read_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def write_records(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def problems_by_id(fmt: str, path: Path) -> dict[str, Problem]:
    return {p.id: p for p in import_dataset(fmt, path).problems}
