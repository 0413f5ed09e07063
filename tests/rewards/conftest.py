"""One local pool of two sandboxes, shared by the tests that only judge through it; node
pools (rewards.node_pool) coordinated in a runtime directory of the session's own."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from codefrontier.contracts import Problem
from codefrontier.problems.io import save_problems
from codefrontier.rewards import JudgePool, Rewarder
from codefrontier.rewards.node_pool import RUNTIME_DIR_ENV

from .problems import broken_checker_problem, constant_problem, pairwise_problem


@pytest.fixture(scope="session", autouse=True)
def runtime_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Node pools started by the tests are found and coordinated here, not in the user's
    runtime directory (subprocesses and Ray workers inherit the variable)."""
    path = tmp_path_factory.mktemp("runtime")
    path.chmod(0o700)
    previous = os.environ.get(RUNTIME_DIR_ENV)
    os.environ[RUNTIME_DIR_ENV] = str(path)
    yield path
    if previous is None:
        os.environ.pop(RUNTIME_DIR_ENV, None)
    else:
        os.environ[RUNTIME_DIR_ENV] = previous


@pytest.fixture(scope="session")
def problems() -> list[Problem]:
    return [
        pairwise_problem(),
        broken_checker_problem(),
        constant_problem("answer-42", "42"),
        constant_problem("answer-7", "7"),
    ]


@pytest.fixture(scope="session")
def problems_file(tmp_path_factory: pytest.TempPathFactory, problems: list[Problem]) -> Path:
    """The session's problems as a problems file, for trainers that are given a path."""
    path = tmp_path_factory.mktemp("problems") / "problems.jsonl"
    save_problems(path, problems)
    return path


@pytest.fixture(scope="session")
def pool() -> Iterator[JudgePool]:
    with JudgePool.local(jobs=2) as shared:
        yield shared


@pytest.fixture(scope="session")
def rewarder(problems: list[Problem], pool: JudgePool) -> Rewarder:
    return Rewarder(problems, pool=pool, benchmark="tests")
