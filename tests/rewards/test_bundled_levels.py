"""Nested levels on the bundled benchmark: for every problem, its naive (TLE-tagged) Python
solution earns the reward at a low level and not at the full level, its reference earns
every level, and levels are monotone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codefrontier.authoring import measure_speed
from codefrontier.contracts import Problem, Solution
from codefrontier.judge import JudgeConfig
from codefrontier.problems.levels import level_tests
from codefrontier.problems.registry import load_benchmark
from codefrontier.rewards import JudgePool, Reward, Rewarder, RewardItem, RewardSpec

pytestmark = pytest.mark.slow

FRACTIONS = [0.2, 0.5, 0.8, 1.0]


def python_solution(problem: Problem, expected: str) -> Solution:
    return next(s for s in problem.solutions if s.language == "python" and s.expected == expected)


@pytest.fixture(scope="module")
def bundled() -> list[Problem]:
    return load_benchmark("bundled")


@pytest.fixture(scope="module")
def bundled_rewarder(bundled: list[Problem], pool: JudgePool) -> Iterator[Rewarder]:
    """Limits scaled by this machine's speed against the calibration machine, as
    `codefrontier validate` judges (docs/authoring.md): the tags are promised with a 2x
    margin either way from the calibrated limits, not on any machine at raw limits."""
    speed = measure_speed(pool, bundled)
    with JudgePool.local(JudgeConfig(time_scale=speed.factor), jobs=2) as scaled:
        yield Rewarder(bundled, pool=scaled, benchmark="bundled")


class Judged:
    """Level rewards of the benchmark's own solutions, each judged once (a batch at a time
    where a test asks for many)."""

    def __init__(self, rewarder: Rewarder) -> None:
        self.rewarder = rewarder
        self.cache: dict[tuple[str, str, str | float], Reward] = {}

    def batch(self, problems: list[Problem], tag: str, level: str | float) -> dict[str, Reward]:
        todo = [p for p in problems if (p.id, tag, level) not in self.cache]
        items = [RewardItem(p.id, python_solution(p, tag).code) for p in todo]
        for problem, reward in zip(
            todo, self.rewarder.rewards(items, RewardSpec("level", level)), strict=True
        ):
            self.cache[(problem.id, tag, level)] = reward
        return {p.id: self.cache[(p.id, tag, level)] for p in problems}

    def one(self, problem: Problem, tag: str, level: str | float) -> Reward:
        return self.batch([problem], tag, level)[problem.id]


@pytest.fixture(scope="module")
def judged(bundled_rewarder: Rewarder) -> Judged:
    return Judged(bundled_rewarder)


def test_every_problem_has_tiers_a_reference_and_a_naive_python_solution(bundled: list[Problem]) -> None:
    assert bundled
    for problem in bundled:
        assert problem.tiers[0] == "tiny" and problem.tiers[-1] == "max", problem.id
        python_solution(problem, "AC")
        python_solution(problem, "TLE")


def test_naive_solutions_earn_the_low_level_and_not_the_full_level(
    judged: Judged, bundled: list[Problem]
) -> None:
    low = judged.batch(bundled, "TLE", "small")
    full = judged.batch(bundled, "TLE", 1.0)
    for problem in bundled:
        assert low[problem.id].value == 1.0, (problem.id, low[problem.id])
        assert full[problem.id].value == 0.0, (problem.id, full[problem.id])
        assert full[problem.id].verdict == "TLE", (problem.id, full[problem.id])


def test_references_earn_every_level(judged: Judged, bundled: list[Problem]) -> None:
    for tier in bundled[0].tiers:
        for problem_id, reward in judged.batch(bundled, "AC", tier).items():
            assert reward.value == 1.0, (problem_id, tier, reward)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_levels_are_monotone(judged: Judged, bundled: list[Problem], data: st.DataObject) -> None:
    """For any problem, solution and two levels (tiers or fractions): passing the larger
    level implies passing the smaller one."""
    problem = data.draw(st.sampled_from(bundled), label="problem")
    tag = data.draw(st.sampled_from(["AC", "TLE"]), label="solution")
    levels = data.draw(st.lists(st.sampled_from([*problem.tiers, *FRACTIONS]), min_size=2, max_size=2))
    low, high = sorted(levels, key=lambda level: len(level_tests(problem, level)))
    low_value = judged.one(problem, tag, low).value
    high_value = judged.one(problem, tag, high).value
    assert low_value is not None and high_value is not None
    assert low_value >= high_value, (problem.id, tag, low, high)
