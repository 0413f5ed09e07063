"""The report end to end on synthetic results stores, and its errors on bad input."""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from analysis_stores import StoreBuilder, Synthetic, build_synthetic

from codefrontier.analysis import estimators as est
from codefrontier.analysis.analyze import Options
from codefrontier.analysis.report import write_report
from codefrontier.cli import main
from codefrontier.errors import InputError

CSVS = {
    "policies.csv",
    "pass_at_k.csv",
    "buckets.csv",
    "verdicts.csv",
    "ensembles.csv",
    "complementarity.csv",
    "jaccard.csv",
    "problems.csv",
    "tests_by_tier.csv",
}
PNGS = {"frontier.png", "along_line.png", "failure_classes.png", "pass_at_k.png", "complementarity.png"}


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Synthetic, Path]:
    """One synthetic store and its report, shared by the tests that only read them."""
    root = tmp_path_factory.mktemp("reported")
    synthetic = build_synthetic(root / "store")
    write_report([synthetic.path], root / "report")
    return synthetic, root / "report"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def counts(s: Synthetic) -> tuple[np.ndarray, np.ndarray]:
    """n and c as [policy, problem] matrices, straight from what the synthesizer drew."""
    n = np.array([[s.n(q, p) for p in s.problems] for q in s.policies])
    c = np.array([[s.counts[q][p]["solved"] for p in s.problems] for q in s.policies])
    return n, c


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.refs += [value for name, value in attrs if name in ("src", "href") and value]


def test_report_writes_every_file(reported) -> None:
    _, out = reported
    names = {p.name for p in out.iterdir()}
    assert names == {"index.html"} | CSVS | PNGS
    for png in PNGS:
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for name in CSVS - {"tests_by_tier.csv"}:
        assert len(read_csv(out / name)) > 0, name


def test_html_references_only_files_that_exist_and_nothing_external(reported) -> None:
    _, out = reported
    parser = References()
    parser.feed((out / "index.html").read_text())
    files = [r for r in parser.refs if not r.startswith("data:")]
    assert files, "the page links its CSV and PNG files"
    for ref in files:
        assert "://" not in ref and not ref.startswith("/"), ref
        assert (out / ref).is_file(), ref
    assert sum(r.startswith("data:image/png;base64,") for r in parser.refs) == len(PNGS)
    assert "<script" not in (out / "index.html").read_text()


def test_policy_rates_in_the_csv_equal_the_estimators_on_the_drawn_counts(reported) -> None:
    s, out = reported
    rows = {r["policy"]: r for r in read_csv(out / "policies.csv")}
    assert list(rows) == s.policies  # a0..a3 have alpha 0..1: frontier order
    for q in s.policies:
        n = np.array([s.n(q, p) for p in s.problems])
        for cls in ("solved", "correctness", "optimization"):
            expected = est.row_means(est.fractions([s.counts[q][p][cls] for p in s.problems], n))
            assert float(rows[q][f"{cls}_rate"]) == pytest.approx(float(expected), rel=1e-9)
        internal = sum(s.counts[q][p]["internal"] for p in s.problems)
        assert int(rows[q]["internal_excluded"]) == internal
        assert rows[q]["order"] and float(rows[q]["order"]) == pytest.approx(s.meta[q]["alpha"])


def test_pass_at_k_csv_equals_the_estimator(reported) -> None:
    s, out = reported
    n, c = counts(s)
    rows = read_csv(out / "pass_at_k.csv")
    assert rows
    for row in rows:
        i = s.policies.index(row["policy"])
        expected = est.mean_pass_at_k(n[i], c[i], int(row["k"]))
        if expected.not_estimable:
            assert row["pass_at_k"] == "" and int(row["not_estimable"]) == expected.not_estimable
        else:
            assert float(row["pass_at_k"]) == pytest.approx(expected.value, rel=1e-9)
            assert float(row["ci_low"]) == pytest.approx(expected.ci_low, rel=1e-9)
            assert float(row["ci_high"]) == pytest.approx(expected.ci_high, rel=1e-9)


def test_ensemble_csv_equals_the_ensemble_estimator_and_search(reported) -> None:
    s, out = reported
    n, c = counts(s)
    rows = [r for r in read_csv(out / "ensembles.csv") if r["scope"] == "all"]
    assert rows
    for row in rows:
        budget = int(row["budget"])
        split = dict(part.split("=") for part in row["split"].split(";"))
        ks = [int(split.get(q, 0)) for q in s.policies]
        assert sum(ks) == budget
        assert float(row["ensemble_in_sample"]) == pytest.approx(
            float(est.ensemble_pass(n, c, ks).mean()), rel=1e-9
        )
        assert float(row["ensemble_in_sample"]) == pytest.approx(est.best_split(n, c, budget).value, rel=1e-9)
        single, value = est.best_single(n, c, budget)
        assert row["best_single_policy"] == s.policies[single]
        assert float(row["best_single_in_sample"]) == pytest.approx(value, rel=1e-9)
        assert float(row["gain_in_sample"]) >= 0
        assert row["selection"] == "crossfit" and row["ensemble_crossfit"] != ""


