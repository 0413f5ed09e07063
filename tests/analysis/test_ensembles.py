"""Ensembles at a matched sample budget, the split search and cross-fitting."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codefrontier.analysis import estimators as est


def brute_force_ensemble(n: list[int], c: list[int], split: list[int]) -> float:
    """Enumerate every way to draw k_i of policy i's n_i samples (its first c_i are
    correct), for every policy at once; the share of draws holding a correct sample."""
    per_policy = [list(itertools.combinations(range(ni), ki)) for ni, ki in zip(n, split, strict=True)]
    draws = list(itertools.product(*per_policy))
    hits = sum(any(j < ci for chosen, ci in zip(draw, c, strict=True) for j in chosen) for draw in draws)
    return hits / len(draws)


def all_splits(caps: list[int], budget: int) -> list[list[int]]:
    return [list(s) for s in itertools.product(*(range(cap + 1) for cap in caps)) if sum(s) == budget]


@st.composite
def small_cases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """n[policy, problem] and c[policy, problem]: up to 3 policies, 3 problems, 4 samples."""
    m = draw(st.integers(1, 3))
    problems = draw(st.integers(1, 3))
    n = np.array([[draw(st.integers(1, 4)) for _ in range(problems)] for _ in range(m)])
    c = np.array([[draw(st.integers(0, int(v))) for v in row] for row in n])
    return n, c


@settings(max_examples=60, deadline=None)
@given(small_cases(), st.data())
def test_ensemble_formula_equals_enumeration_of_all_sample_subsets(case, data) -> None:
    n, c = case
    caps = n.min(axis=1)
    split = [data.draw(st.integers(0, int(cap))) for cap in caps]
    got = est.ensemble_pass(n, c, split)
    for p in range(n.shape[1]):
        assert got[p] == pytest.approx(brute_force_ensemble(list(n[:, p]), list(c[:, p]), split), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(small_cases(), st.data())
def test_best_split_equals_the_exhaustive_best_over_all_splits(case, data) -> None:
    n, c = case
    caps = [int(v) for v in n.min(axis=1)]
    budget = data.draw(st.integers(1, sum(caps)))
    best_brute = max(
        np.mean([brute_force_ensemble(list(n[:, p]), list(c[:, p]), split) for p in range(n.shape[1])])
        for split in all_splits(caps, budget)
    )
    found = est.best_split(n, c, budget)
    assert sum(found.ks) == budget
    assert all(0 <= k <= cap for k, cap in zip(found.ks, caps, strict=True))
    assert found.value == pytest.approx(best_brute, abs=1e-12)
    assert found.value == pytest.approx(float(est.ensemble_pass(n, c, found.ks).mean()), abs=1e-12)


@st.composite
def medium_cases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    m = draw(st.integers(2, 4))
    problems = draw(st.integers(1, 6))
    n = np.array([[draw(st.integers(3, 8)) for _ in range(problems)] for _ in range(m)])
    c = np.array([[draw(st.integers(0, int(v))) for v in row] for row in n])
    return n, c, draw(st.integers(1, int(n.min(axis=1).sum())))


@settings(max_examples=60, deadline=None)
@given(medium_cases())
def test_coordinate_ascent_keeps_its_guarantee(case) -> None:
    """Never worse than the best single policy; no transfer of samples between two
    policies improves it; exact for two policies."""
    n, c, budget = case
    caps = n.min(axis=1)
    found = est.best_split(n, c, budget, exhaustive_limit=0)
    assert found.method == "coordinate-ascent"
    single, single_value = est.best_single(n, c, budget)
    if single >= 0:
        assert found.value >= single_value - 1e-12
    for i, j in itertools.combinations(range(len(caps)), 2):
        total = found.ks[i] + found.ks[j]
        for t in range(max(0, total - caps[j]), min(total, caps[i]) + 1):
            moved = list(found.ks)
            moved[i], moved[j] = t, total - t
            assert float(est.ensemble_pass(n, c, moved).mean()) <= found.value + 1e-12
    if len(caps) == 2:
        assert found.value == pytest.approx(est.best_split(n, c, budget).value, abs=1e-12)


def test_complementary_policies_gain_over_the_best_single_one() -> None:
    # Policy 0 solves problem 0 only, policy 1 problem 1 only: one sample from each
    # solves both, while two from either solve one.
    n = np.array([[10, 10], [10, 10]])
    c = np.array([[10, 0], [0, 10]])
    found = est.best_split(n, c, 2)
    assert found.ks == (1, 1)
    assert found.value == pytest.approx(1.0)
    assert est.best_single(n, c, 2)[1] == pytest.approx(0.5)


def test_a_budget_larger_than_the_samples_is_rejected() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        est.best_split(np.array([[3], [3]]), np.array([[1], [1]]), 7)


def test_crossfit_scores_every_problem_with_a_choice_made_without_it() -> None:
    keys = [f"p{i}" for i in range(6)]
    half_a = est.crossfit_halves(keys, seed=0)
    seen: list[np.ndarray] = []

    def select(mask: np.ndarray) -> str:
        seen.append(mask.copy())
        return "A" if mask is half_a or np.array_equal(mask, half_a) else "B"

    def score(choice: str) -> np.ndarray:
        return np.full(len(keys), 1.0 if choice == "A" else 2.0)

    values, choice_a, choice_b = est.crossfit(select, score, half_a)
    assert (choice_a, choice_b) == ("A", "B")
    assert np.array_equal(values, np.where(half_a, 2.0, 1.0))  # half A scored by B's choice, and back
    assert not (seen[0] & seen[1]).any()


def test_crossfit_halves_depend_on_keys_and_seed_not_on_order() -> None:
    keys = [f"problem-{i}" for i in range(11)]
    half = est.crossfit_halves(keys, seed=4)
    assert half.sum() == 5
    reordered = est.crossfit_halves(keys[::-1], seed=4)
    assert {k for k, h in zip(keys, half, strict=True) if h} == {
        k for k, h in zip(keys[::-1], reordered, strict=True) if h
    }
    assert not np.array_equal(half, est.crossfit_halves(keys, seed=5))
