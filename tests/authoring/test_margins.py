"""The rule that decides whether a tagged solution keeps its verdict on a machine 2x
slower or 2x faster, per tag, from each test's measured CPU time and peak memory."""

from __future__ import annotations

from codefrontier.authoring.margins import solution_margins
from codefrontier.contracts import TestResult, Verdict

CPP_LIMIT_S, MEMORY_MB = 0.5, 256


def run(*tests: tuple[str, str, float, float]) -> list[TestResult]:
    """Judged tests in size order from (id, verdict, cpu seconds, peak MiB)."""
    return [
        TestResult(
            test_id=tid,
            test_index=i,
            size=i,
            tier=tid.split("-")[0],
            verdict=Verdict(v),
            cpu_s=cpu,
            rss_mb=mb,
        )
        for i, (tid, v, cpu, mb) in enumerate(tests)
    ]


def margins(expected: str, tests: list[TestResult], memory_mb: float = MEMORY_MB, **kw):  # type: ignore[no-untyped-def]
    return solution_margins(Verdict(expected), tests, CPP_LIMIT_S, memory_mb, **kw)


def test_an_mle_reached_after_more_than_half_the_time_limit_would_be_tle_on_a_slower_machine() -> None:
    # the reported case: 0.32 s of CPU to fill 256 MiB, against a 0.5 s limit
    slow = margins("MLE", run(("tiny-0", "AC", 0.001, 1), ("max-1", "MLE", 0.322, 256)))
    assert slow.slower < 2 and slow.slowest_test == "max-1"
    assert slow.failures() == ["test max-1 would exceed the time limit on a machine 1.6x slower"]
    quick = margins("MLE", run(("tiny-0", "AC", 0.001, 1), ("max-1", "MLE", 0.09, 128)), memory_mb=128)
    assert quick.failures() == []


def test_an_mle_must_be_stopped_at_the_memory_limit() -> None:
    below = margins("MLE", run(("tiny-0", "MLE", 0.01, 40)))
    assert below.failures() == ["test tiny-0 did not reach the memory limit"]
    assert margins("MLE", run(("tiny-0", "MLE", 0.01, 250))).failures() == []


def test_a_tle_must_still_be_tle_with_twice_its_limit() -> None:
    tests = run(("tiny-0", "AC", 0.01, 1), ("large-0", "TLE", 0.51, 1))
    finishes = margins("TLE", tests, lowest_level=["tiny-0"], faster_run=run(("large-0", "AC", 0.63, 1)))
    assert finishes.failures() == ["allowed 2x its time limit from test large-0 on, it gets AC"]
    later = run(("large-0", "AC", 0.63, 1), ("max-0", "TLE", 1.002, 1))
    keeps = margins("TLE", tests, lowest_level=["tiny-0"], faster_run=later)
    assert keeps.failures() == []
    assert keeps.failing_test == "max-0" and keeps.faster > 2


def test_a_tle_only_needs_its_lowest_level_to_stay_ac_on_a_slower_machine() -> None:
    # a test before the failing one that turns TLE on a slower machine leaves the verdict TLE
    tests = run(("tiny-0", "AC", 0.01, 1), ("large-0", "AC", 0.45, 1), ("large-1", "TLE", 0.51, 1))
    again = run(("large-1", "TLE", 1.01, 1))
    assert margins("TLE", tests, lowest_level=["tiny-0"], faster_run=again).failures() == []
    slow_tiny = run(("tiny-0", "AC", 0.3, 1), ("large-1", "TLE", 0.51, 1))
    failures = margins("TLE", slow_tiny, lowest_level=["tiny-0"], faster_run=again).failures()
    assert failures == ["test tiny-0 would exceed the time limit on a machine 1.7x slower"]


def test_a_wa_or_re_must_finish_its_failing_test_within_half_the_limit_far_from_the_memory_limit() -> None:
    assert margins("WA", run(("tiny-0", "AC", 0.01, 1), ("small-0", "WA", 0.3, 1))).slower < 2
    assert margins("RE", run(("small-0", "RE", 0.01, 200))).failures() == [
        "test small-0 leaves only 1.3x memory headroom"
    ]
    assert margins("WA", run(("tiny-0", "AC", 0.01, 1), ("small-0", "WA", 0.2, 100))).failures() == []


def test_a_reference_needs_twice_the_time_and_memory_it_uses_on_every_test() -> None:
    ok = margins("AC", run(("tiny-0", "AC", 0.01, 3), ("max-0", "AC", 0.2, 100)))
    assert ok.failures() == [] and ok.slower == 2.5 and ok.memory == 2.56
    assert "slower 2.5x (CPU 0.200 of 0.5 s, max-0)" in ok.describe()
    tight = margins("AC", run(("tiny-0", "AC", 0.01, 3), ("max-0", "AC", 0.26, 3)))
    assert tight.failures() == ["test max-0 would exceed the time limit on a machine 1.9x slower"]
