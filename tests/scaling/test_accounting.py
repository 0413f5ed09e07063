"""Compute accounting and the comparison of methods at equal cost."""

from __future__ import annotations

import math

import pytest

from codefrontier.scaling import Cost, Ledger, Point, equal_cost, solve_rate_at


def test_costs_add_up_by_role_and_a_shared_artifact_is_paid_once():
    rollout = Cost.of(
        "generator", prompt_tokens=100, completion_tokens=50, calls=2, wall_s=1.0, sandbox_cpu_s=0.2
    )
    vote = Cost.of("judge", prompt_tokens=30, completion_tokens=5, calls=1, wall_s=0.1)
    ledger = Ledger()
    ledger.charge("r1", rollout)
    ledger.charge("r1", rollout)  # the same rollout read twice by one method
    ledger.charge("v1", vote)
    total = ledger.total
    assert total.tokens() == 185 and total.tokens("generator") == 150 and total.tokens("judge") == 35
    assert total.calls == {"generator": 2, "judge": 1} and total.sandbox_cpu_s == pytest.approx(0.2)
    assert Cost.from_json(total.to_json()) == total


def curve(method, *pairs):
    return [Point(method, n, tokens, rate, 10) for n, (tokens, rate) in enumerate(pairs, 1)]


def test_the_equal_cost_comparison_reads_each_curve_at_the_reference_cost():
    points = [
        *curve("pdr", (10_000, 0.8)),
        *curve("best_of_n", (1_000, 0.3), (4_000, 0.5), (16_000, 0.6)),
        *curve("oracle", (1_000, 0.3), (4_000, 0.7)),
        *curve("rtv", (12_000, 0.65)),
        *curve("single_summary", (10_300, 0.75)),
    ]
    at = {a.method: a for a in equal_cost(points, "pdr")}
    assert at["pdr"].how == "measured" and at["pdr"].solve_rate == 0.8
    assert at["best_of_n"].how == "interpolated"
    assert at["best_of_n"].solve_rate == pytest.approx(0.5 + (6_000 / 12_000) * 0.1)
    assert at["oracle"].how == "beyond" and at["oracle"].solve_rate == 0.7 and at["oracle"].at_tokens == 4_000
    assert at["rtv"].how == "below" and math.isnan(at["rtv"].solve_rate)
    assert at["single_summary"].how == "measured" and at["single_summary"].at_tokens == 10_300  # within 5%
    assert all(a.tokens == 10_000 for a in at.values())


def test_a_reference_without_points_is_an_error():
    with pytest.raises(ValueError, match="no points for the reference"):
        equal_cost(curve("rtv", (1, 0.5)), "pdr")
    assert solve_rate_at(curve("rtv", (100, 0.5), (300, 0.9)), 200).solve_rate == pytest.approx(0.7)
