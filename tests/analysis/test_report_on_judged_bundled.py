"""The report on a results store made by judging the bundled benchmark's solutions (each
tagged solution set a policy): every file is written, the page links only files that exist,
and the CSV numbers equal the estimators applied to the judged store."""

from __future__ import annotations

import csv
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import numpy as np
import pytest

from codefrontier.analysis import estimators as est
from codefrontier.analysis.report import write_report
from codefrontier.judge.api import run_judge
from codefrontier.judge.samples import samples_from_solutions
from codefrontier.problems.registry import load_benchmark

# Problems whose slow solutions fail fast (exponential naive solutions time out at `medium`).
PROBLEMS = ("alloy-bar-fusion", "rover-payload-knapsack", "weaver-periods")


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("bundled-report")
    problems = [p for p in load_benchmark("bundled") if p.id in PROBLEMS]
    store = root / "store"
    run_judge(problems, samples_from_solutions(problems), store, benchmark="bundled", progress=False)
    index = write_report([store], root / "report")
    return store, index.parent


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.refs += [v for k, v in attrs if k in ("src", "href") and v]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_every_file_is_written_and_the_page_links_only_existing_files(judged):
    _, out = judged
    for name in ("index.html", "policies.csv", "pass_at_k.csv", "frontier.png", "failure_classes.png"):
        assert (out / name).is_file(), name
    parser = Links()
    parser.feed((out / "index.html").read_text())
    local = [r for r in parser.refs if not r.startswith("data:")]
    assert local and all((out / r).is_file() and "://" not in r for r in local)


@pytest.mark.slow
def test_policy_rates_equal_the_estimators_on_the_judged_store(judged):
    store, out = judged
    table = duckdb.sql(
        f"select policy, problem_id, count(*) n, sum((failure_class='solved')::int) solved, "
        f"sum((failure_class='correctness')::int) corr, sum((failure_class='optimization')::int) opt "
        f"from '{store / 'samples.parquet'}' where failure_class != 'internal' group by 1, 2 order by 1, 2"
    ).fetchall()
    by_policy: dict[str, list[tuple]] = {}
    for policy, _, n, solved, corr, opt in table:
        by_policy.setdefault(policy, []).append((n, solved, corr, opt))
    assert {"reference", "tle", "wa"} <= set(by_policy)
    csv_rows = {r["policy"]: r for r in rows(out / "policies.csv")}
    for policy, counts in by_policy.items():
        n = np.array([c[0] for c in counts])
        for column, index in (("solved_rate", 1), ("correctness_rate", 2), ("optimization_rate", 3)):
            expected = est.row_means(est.fractions(np.array([c[index] for c in counts]), n))
            assert float(csv_rows[policy][column]) == pytest.approx(float(expected), rel=1e-9), (
                policy,
                column,
            )
    assert float(csv_rows["reference"]["solved_rate"]) == 1.0
    assert float(csv_rows["tle"]["optimization_rate"]) == 1.0
    assert float(csv_rows["wa"]["correctness_rate"]) == 1.0


@pytest.mark.slow
def test_pass_at_k_equals_the_estimator_on_the_judged_store(judged):
    store, out = judged
    for row in rows(out / "pass_at_k.csv"):
        counts = duckdb.sql(
            f"select count(*), sum((failure_class='solved')::int) from '{store / 'samples.parquet'}' "
            f"where policy = '{row['policy']}' and failure_class != 'internal' group by problem_id order by problem_id"
        ).fetchall()
        n = np.array([c[0] for c in counts])
        c = np.array([c[1] for c in counts])
        expected = est.mean_pass_at_k(n, c, int(row["k"]))
        if not expected.not_estimable:
            assert float(row["pass_at_k"]) == pytest.approx(expected.value, rel=1e-9)
