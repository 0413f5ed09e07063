"""Ordering values, Pareto optimality and the layout along the alpha line."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_stores import StoreBuilder

from codefrontier.analysis.frontier import frontier, order_value, pareto_optimal
from codefrontier.errors import InputError
from codefrontier.store.queries import load_outcomes


def test_order_value_prefers_order_then_alpha_then_numeric_coverage() -> None:
    assert order_value({"order": 3, "alpha": 0.5, "coverage": 0.2}) == (3.0, "order")
    assert order_value({"alpha": 0.5, "coverage": 0.2}) == (0.5, "alpha")
    assert order_value({"coverage": 0.2}) == (0.2, "coverage")
    assert order_value({"coverage": "0.25"}) == (0.25, "coverage")
    assert order_value({"coverage": "hard"}) == (None, None)  # a tier name does not order
    assert order_value({"checkpoint": "x"}) == (None, None)


def test_non_numeric_alpha_is_an_input_error_naming_the_field() -> None:
    with pytest.raises(InputError, match="policy_meta.alpha"):
        order_value({"alpha": "half"})


def test_pareto_marks_exactly_the_non_dominated_points() -> None:
    points = [(0.1, 0.5), (0.2, 0.2), (0.3, 0.3), (0.5, 0.1), (0.2, 0.2), (0.6, 0.1), (float("nan"), 0.0)]
    assert pareto_optimal(points) == [True, True, False, True, True, False, False]


def test_policies_are_laid_out_by_ordering_value_then_by_name(tmp_path: Path) -> None:
    builder = StoreBuilder()
    for policy, meta, verdicts in (
        ("zeta", {"alpha": 0.0}, ["TLE"]),
        ("beta", {"alpha": 1.0}, ["WA"]),
        ("gamma", {"order": 0.5}, ["AC"]),
        ("alpha-less", {"coverage": "large"}, ["WA"]),
        ("another", {}, ["TLE"]),
    ):
        builder.add("p1", policy, verdicts, meta=meta)
    points = frontier(load_outcomes([builder.write(tmp_path / "store")]))
    assert [p.policy for p in points] == ["zeta", "gamma", "beta", "alpha-less", "another"]
    assert {p.policy: p.pareto for p in points} == {
        "zeta": False,
        "gamma": True,
        "beta": False,
        "alpha-less": False,
        "another": False,
    }


def test_policy_meta_that_is_not_json_names_the_file_and_column(tmp_path: Path) -> None:
    builder = StoreBuilder()
    builder.add("p1", "base", ["AC"])
    builder.samples[0]["policy_meta"] = "{alpha: 0.5"
    store = builder.write(tmp_path / "store")
    with pytest.raises(InputError, match="policy_meta") as info:
        load_outcomes([store])
    assert "samples.parquet" in str(info.value)
