"""`codefrontier validate`: the bundled benchmark passes every check, margins included,
and a broken problem is caught."""

from __future__ import annotations

import dataclasses

import pytest

from codefrontier.authoring.speed import MachineSpeed
from codefrontier.authoring.validate import validate
from codefrontier.cli import main
from codefrontier.contracts import Problem, ProblemKind, Solution, TestCase
from codefrontier.problems.registry import load_benchmark

REF = "a, b = map(int, input().split())\nprint(a + b)\n"
# Correct, and 1.3 s of CPU on the large tests: TLE at 1 s, but not with 2 s.
TLE_BARELY = (
    "import time\na, b = map(int, input().split())\n"
    "if a > 1000:\n    end = time.process_time() + 1.3\n    while time.process_time() < end:\n        pass\n"
    "print(a + b)\n"
)


def tiny_problem() -> Problem:
    tests = [
        TestCase(id=f"{tier}-{i}", input=f"{n} {i}\n", output=f"{n + i}\n", size=10 * k + i, tier=tier)
        for k, (tier, n) in enumerate((("small", 1), ("large", 10**6)))
        for i in range(2)
    ]
    return Problem(
        id="sum",
        kind=ProblemKind.STDIO,
        statement="add",
        tests=tests,
        time_limit_s=1.0,
        memory_mb=64,
        tiers=["small", "large"],
        solutions=[
            Solution("ref.py", "python", REF, "AC"),
            Solution("wa_minus.py", "python", "a, b = map(int, input().split())\nprint(a - b)\n", "WA"),
            Solution(
                "tle_count.py",
                "python",
                "a, b = map(int, input().split())\ns = 0\nfor _ in range(a * 200):\n    s += 1\nprint(a + b)\n",
                "TLE",
            ),
            Solution(
                "mle_table.py",
                "python",
                "a, b = map(int, input().split())\nt = b'x' * (a * 100)\nprint(a + b)\n",
                "MLE",
            ),
        ],
    )


def test_a_sound_problem_passes_every_check():
    checks = validate([tiny_problem()]).checks
    assert [c for c in checks if not c.ok] == []
    names = {c.check for c in checks}
    assert "wa_minus.py (python) gets WA" in names
    assert "tle_count.py (python) passes the lowest level, fails a higher one" in names
    kept = {c.check: c for c in checks if c.margins is not None}
    tle = kept["tle_count.py (python) keeps TLE on a machine 2x slower or faster"].margins
    assert tle.faster_verdict == "TLE" and tle.faster > 2
    mle = kept["mle_table.py (python) keeps MLE on a machine 2x slower or faster"].margins
    assert mle.reached_memory and mle.slower >= 2
    assert "ref.py (python) stays AC on a machine 2x slower" in kept


def test_a_mistagged_solution_duplicate_tests_a_slow_reference_and_a_tle_without_margin_are_caught():
    problem = tiny_problem()
    problem.solutions = problem.solutions[:2]  # the reference and wa_minus.py, tagged TLE here
    problem.solutions[1] = dataclasses.replace(problem.solutions[1], expected="TLE")
    problem.tests.append(dataclasses.replace(problem.tests[0], id="small-copy"))
    problem.solutions.append(
        Solution(
            "slow_ref.py",
            "python",
            "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.6: pass\n" + REF,
            "AC",
        )
    )
    problem.solutions.append(Solution("tle_barely.py", "python", TLE_BARELY, "TLE"))
    checks = validate([problem]).checks
    failed = {c.check: c.detail for c in checks if not c.ok}
    assert "wa_minus.py (python) gets TLE" in failed
    assert "tests are distinct" in failed
    assert "slow_ref.py (python) stays AC on a machine 2x slower" in failed
    assert "tle_barely.py (python) gets TLE" not in failed
    barely = failed["tle_barely.py (python) keeps TLE on a machine 2x slower or faster"]
    assert barely.startswith("allowed 2x its time limit from test large-0 on, it gets AC")
    # A real violation fails again when judged again: the majority of runs (two of two) keeps it.
    assert failed["slow_ref.py (python) stays AC on a machine 2x slower"].endswith(
        "[failed on runs 1 and 2 of 2]"
    )


