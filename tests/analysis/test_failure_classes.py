"""Failure-class accounting on hand-made results stores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from analysis_stores import StoreBuilder

from codefrontier.analysis import estimators as est
from codefrontier.analysis.analyze import analyze, difficulty_buckets
from codefrontier.analysis.frontier import frontier
from codefrontier.store.queries import check_failure_classes, load_outcomes


def one_sample_store(tmp_path: Path, verdicts: list[str], **kwargs) -> Path:
    builder = StoreBuilder()
    builder.add("p1", "base", verdicts, **kwargs)
    return builder.write(tmp_path / "store")


def test_sample_with_one_wa_and_one_tle_is_a_correctness_failure(tmp_path: Path) -> None:
    results = load_outcomes([one_sample_store(tmp_path, ["AC", "TLE", "WA", "AC"])])
    assert (results.correctness.sum(), results.optimization.sum(), results.solved.sum()) == (1, 0, 0)
    point = frontier(results)[0]
    assert (point.correctness, point.optimization, point.solved) == (1.0, 0.0, 0.0)


def test_sample_with_only_tles_is_an_optimization_failure(tmp_path: Path) -> None:
    results = load_outcomes([one_sample_store(tmp_path, ["AC", "TLE", "TLE"])])
    assert (results.correctness.sum(), results.optimization.sum(), results.solved.sum()) == (0, 1, 0)


def test_ie_samples_count_as_neither_failure_nor_success_and_are_counted(tmp_path: Path) -> None:
    builder = StoreBuilder()
    builder.add("p1", "base", ["AC", "AC"])
    builder.add("p1", "base", ["WA", "AC"])
    builder.add("p1", "base", ["AC", "IE"])
    builder.add("p1", "base", ["TLE", "IE"])  # IE wins over any other verdict
    results = load_outcomes([builder.write(tmp_path / "store")])
    assert (int(results.n.sum()), int(results.internal.sum())) == (2, 2)
    point = frontier(results)[0]
    assert (point.solved, point.correctness, point.optimization, point.internal) == (0.5, 0.5, 0.0, 2)


def test_rates_are_macro_averages_over_problems(tmp_path: Path) -> None:
    builder = StoreBuilder()
    builder.add("easy", "base", ["AC"])
    for _ in range(3):
        builder.add("hard", "base", ["TLE"])
    point = frontier(load_outcomes([builder.write(tmp_path / "store")]))[0]
    assert point.solved == pytest.approx(0.5)  # not 1/4: each problem weighs the same
    assert point.optimization == pytest.approx(0.5)


def test_stored_class_that_contradicts_the_test_verdicts_is_flagged(tmp_path: Path) -> None:
    builder = StoreBuilder()
    builder.add("p1", "base", ["AC", "WA", "TLE"], stored_class="optimization")
    builder.add("p1", "base", ["AC", "AC", "AC"])
    store = builder.write(tmp_path / "store")
    results = load_outcomes([store])
    check = check_failure_classes(results.stores)
    assert check is not None and check.checked == 2
    assert check.mismatches == (("optimization", "correctness", 1),)


def test_consistent_store_passes_the_class_check(synthetic) -> None:
    check = check_failure_classes(load_outcomes([synthetic.path]).stores)
    assert check is not None and check.mismatches == ()
    assert check.checked == sum(
        sum(counts.values()) for per_problem in synthetic.counts.values() for counts in per_problem.values()
    )


def test_first_fail_optimization_failures_are_counted_as_uncertain(tmp_path: Path) -> None:
    builder = StoreBuilder()
    builder.add("p1", "base", ["AC", "TLE", "WA"], full_run=False)  # the WA was never run
    builder.add("p1", "base", ["AC", "TLE", "TLE"])
    results = load_outcomes([builder.write(tmp_path / "store")])
    assert int(results.optimization.sum()) == 2
    assert int(results.partial_optimization.sum()) == 1
    notes = analyze(results).tables["policies"].column("optimization_partial")
    assert notes == [1]


def test_quantile_buckets_put_the_lowest_rates_first_and_keep_ties_together() -> None:
    rates = np.array([0.0, 0.0, 0.0, 0.2, 0.5, 0.9, 1.0, 0.95, 0.0])
    buckets = est.quantile_buckets(rates, 3)
    assert set(buckets[rates == 0.0]) == {0}
    assert buckets[list(rates).index(1.0)] == 2
    assert list(buckets[np.argsort(rates, kind="stable")]) == sorted(buckets)


def test_the_difficulty_column_defines_the_buckets_when_present(tmp_path: Path) -> None:
    builder = StoreBuilder()
    builder.add("p1", "base", ["AC"], difficulty="easy")
    builder.add("p2", "base", ["WA"], difficulty="hard")
    builder.add("p3", "base", ["WA"])
    labels, names, source = difficulty_buckets(load_outcomes([builder.write(tmp_path / "store")]))
    assert labels == ["easy", "hard", "unknown"]
    assert names == ["hard", "easy", "unknown"]
    assert "difficulty column" in source


def test_reference_policy_defines_quantile_buckets(tmp_path: Path) -> None:
    builder = StoreBuilder()
    for problem, ref_verdicts in (("p1", ["AC", "AC"]), ("p2", ["WA", "WA"]), ("p3", ["AC", "WA"])):
        for v in ref_verdicts:
            builder.add(problem, "ref", [v])
        builder.add(problem, "other", ["AC"])
    labels, names, source = difficulty_buckets(
        load_outcomes([builder.write(tmp_path / "store")]), reference="ref"
    )
    assert labels == ["easy", "hard", "medium"]
    assert "'ref'" in source
