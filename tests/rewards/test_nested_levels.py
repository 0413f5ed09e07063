"""Nested-coverage rewards judged for real on a small tiered problem: a correct but naive
program earns the low levels and not the high ones, the reference earns every level, and
levels are monotone."""

from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codefrontier.contracts import Problem
from codefrontier.rewards import Reward, Rewarder, RewardItem, RewardSpec

from .problems import PAIRWISE_NAIVE, PAIRWISE_REF, PAIRWISE_SMALL_ONLY, PAIRWISE_WA, TIERS, fenced

SOLUTIONS = {
    "ref": PAIRWISE_REF,
    "naive": PAIRWISE_NAIVE,
    "wa": PAIRWISE_WA,
    "small-only": PAIRWISE_SMALL_ONLY,
}
LEVELS: list[str | float] = [*TIERS, 0.1, 0.3, 0.5, 0.6, 0.8, 1.0]


def level_order(problem: Problem, level: str | float) -> float:
    """A level's size as a fraction of the suite, to order tiers and fractions together."""
    from codefrontier.problems.levels import level_tests

    return len(level_tests(problem, level)) / len(problem.tests)


@pytest.fixture(scope="module")
def reward_of(rewarder: Rewarder):
    @functools.cache
    def judge(solution: str, kind: str, level: str | float | None) -> Reward:
        [reward] = rewarder.rewards(
            [RewardItem("pairwise-products", fenced(SOLUTIONS[solution]))], RewardSpec(kind, level)
        )
        return reward

    return judge


def test_naive_solution_earns_the_small_levels_and_not_the_full_suite(reward_of) -> None:
    assert reward_of("naive", "level", "small").value == 1.0
    assert reward_of("naive", "level", "medium").value == 1.0
    full = reward_of("naive", "level", "max")
    assert full.value == 0.0
    assert (full.verdict, full.failure_class, full.highest_tier) == ("TLE", "optimization", "medium")
    assert full.tests_run == 7  # first-fail: judging stopped at the first large test


def test_reference_earns_every_level(reward_of) -> None:
    for level in LEVELS:
        reward = reward_of("ref", "level", level)
        assert reward.value == 1.0, (level, reward)
    assert reward_of("ref", "binary", None).value == 1.0


def test_wrong_answer_fails_at_the_first_test_and_costs_one_run(reward_of) -> None:
    reward = reward_of("wa", "level", "small")
    assert (reward.value, reward.verdict, reward.failure_class, reward.tests_run) == (
        0.0,
        "WA",
        "correctness",
        1,
    )


def test_fraction_reward_runs_past_the_first_failure(reward_of) -> None:
    reward = reward_of("small-only", "fraction", None)
    assert reward.value == pytest.approx(0.4) and reward.tests_run == 10
    assert reward.verdict == "WA" and not reward.passed
    assert reward_of("small-only", "fraction", "medium").value == pytest.approx(4 / 6)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    solution=st.sampled_from(sorted(SOLUTIONS)),
    levels=st.lists(st.sampled_from(LEVELS), min_size=2, max_size=2),
)
def test_levels_are_monotone(reward_of, problems, solution: str, levels: list[str | float]) -> None:
    """Passing a level implies passing every smaller one."""
    problem = next(p for p in problems if p.id == "pairwise-products")
    low, high = sorted(levels, key=lambda level: level_order(problem, level))
    low_reward, high_reward = reward_of(solution, "level", low), reward_of(solution, "level", high)
    assert low_reward.value is not None and high_reward.value is not None
    if high_reward.value == 1.0:
        assert low_reward.value == 1.0
    assert low_reward.highest_level <= level_order(problem, low)


def test_a_persistent_internal_error_gives_a_missing_reward_with_the_reason(rewarder: Rewarder) -> None:
    [reward] = rewarder.rewards([RewardItem("broken-checker", "print(1)\n")], RewardSpec())
    assert reward.value is None
    assert reward.verdict == "IE" and reward.failure_class == "internal"
    assert "checker of broken-checker failed" in reward.reason


def test_efficiency_term_measures_the_reference_on_the_same_tests(rewarder: Rewarder) -> None:
    spec = RewardSpec("level", "medium", efficiency_weight=0.5)
    ref, naive = rewarder.rewards(
        [RewardItem("pairwise-products", PAIRWISE_REF), RewardItem("pairwise-products", PAIRWISE_NAIVE)], spec
    )
    assert naive.efficiency is not None and naive.efficiency < 0.9  # O(n^2) at n = 1000 costs CPU
    assert naive.value == pytest.approx(0.5 + 0.5 * naive.efficiency)
    assert ref.efficiency is not None and ref.efficiency > naive.efficiency


def test_the_program_is_extracted_from_the_last_fenced_block(rewarder: Rewarder) -> None:
    answer = fenced("print('draft')\n") + "Better:\n" + fenced(PAIRWISE_REF)
    [reward] = rewarder.rewards([RewardItem("pairwise-products", answer)], RewardSpec("level", "small"))
    assert reward.value == 1.0 and reward.extracted
