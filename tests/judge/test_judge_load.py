"""Load: CPU time, not wall time, decides TLE. A solution that needs about half its CPU limit
stays AC on every run while every core is busy and there are twice as many workers as cores."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from judge_kit import judge_one, sample, stdio_problem

from codefrontier.contracts import Verdict
from codefrontier.judge.api import judge_samples
from codefrontier.judge.config import JudgeConfig
from codefrontier.judge.runner import SampleJudge

pytestmark = pytest.mark.slow

WORK = """
a, b = map(int, input().split())
total = 0
for i in range(2_000_000):
    total += i * i
print(a + b)
"""
TESTS = [("2 3\n", "5\n"), ("10 20\n", "30\n")]
CORES = os.cpu_count() or 1


def calibrated_limit(judge: SampleJudge) -> float:
    """Twice the most CPU the program used in a few quiet runs in the sandbox."""
    generous = stdio_problem("calibrate", TESTS, time_limit_s=10.0)
    used = []
    for _ in range(3):
        result = judge_one(judge, generous, WORK)
        assert result.verdict is Verdict.AC
        used += [t.cpu_s for t in result.tests]
    assert 0.05 < max(used) < 3.0, used
    return 2 * max(used)


@contextmanager
def busy_cores() -> Iterator[None]:
    """One busy loop per core on the host, for as long as the block runs."""
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(CORES)]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
        for loop in loops:
            loop.wait()


def test_half_limit_solution_stays_accepted_under_full_load(judge: SampleJudge) -> None:
    limit = calibrated_limit(judge)
    problem = stdio_problem("under-load", TESTS, time_limit_s=limit)
    samples = [sample(problem, WORK) for _ in range(6 * CORES)]
    with busy_cores():
        results = judge_samples([problem], samples, config=JudgeConfig(), jobs=2 * CORES)
    assert len(results) == len(samples)
    tests = [t for r in results for t in r.tests]
    measured = f"limit {limit:.3f} s, most CPU {max(t.cpu_s for t in tests):.3f} s, wall {max(t.wall_s for t in tests):.3f} s"
    assert [t.verdict for t in tests] == [Verdict.AC] * len(tests), measured
    assert max(t.cpu_s for t in tests) < limit, measured
    # The load was real: the runs got only part of a core each.
    assert sum(t.wall_s for t in tests) > 1.5 * sum(t.cpu_s for t in tests), measured