def test_complementarity_csv_equals_the_estimator(reported) -> None:
    s, out = reported
    n, c = counts(s)
    rows = read_csv(out / "complementarity.csv")
    k = int(rows[0]["k"])
    assert k == int(n.min())  # default: the largest k estimable for every policy and problem
    comp = est.complementarity(est.solved_at_k(n, c, k, 0.5))
    for row in rows[:-1]:
        i = s.policies.index(row["policy"])
        assert (int(row["solved"]), int(row["unique"])) == (comp.solved[i].sum(), comp.unique[i].sum())
    assert rows[-1]["policy"] == "(union)" and int(rows[-1]["solved"]) == comp.union.sum()
    jaccard = {(r["policy_a"], r["policy_b"]): r["jaccard"] for r in read_csv(out / "jaccard.csv")}
    assert float(jaccard[("a0", "a3")]) == pytest.approx(comp.jaccard[0, 3])


def test_the_same_inputs_give_byte_identical_csvs(reported, tmp_path: Path) -> None:
    s, first = reported
    second = write_report([s.path], tmp_path / "again").parent
    for name in CSVS:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_the_page_explains_estimator_selection_and_ie_exclusions(reported) -> None:
    s, out = reported
    page = (out / "index.html").read_text()
    internal = sum(s.counts[q][p]["internal"] for q in s.policies for p in s.problems)
    assert internal > 0
    assert f"{internal} IE samples excluded" in page
    assert "C(n&minus;c, k) / C(n, k)" in page
    assert "<b>cross-fit</b>" in page
    for png in PNGS:
        assert f'href="{png}"' in page


def test_in_sample_selection_is_named_as_such(tmp_path: Path, synthetic: Synthetic) -> None:
    index = write_report([synthetic.path], tmp_path / "r", Options(selection="in-sample", budgets=(2,)))
    page = index.read_text()
    assert "<b>in-sample</b>" in page and "inflates the gain" in page
    rows = read_csv(index.parent / "ensembles.csv")
    assert {r["selection"] for r in rows} == {"in-sample"} and {r["budget"] for r in rows} == {"2"}


def test_stores_are_pooled(tmp_path: Path) -> None:
    """Two stores holding different policies give the same report as one holding both."""
    whole = build_synthetic(tmp_path / "whole", policies=3, problems=8, samples=6)
    table = pq.read_table(whole.path / "samples.parquet")
    tests = pq.read_table(whole.path / "tests.parquet")
    parts = []
    for name, keep in (("first", ["a0"]), ("second", ["a1", "a2"])):
        part = tmp_path / name
        part.mkdir()
        mask = np.isin(table.column("policy").to_numpy(zero_copy_only=False), keep)
        pq.write_table(table.filter(mask), part / "samples.parquet")
        mask = np.isin(tests.column("policy").to_numpy(zero_copy_only=False), keep)
        pq.write_table(tests.filter(mask), part / "tests.parquet")
        parts.append(part)
    one = write_report([whole.path], tmp_path / "one").parent
    two = write_report(parts, tmp_path / "two").parent
    for name in CSVS:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_report_command_writes_the_report(tmp_path: Path, synthetic: Synthetic, capsys) -> None:
    out = tmp_path / "cli-report"
    code = main(
        [
            "report",
            str(synthetic.path),
            "--out",
            str(out),
            "--k",
            "1",
            "3",
            "--budget",
            "4",
            "--bootstrap",
            "50",
        ]
    )
    assert code == 0
    assert (out / "index.html").is_file()
    assert str(out / "index.html") in capsys.readouterr().out
    assert {r["k"] for r in read_csv(out / "pass_at_k.csv")} == {"1", "3"}


# ------------------------------------------------------------------ bad input


def test_store_without_samples_parquet_names_the_file(tmp_path: Path, capsys) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=re.escape(str(tmp_path / "empty" / "samples.parquet"))):
        write_report([tmp_path / "empty"], tmp_path / "r")
    assert main(["report", str(tmp_path / "empty"), "--out", str(tmp_path / "r")]) == 2
    assert "samples.parquet" in capsys.readouterr().err


def test_parquet_missing_a_column_names_the_file_and_the_column(
    tmp_path: Path, synthetic: Synthetic, capsys
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    table = pq.read_table(synthetic.path / "samples.parquet")
    pq.write_table(table.drop_columns(["failure_class"]), bad / "samples.parquet")
    with pytest.raises(InputError) as info:
        write_report([bad], tmp_path / "r")
    message = str(info.value)
    assert str(bad / "samples.parquet") in message and "'failure_class'" in message
    assert main(["summary", str(bad)]) == 2
    assert "failure_class" in capsys.readouterr().err


def test_tests_parquet_missing_a_column_names_it(tmp_path: Path, synthetic: Synthetic) -> None:
    table = pq.read_table(synthetic.path / "tests.parquet")
    pq.write_table(table.drop_columns(["cpu_s"]), synthetic.path / "tests.parquet")
    with pytest.raises(InputError, match=r"tests\.parquet.*'cpu_s'"):
        write_report([synthetic.path], tmp_path / "r")


def test_unknown_failure_class_names_the_value_file_and_column(tmp_path: Path) -> None:
    builder = StoreBuilder()
    builder.add("p1", "base", ["AC"], stored_class="flaky")
    store = builder.write(tmp_path / "store")
    with pytest.raises(InputError, match=r"samples\.parquet.*failure_class.*'flaky'"):
        write_report([store], tmp_path / "r")


def test_a_sample_given_twice_is_an_error(tmp_path: Path, synthetic: Synthetic) -> None:
    with pytest.raises(InputError, match="more than once"):
        write_report([synthetic.path, synthetic.path], tmp_path / "r")


def test_a_store_that_is_not_parquet_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "samples.parquet").write_text("not parquet")
    with pytest.raises(InputError, match="cannot read as Parquet"):
        write_report([tmp_path / "store"], tmp_path / "r")