def test_a_check_failed_by_one_noisy_run_is_judged_again_and_the_majority_decides(monkeypatch):
    # The reference uses 0.2 s of CPU on every test. The first speed probe says this machine
    # takes 0.3 of the calibration machine's time (a burst of noise): the limit becomes 0.3 s,
    # and 0.2 s is past half of it. Measured again (1.0) before the two runs that follow, it passes.
    import codefrontier.authoring.validate as validate_module

    factors = iter([0.3, 1.0, 1.0])
    monkeypatch.setattr(
        validate_module, "measure_speed", lambda *args, **kwargs: MachineSpeed(next(factors), 1)
    )
    problem = tiny_problem()
    busy = "import time\nend = time.process_time() + 0.2\nwhile time.process_time() < end:\n    pass\n"
    problem.solutions = [Solution("ref.py", "python", busy + REF, "AC"), problem.solutions[1]]
    validation = validate([problem])
    assert validation.failed == []
    assert (validation.rechecked, validation.recovered) == (1, 1)
    assert next(factors, None) is None  # the speed was measured before each of the three runs
    margin = next(
        c for c in validation.checks if c.check == "ref.py (python) stays AC on a machine 2x slower"
    )
    assert "[passed on runs 2 and 3 of 3; run 1 failed: test " in margin.detail
    assert margin.margins.limit_s == pytest.approx(1.0)  # the passing run's limits
    assert "1 solution(s) judged again after a failed check" in validation.describe_rechecks()


def test_limits_are_scaled_by_this_machines_speed_against_the_recorded_calibration():
    # The reference is recorded as taking 0.1 s on large-1 where it takes at least 0.25 s
    # here: this machine counts as 2.5x (or more) slower than the calibration machine, and
    # every pass is judged with the limits scaled by that factor.
    problem = tiny_problem()
    busy = "import time\nend = time.process_time() + 0.25\nwhile time.process_time() < end:\n    pass\n"
    problem.solutions = [Solution("ref.py", "python", busy + REF, "AC")]
    problem.metadata = {"ref_cpu_s": {"python": 0.1}, "ref_slowest_test": {"python": "large-1"}}
    validation = validate([problem])
    assert validation.speed.probes == 1 and validation.speed.factor >= 2.5
    [margins] = [c.margins for c in validation.checks if c.margins is not None]
    assert margins.limit_s == pytest.approx(validation.speed.factor)
    assert "slower than the one that calibrated the limits" in validation.speed.describe()


def test_a_programs_output_quoted_in_a_detail_is_printed_as_text(monkeypatch, capsys):
    # A mistagged solution's detail quotes its output. Read as Rich markup, "[/red]" ended
    # the command with a MarkupError once every solution had been judged.
    import codefrontier.problems.registry as registry

    problem = tiny_problem()
    problem.solutions = [
        problem.solutions[0],
        Solution("loud.py", "python", "print('[/red] [bold]3')\n", "TLE"),
    ]
    monkeypatch.setattr(registry, "resolve_problems", lambda benchmark, path: ("tiny", [problem]))
    assert main(["validate", "--benchmark", "bundled"]) == 1
    out = capsys.readouterr().out
    fail = [line for line in out.splitlines() if line.startswith("FAIL sum: loud.py (python) gets TLE")]
    assert len(fail) == 1 and "got '[/red]'" in fail[0] and "[failed on runs 1 and 2 of 2]" in fail[0]


@pytest.mark.slow
@pytest.mark.timeout(3600)  # every CPU limit grows with this machine's measured slowdown, and so does the run
def test_the_bundled_benchmark_passes_validation(capsys):
    code = main(["validate", "--benchmark", "bundled"])
    out = capsys.readouterr().out
    assert code == 0, [line for line in out.splitlines() if line.startswith("FAIL ")]
    problems = load_benchmark("bundled")
    assert f"{len(problems)} problems" in out and " 0 failed" in out
    assert len(problems) >= 30
    assert "calibrated the limits" in out  # the speed of this machine, and the time scale used
    assert "tightest margins: slower " in out


def test_the_speed_line_says_how_many_times_faster_or_slower_this_machine_ran():
    assert "ran 1.25x faster than the one" in MachineSpeed(0.8, 3).describe()  # 0.8 of the time
    assert "ran 2.00x slower than the one" in MachineSpeed(2.0, 3).describe()
    assert "judged with time scale 0.80" in MachineSpeed(0.8, 3).describe()
