"""One local pool of two sandboxes, shared by the tests that only judge through it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from codefrontier.contracts import Problem
from codefrontier.rewards import JudgePool, Rewarder

from .problems import broken_checker_problem, constant_problem, pairwise_problem


@pytest.fixture(scope="session")
def problems() -> list[Problem]:
    return [
        pairwise_problem(),
        broken_checker_problem(),
        constant_problem("answer-42", "42"),
        constant_problem("answer-7", "7"),
    ]


@pytest.fixture(scope="session")
def pool() -> Iterator[JudgePool]:
    with JudgePool.local(jobs=2) as shared:
        yield shared


@pytest.fixture(scope="session")
def rewarder(problems: list[Problem], pool: JudgePool) -> Rewarder:
    return Rewarder(problems, pool=pool, benchmark="tests")
