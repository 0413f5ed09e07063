"""Fuzzing a reference into a suite: the tests pass on the reference and fail on the dummy;
output that varies is normalized or dropped; a flaky reference is caught by validation."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from codefrontier.programs.bundled import source_of
from codefrontier.programs.evaluate import EvalSettings, Submission, evaluate
from codefrontier.programs.fuzz import FuzzConfig
from codefrontier.programs.generate import make_task
from codefrontier.programs.tasks import Branch, Task, load_task, save_task
from codefrontier.programs.validate import classify, validate_task


def test_fuzzed_tests_pass_on_the_reference_and_fail_on_the_dummy(tmp_path, runner):
    generated = make_task(
        tmp_path / "fold",
        runner,
        reference_source=source_of("fold"),
        config=FuzzConfig(tests=10, seed=3, repeat=2),
        runs=2,
    )
    task = load_task(tmp_path / "fold")
    assert generated.report["fuzz"]["kept"] == 10 and task.n_active >= 8
    assert "--width" in generated.report["fuzz"]["options_found"]
    assert generated.report["coverage"]["percent"] > 50
    ignored = {r for b in task.branches.values() for t in b.ignored_tests for r in t.reason_ids}
    assert ignored <= {"dummy_pass"}
    results = evaluate(
        [(task, Submission.gold(task)), (task, Submission.dummy())], tmp_path / "eval", EvalSettings(jobs=2)
    )
    assert {r.submission.label: r.score for r in results} == {"gold": 1.0, "dummy": 0.0}


CLOCK = r"""
#include <stdio.h>
#include <string.h>
#include <time.h>
int main(int argc, char **argv) {
    struct timespec ts; struct tm tm;
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        puts("Usage: clock [OPTION]...\n  -n, --nanos   print the nanoseconds of the clock\n"
             "  -t, --time    print the time of day\n  -u, --upper   shout\n      --help    display this help");
        return 0;
    }
    clock_gettime(CLOCK_REALTIME, &ts); gmtime_r(&ts.tv_sec, &tm);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") || !strcmp(argv[i], "--nanos")) printf("%ld\n", ts.tv_nsec);
        else if (!strcmp(argv[i], "-t") || !strcmp(argv[i], "--time")) printf("now %02d:%02d:%02d\n", tm.tm_hour, tm.tm_min, tm.tm_sec);
        else if (!strcmp(argv[i], "-u") || !strcmp(argv[i], "--upper")) puts("DONE");
        else { fprintf(stderr, "clock: bad option %s\n", argv[i]); return 2; }
    }
    puts("done");
    return 0;
}
"""


def _build(tmp_path: Path, name: str, source: str) -> Path:
    src = tmp_path / f"{name}.c"
    src.write_text(source)
    exe = tmp_path / name
    subprocess.run(["gcc", "-O2", "-o", str(exe), str(src)], check=True)
    return exe


def test_output_with_clock_times_is_normalized_and_nanoseconds_are_dropped(tmp_path, runner):
    exe = _build(tmp_path, "clock", CLOCK)
    generated = make_task(
        tmp_path / "clock-task", runner, reference=exe, config=FuzzConfig(tests=12, seed=1, repeat=3), runs=2
    )
    fuzz = generated.report["fuzz"]
    assert fuzz["dropped"].get("unstable", 0) > 0  # every case printing nanoseconds
    assert fuzz["normalized"] > 0  # cases printing the time of day
    task = load_task(tmp_path / "clock-task")
    text = "".join(p.read_text() for p in (task.directory / "tests").rglob("test_*.py"))
    assert "'-n'" not in text and "'--nanos'" not in text
    assert "('time',)" in text
    reasons = {r for b in task.branches.values() for t in b.ignored_tests for r in t.reason_ids}
    assert not reasons & {"gold_fail", "gold_flaky"}


def test_flaky_statuses_are_classified():
    assert classify("t", [{"t": "passed"}, {"t": "failure"}, {"t": "passed"}], {})["id"] == "gold_flaky"
    assert classify("t", [{"t": "failure"}, {"t": "error"}], {})["id"] == "gold_fail"
    assert classify("t", [{"t": "passed"}, {}], {})["id"] == "outcome_dependent_presence"
    assert classify("t", [{"t": "passed"}, {"t": "passed"}], {"t": "passed"}) == {"id": "dummy_pass"}
    assert classify("t", [{"t": "passed"}, {"t": "passed"}], {"t": "failure"}) is None
    flaky = classify("t", [{"t": "passed"}, {"t": "failure"}], {})
    assert flaky["extra"]["statuses"] == ["passed", "failure"]


COIN = r"""
#include <stdio.h>
#include <time.h>
int main(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); puts((ts.tv_nsec / 1000) % 2 ? "odd" : "even"); return 0; }
"""


@pytest.mark.slow
def test_a_flaky_reference_is_caught_by_repeated_validation(tmp_path, runner):
    exe = _build(tmp_path, "coin", COIN)
    task_dir = tmp_path / "coin-task"
    tests = task_dir / "tests" / "b1" / "eval" / "tests"
    tests.mkdir(parents=True)
    body = "import subprocess\n\n" + "".join(
        f"\ndef test_flip_{i}():\n    assert subprocess.run(['./executable'], capture_output=True).stdout == b'even\\n'\n"
        for i in range(6)
    )
    (tests / "test_coin.py").write_text(body)
    names = [f"eval.tests.test_coin.test_flip_{i}" for i in range(6)]
    (task_dir / "reference").mkdir()
    (task_dir / "reference" / "executable").write_bytes(exe.read_bytes())
    save_task(
        Task(
            "coin",
            "local/coin",
            "0",
            "c",
            {"b1": Branch("b1", names)},
            task_dir,
            reference="reference/executable",
        )
    )
    (validation,) = validate_task(load_task(task_dir), runner, runs=8)
    reasons = {r["id"] for r in validation.reasons.values()}
    assert "gold_flaky" in reasons and reasons <= {"gold_flaky", "gold_fail"}
    task = load_task(task_dir)
    flaky = [t for t in task.branches["b1"].ignored_tests if "gold_flaky" in t.reason_ids]
    assert all(set(t.reasons[0]["extra"]["statuses"]) == {"passed", "failure"} for t in flaky)
