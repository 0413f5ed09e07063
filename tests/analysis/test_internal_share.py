"""A policy whose samples end in IE is scored on its other samples only; the summary
and the report show each policy's IE share and warn about a policy whose share is
high, so that a program that forces IE cannot quietly look good."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from analysis_stores import StoreBuilder

from codefrontier.analysis.analyze import Options
from codefrontier.analysis.internal import fisher_greater, internal_shares
from codefrontier.analysis.report import write_report
from codefrontier.analysis.summary import summary_text
from codefrontier.cli import main
from codefrontier.store.queries import load_outcomes


def store_with_ie(tmp_path: Path, ie_counts: dict[str, int], samples: int = 100) -> Path:
    """Each policy has `samples` samples over 4 problems: `ie_counts[policy]` of them
    IE, one in four of the rest solved."""
    builder = StoreBuilder()
    for policy, ie in ie_counts.items():
        for s in range(samples):
            verdicts = ["AC", "IE"] if s < ie else (["AC", "AC"] if s % 4 == 0 else ["AC", "WA"])
            builder.add(f"p{s % 4}", policy, verdicts, sample=s // 4)
    return builder.write(tmp_path / "store")


@pytest.fixture
def cheater(tmp_path: Path) -> Path:
    """'honest' solves 25% and never gets IE; 'cheater' solves the same but turns
    every one of its failures into IE, so on the samples that remain it solves 100%."""
    builder = StoreBuilder()
    for s in range(8):
        for p in ("p1", "p2"):
            builder.add(p, "honest", ["AC", "AC"] if s < 2 else ["AC", "WA"], sample=s)
            builder.add(p, "cheater", ["AC", "AC"] if s < 2 else ["AC", "IE"], sample=s)
    return builder.write(tmp_path / "store")


def test_a_share_above_five_percent_is_flagged(tmp_path: Path) -> None:
    shares = internal_shares(load_outcomes([store_with_ie(tmp_path, {"a": 6, "b": 6})]))
    assert shares["a"].share == pytest.approx(0.06) and shares["a"].flagged
    assert "above the 5% limit" in shares["a"].reason


def test_ie_concentrated_on_one_policy_is_flagged_below_five_percent(tmp_path: Path) -> None:
    store = store_with_ie(tmp_path, {"clean": 0, "a": 4, "b": 16}, samples=400)
    shares = internal_shares(load_outcomes([store]))
    assert shares["b"].flagged and "'clean'" in shares["b"].reason  # 4 pp above the least
    assert not shares["a"].flagged  # 1% against 0%: within the margin
    assert not shares["clean"].flagged


def test_a_difference_that_chance_explains_is_not_flagged(tmp_path: Path) -> None:
    shares = internal_shares(load_outcomes([store_with_ie(tmp_path, {"clean": 0, "b": 3}, samples=60)]))
    assert shares["b"].share == pytest.approx(0.05)  # 5 pp above 'clean', but p = 0.12
    assert not shares["b"].flagged


def test_fisher_tail_equals_the_hypergeometric_sum() -> None:
    # 3 IE in 60 against 0 in 60: all three IE fell on the first policy.
    assert fisher_greater(3, 60, 0, 60) == pytest.approx((60 * 59 * 58) / (120 * 119 * 118), rel=1e-12)
    assert fisher_greater(0, 60, 3, 60) == pytest.approx(1.0)


def test_rare_evenly_spread_ie_is_not_flagged(tmp_path: Path) -> None:
    shares = internal_shares(load_outcomes([store_with_ie(tmp_path, {"a": 2, "b": 3})]))
    assert not any(s.flagged for s in shares.values())


def test_summary_warns_that_a_policy_forcing_ie_only_looks_good(cheater: Path, capsys) -> None:
    text = summary_text([cheater])
    row = next(line.split() for line in text.splitlines() if line.split()[:1] == ["cheater"])
    # policy, problems, samples, IE excl., IE share, solved ...
    assert row[3:6] == ["12", "75.0%!", "100.0%"]
    honest = next(line.split() for line in text.splitlines() if line.split()[:1] == ["honest"])
    assert honest[4] == "0.0%"
    warning = next(line for line in text.splitlines() if line.startswith("WARNING:"))
    assert "'cheater'" in warning and "12 of 16 samples (75.0%)" in warning and "exclude" in warning
    assert main(["summary", str(cheater)]) == 0
    assert "WARNING: policy 'cheater'" in capsys.readouterr().out


def test_report_warns_at_the_top_and_in_the_headline(cheater: Path, tmp_path: Path) -> None:
    index = write_report([cheater], tmp_path / "report", Options(resamples=50), title="ie")
    page = index.read_text()
    warn = page.index('<div class="warn">')
    assert warn < page.index("<h2>Headline</h2>")
    assert "policy &#x27;cheater&#x27;: 12 of 16 samples (75.0%) are IE" in page[warn:]
    headline = page[page.index("<h2>Headline</h2>") :]
    assert "Highest solve rate: <b>cheater</b>" in headline
    assert "75.0% of its samples are IE and excluded" in headline.split("</li>")[0]
    with (index.parent / "policies.csv").open(newline="") as fh:
        rows = {r["policy"]: r for r in csv.DictReader(fh)}
    assert (rows["cheater"]["internal_share"], rows["cheater"]["internal_flagged"]) == ("0.75", "true")
    assert (rows["honest"]["internal_share"], rows["honest"]["internal_flagged"]) == ("0", "false")


def test_report_without_high_ie_has_no_warning(tmp_path: Path) -> None:
    index = write_report(
        [store_with_ie(tmp_path, {"a": 1, "b": 0})], tmp_path / "report", Options(resamples=50)
    )
    assert '<div class="warn">' not in index.read_text()
