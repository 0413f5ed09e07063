"""`codefrontier validate`: the bundled benchmark passes every check, and a broken
problem is caught."""

from __future__ import annotations

import dataclasses

import pytest

from codefrontier.authoring.validate import validate
from codefrontier.cli import main
from codefrontier.contracts import Problem, ProblemKind, Solution, TestCase
from codefrontier.problems.registry import load_benchmark

REF = "a, b = map(int, input().split())\nprint(a + b)\n"


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
        tiers=["small", "large"],
        solutions=[
            Solution("ref.py", "python", REF, "AC"),
            Solution("wa_minus.py", "python", "a, b = map(int, input().split())\nprint(a - b)\n", "WA"),
            Solution(
                "tle_count.py",
                "python",
                "a, b = map(int, input().split())\ns = 0\nfor _ in range(a * 50):\n    s += 1\nprint(a + b)\n",
                "TLE",
            ),
        ],
    )


def test_a_sound_problem_passes_every_check():
    checks = validate([tiny_problem()])
    assert [c for c in checks if not c.ok] == []
    names = {c.check for c in checks}
    assert "wa_minus.py (python) gets WA" in names
    assert "tle_count.py (python) passes the lowest level, fails a higher one" in names


def test_a_mistagged_solution_duplicate_tests_and_a_slow_reference_are_caught():
    problem = tiny_problem()
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
    failed = {c.check for c in validate([problem]) if not c.ok}
    assert "wa_minus.py (python) gets TLE" in failed
    assert "tests are distinct" in failed
    assert "python limit leaves slow_ref.py (python) a 2x margin" in failed


@pytest.mark.slow
def test_the_bundled_benchmark_passes_validation(capsys):
    assert main(["validate", "--benchmark", "bundled"]) == 0
    out = capsys.readouterr().out
    problems = load_benchmark("bundled")
    assert f"{len(problems)} problems" in out and " 0 failed" in out
    assert len(problems) >= 30
