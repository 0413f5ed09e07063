"""JUnit reading as ProgramBench reads it, eval.json records, and scores by hand."""

from __future__ import annotations

import pytest

from codefrontier.programs.junit import ReportError, check_branch, parse_junit
from codefrontier.programs.record import EvalRecord
from codefrontier.programs.scoring import aggregate, task_score
from codefrontier.programs.tasks import Branch, IgnoredTest, Task

MIXED = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="7">
  <testcase classname="tests.test_a" name="test_pass" time="0.5"/>
  <testcase classname="tests.test_a" name="test_fail" time="0.1"><failure message="assert 1 == 2">long text</failure></testcase>
  <testcase classname="tests.test_a" name="test_skip" time="0"><skipped type="pytest.skip" message="not here"/></testcase>
  <testcase classname="tests.test_a" name="test_error"><error message="fixture broke">trace</error></testcase>
  <testcase classname="" name="pytest.internal"><error message="x"/><error message="x"/></testcase>
  <testcase classname="tests.test_a" name="test_two_kinds"><failure message="f"/><error message="e"/></testcase>
  <testcase classname="tests.test_a" name="test_out"><system-out>printed</system-out></testcase>
  <testsuite name="nested"><testcase classname="tests.test_b" name="test_inner"/></testsuite>
</testsuite></testsuites>"""


def test_junit_statuses_are_read_as_programbench_reads_them():
    by_name = {t.name: t for t in parse_junit(MIXED, "b1")}
    assert by_name["tests.test_a.test_pass"].status == "passed"
    assert by_name["tests.test_a.test_pass"].extra == {"time": 0.5}
    assert by_name["tests.test_a.test_fail"].status == "failure"
    assert by_name["tests.test_a.test_fail"].extra == {
        "time": 0.1,
        "message": "assert 1 == 2",
        "text": "long text",
    }
    assert by_name["tests.test_a.test_skip"].status == "skipped"
    assert by_name["tests.test_a.test_skip"].extra == {"time": 0.0, "message": "not here"}
    assert by_name["tests.test_a.test_error"].status == "error"
    assert by_name["pytest.internal"].status == "error"  # two results of one kind collapse
    assert by_name["tests.test_a.test_two_kinds"].status == "system_error"
    assert by_name["tests.test_a.test_out"].status == "passed"
    assert by_name["tests.test_b.test_inner"].status == "passed"  # nested suites count
    assert all(t.branch == "b1" for t in by_name.values())


def test_junit_parse_matches_the_original_harness_case_for_case():
    original = pytest.importorskip("programbench.eval.eval")
    ours = [(t.name, t.status, t.extra) for t in parse_junit(MIXED, "b1")]
    theirs = [
        (t.name, t.status, t.extra) for t in original.parse_test_results(MIXED, branch="b1").test_results
    ]
    # the original's system_error detail names junitparser objects; the status is what counts
    assert [(n, s) for n, s, _ in ours] == [(n, s) for n, s, _ in theirs]
    assert [e for _, s, e in ours if s != "system_error"] == [e for _, s, e in theirs if s != "system_error"]


def test_missing_tests_become_not_run_and_unexpected_ones_warn():
    expected = ["tests.test_a.test_pass", "tests.test_a.test_gone", "tests.test_a.test_ignored"]
    outcomes, warnings = check_branch(MIXED, "b1", expected, ignored={"b1/tests.test_a.test_ignored"})
    by_name = {t.name: t for t in outcomes}
    assert by_name["tests.test_a.test_gone"].status == "not_run"
    assert by_name["tests.test_a.test_gone"].extra == {"error_code": "missing_from_junit_xml"}
    assert "tests.test_a.test_ignored" not in by_name  # ignored: never reported missing
    assert warnings == ["Branch b1: 7 test(s) in JUnit XML not in tests.json"]


def test_empty_and_malformed_reports_are_errors_not_passes():
    with pytest.raises(ReportError) as empty:
        parse_junit("  ", "b1")
    assert empty.value.code == "empty_junit_xml"
    with pytest.raises(ReportError) as bad:
        parse_junit("<testsuites><testsuite>", "b1")
    assert bad.value.code == "xml_parse_error"


def _task(branches: dict[str, Branch]) -> Task:
    return Task("o__r.1", "o/r", "1", "c", branches, directory=__import__("pathlib").Path("."))


def _record(results: list[tuple[str, str, str]], branches: list[str]) -> EvalRecord:
    return EvalRecord.from_json(
        {
            "test_results": [{"name": n, "branch": b, "status": s, "extra": {}} for b, n, s in results],
            "test_branches": branches,
        }
    )


def test_task_score_strikes_out_ignored_tests_and_branches():
    task = _task(
        {
            "b1": Branch(
                "b1", ["t1", "t2", "t3", "t4"], ignored_tests=[IgnoredTest("t4", ({"id": "gold_flaky"},))]
            ),
            "b2": Branch("b2", ["u1"], ignored=True, ignore_reason="gold_fail"),
        }
    )
    record = _record(
        [
            ("b1", "t1", "passed"),
            ("b1", "t2", "failure"),
            ("b1", "t3", "passed"),
            ("b1", "t4", "failure"),
            ("b2", "u1", "failure"),
        ],
        ["b1", "b2"],
    )
    # active: b1's t1, t2, t3 (t4 ignored, b2 ignored): 2 of 3
    assert task_score(record, task) == pytest.approx(2 / 3)
    assert record.score == pytest.approx(2 / 5)  # the raw record keeps everything


def test_a_test_reported_twice_counts_once_with_its_last_outcome():
    task = _task({"b1": Branch("b1", ["t1", "t2"])})
    record = _record([("b1", "t1", "failure"), ("b1", "t1", "passed"), ("b1", "t2", "failure")], ["b1"])
    assert task_score(record, task) == 0.5


def test_headline_counts_unattempted_tasks_as_zero():
    headline = aggregate({"a": 1.0, "b": 0.96, "c": 0.5}, n_total=5)
    assert headline.mean_score == round((1.0 + 0.96 + 0.5) / 5, 4) == 0.492
    assert headline.resolved_pct == 20.0
    assert headline.near_resolved_pct == 40.0
    assert (headline.n_instances_attempted, headline.n_instances_total) == (3, 5)


def test_a_failed_compile_makes_every_test_not_run_with_compile_failed():
    record = EvalRecord(test_branches=["b1"])
    record.inject_not_run("b1", ["t1", "t2"], "compile_failed")
    assert [(t.name, t.status, t.extra) for t in record.test_results] == [
        ("t1", "not_run", {"error_code": "compile_failed"}),
        ("t2", "not_run", {"error_code": "compile_failed"}),
    ]
    assert _record([], ["b1"]).score == 0.0
