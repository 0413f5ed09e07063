"""Fixtures of the programs tests: one sandbox worker for the module, the package's
calculator fixture, and the bundled references."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codefrontier.programs.runner import ProgramRunner
from codefrontier.programs.tasks import load_tasks, programbench_tasks_dir

CALCULATOR = "testorg__calculator.abc1234"


@pytest.fixture(scope="module")
def runner() -> Iterator[ProgramRunner]:
    with ProgramRunner() as r:
        yield r


@pytest.fixture(scope="session")
def calculator():
    return load_tasks("programbench", only=[CALCULATOR])[0]


@pytest.fixture(scope="session")
def fixture_runs() -> Path:
    return programbench_tasks_dir().parent / "test_runs"
