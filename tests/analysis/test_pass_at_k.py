"""pass@k and its average over problems."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from codefrontier.analysis import estimators as est


def brute_force_pass_at_k(n: int, c: int, k: int) -> float:
    """The share of all k-subsets of n samples (the first c correct) holding a correct one."""
    subsets = list(combinations(range(n), k))
    return sum(any(i < c for i in s) for s in subsets) / len(subsets)


@st.composite
def n_c_k(draw: st.DrawFn, max_n: int = 9) -> tuple[int, int, int]:
    n = draw(st.integers(1, max_n))
    return n, draw(st.integers(0, n)), draw(st.integers(1, n))


@given(n_c_k())
@example((6, 0, 3))  # c = 0
@example((6, 6, 3))  # c = n
@example((6, 2, 6))  # k = n
@example((1, 1, 1))
@example((7, 0, 7))
def test_pass_at_k_equals_brute_force_enumeration_of_all_k_subsets(case: tuple[int, int, int]) -> None:
    n, c, k = case
    expected = brute_force_pass_at_k(n, c, k)
    assert est.pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)
    assert float(est.pass_at_k_array(n, c, k)) == pytest.approx(expected, abs=1e-12)


@given(st.lists(n_c_k(max_n=40), min_size=1, max_size=8), st.integers(1, 40))
def test_vectorized_pass_at_k_matches_the_scalar_one_and_marks_k_above_n(
    cases: list[tuple[int, int, int]], k: int
) -> None:
    n = np.array([x[0] for x in cases])
    c = np.array([x[1] for x in cases])
    got = est.pass_at_k_array(n, c, k)
    for value, ni, ci in zip(got, n, c, strict=True):
        if k > ni:
            assert math.isnan(value)
        else:
            assert value == pytest.approx(est.pass_at_k(int(ni), int(ci), k), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(
    ("n", "c", "k"),
    [
        (10_000, 1, 1),
        (10_000, 1, 10_000),
        (10_000, 5_000, 1),
        (10_000, 3, 100),
        (10_000, 2, 9_990),
        (10_000, 9_999, 10_000),
        (10_000, 0, 10_000),
        (10_000, 10_000, 1),
        (20_000, 7, 5_000),
        (10_000, 50, 250),
    ],
)
def test_pass_at_k_is_accurate_for_ten_thousand_samples(n: int, c: int, k: int) -> None:
    exact = 1 - Fraction(math.comb(n - c, k), math.comb(n, k))
    for got in (est.pass_at_k(n, c, k), float(est.pass_at_k_array(n, c, k))):
        if exact == 0:
            assert got == 0
        else:
            assert abs(got - float(exact)) <= 1e-10 * float(exact)


def test_k_larger_than_n_is_not_estimable_rather_than_clipped() -> None:
    assert math.isnan(est.pass_at_k(5, 2, 6))
    mean = est.mean_pass_at_k([10, 10, 4], [3, 0, 4], 5)
    assert math.isnan(mean.value)
    assert (mean.problems, mean.not_estimable) == (3, 1)


def test_problems_without_judged_samples_are_left_out_of_the_mean() -> None:
    mean = est.mean_pass_at_k([10, 0, 10], [10, 0, 0], 1, resamples=0)
    assert mean.value == pytest.approx(0.5)
    assert mean.problems == 2


def test_mean_pass_at_1_is_the_mean_solved_fraction() -> None:
    n = np.array([4, 10, 7])
    c = np.array([1, 10, 0])
    assert est.mean_pass_at_k(n, c, 1).value == pytest.approx(np.mean(c / n))


def test_bootstrap_interval_brackets_the_mean_and_repeats_with_the_same_seed() -> None:
    values = np.random.default_rng(3).uniform(0, 1, 60)
    low, high = est.bootstrap_mean_ci(values, resamples=500, seed=1)
    assert low < values.mean() < high
    assert est.bootstrap_mean_ci(values, resamples=500, seed=1) == (low, high)
    assert (
        high - low
        < est.bootstrap_mean_ci(values[:10], resamples=500, seed=1)[1]
        - est.bootstrap_mean_ci(values[:10], resamples=500, seed=1)[0]
    )


def test_invalid_counts_are_rejected() -> None:
    with pytest.raises(ValueError):
        est.pass_at_k(3, 4, 1)
    with pytest.raises(ValueError):
        est.pass_at_k(3, 1, 0)
