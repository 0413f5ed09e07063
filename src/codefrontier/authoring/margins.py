"""How far a known solution is from changing verdict on another machine.

A tagged solution must keep its verdict on a machine `MARGIN` (2) times slower and
`MARGIN` times faster. Time is the judge's measure, the CPU seconds of every process of a
run (so the load of the machine does not change it); memory is the run's peak, which
the speed of a machine does not change. A solution's verdict is the verdict of its first
failing test `f` in size order, so only the tests up to `f` matter, and on a machine `s`
times slower a test that used `c` seconds uses `s * c`. With L the language's CPU limit
and M the memory limit:

* AC (references): every test finishes within L/2 (AC on a machine 2x slower) with
  2x memory headroom (peak <= M/2);
* WA, RE: every test before `f` and `f` itself finish within L/2 with peak <= M/2: they
  finish on a machine 2x slower, and `f` fails the same way, far from the memory limit;
* MLE: the tests before `f` as for WA; `f` is stopped at the memory limit for the right
  reason — the kernel killed the run at the limit, or its peak is at the limit (the
  judge's MLE rule) — after at most L/2 of CPU, so on a machine 2x slower the memory
  limit still comes before the time limit;
* TLE: on a slower machine a TLE stays TLE (a test before `f` may only turn TLE too),
  so only the lowest level, which it must pass (the nested property), needs to finish
  within L/2. On a machine 2x faster: the tests from `f` on are judged again with 2L, in
  first-fail mode, and the first one that fails must still be TLE (it needs more than
  2L); the tests before `f` keep 2x memory headroom.

On a machine faster than this one, every verdict but TLE only moves further from its
limit. Each margin shown is the factor by which the machine may change before the
verdict would.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from codefrontier.contracts import TestResult, Verdict

MARGIN = 2.0  # a tagged verdict must survive a machine this many times slower or faster
MLE_PEAK_FRACTION = 0.95  # the judge calls a failed run whose peak came this close to the limit MLE


@dataclass(frozen=True)
class Margins:
    """The margins of one judged solution (the rule: this module's docstring).

    `slower`: how many times slower the machine may be before a test that must finish in
    time would not (L over the most CPU such a test used). `memory`: M over the highest
    peak of a test that must stay clear of the memory limit. `faster` (TLE only): the CPU
    of the first failing test when allowed `MARGIN` x L, over L (0 when none failed by
    time). `reached_memory` (MLE only): whether the failing test stopped at the limit."""

    expected: Verdict
    limit_s: float
    memory_mb: float
    slower: float = math.inf
    slowest_test: str | None = None
    slowest_cpu_s: float = 0.0
    memory: float = math.inf
    highest_test: str | None = None
    highest_mb: float = 0.0
    failing_test: str | None = None
    failing_cpu_s: float = 0.0
    faster: float | None = None
    faster_verdict: Verdict | None = None
    reached_memory: bool | None = None

    def failures(self, margin: float = MARGIN) -> list[str]:
        """Why the verdict would change on a machine `margin` times slower or faster."""
        out = []
        if self.slower < margin:
            out.append(
                f"test {self.slowest_test} would exceed the time limit on a machine {self.slower:.2g}x slower"
            )
        if self.memory < margin:
            out.append(f"test {self.highest_test} leaves only {self.memory:.2g}x memory headroom")
        if self.expected is Verdict.TLE and (self.faster is None or self.faster < margin):
            got = self.faster_verdict.value if self.faster_verdict is not None else "nothing"
            out.append(f"allowed {margin:g}x its time limit from test {self.failing_test} on, it gets {got}")
        if self.expected is Verdict.MLE and not self.reached_memory:
            out.append(f"test {self.failing_test} did not reach the memory limit")
        return out

    def describe(self) -> str:
        """The margins as the validate report shows them."""
        parts = []
        if self.slowest_test is not None:
            parts.append(
                f"slower {_factor(self.slower)} (CPU {self.slowest_cpu_s:.3f} of {self.limit_s:g} s, "
                f"{self.slowest_test})"
            )
        if self.expected is Verdict.TLE and self.faster is not None:
            if self.faster_verdict is Verdict.TLE:
                parts.append(
                    f"faster {_factor(self.faster)} ({self.failing_test} TLE after {self.failing_cpu_s:.2f} s "
                    f"of {MARGIN * self.limit_s:g} s)"
                )
            else:
                parts.append(f"faster: with {MARGIN * self.limit_s:g} s it gets {self.faster_verdict}")
        if self.expected is Verdict.MLE and self.failing_test is not None:
            how = "at the memory limit" if self.reached_memory else "below the memory limit"
            parts.append(f"MLE {how} after {self.failing_cpu_s:.3f} s ({self.failing_test})")
        if self.highest_test is not None:
            parts.append(
                f"memory {_factor(self.memory)} ({self.highest_mb:.0f} of {self.memory_mb:g} MiB, "
                f"{self.highest_test})"
            )
        return "; ".join(parts)


def _factor(value: float) -> str:
    return "-" if math.isinf(value) else f"{value:.1f}x"


def solution_margins(
    expected: Verdict,
    tests: Sequence[TestResult],
    limit_s: float,
    memory_mb: float,
    *,
    lowest_level: Collection[str] = (),
    faster_run: Sequence[TestResult] | None = None,
) -> Margins:
    """The margins of a solution tagged `expected`, from its tests judged in size order
    (first-fail mode is enough: nothing after the first failing test matters).
    TLE only: `lowest_level`, the ids of the tests it must pass; `faster_run`, its tests
    from the first failing one on, judged in first-fail mode with `MARGIN` x the limit."""
    failing = next((i for i, t in enumerate(tests) if t.verdict is not Verdict.AC), None)
    before = list(tests if failing is None else tests[:failing])
    in_time = list(before)  # tests that must finish in time on a machine 2x slower
    under_memory = list(before)  # tests that must keep clear of the memory limit
    fields: dict[str, object] = {}
    if failing is not None:
        f = tests[failing]
        fields |= {"failing_test": f.test_id, "failing_cpu_s": f.cpu_s}
        if expected in (Verdict.WA, Verdict.RE):
            in_time.append(f)
            under_memory.append(f)
        elif expected is Verdict.MLE:
            in_time.append(f)
            fields["reached_memory"] = f.verdict is Verdict.MLE and f.rss_mb >= MLE_PEAK_FRACTION * memory_mb
        elif expected is Verdict.TLE:
            in_time = [t for t in before if t.test_id in lowest_level]
            fields |= _faster(faster_run, limit_s)
    time = _closest(in_time, lambda t: t.cpu_s, limit_s)
    if time is not None:
        fields |= dict(zip(("slowest_test", "slowest_cpu_s", "slower"), time, strict=True))
    memory = _closest(under_memory, lambda t: t.rss_mb, memory_mb)
    if memory is not None:
        fields |= dict(zip(("highest_test", "highest_mb", "memory"), memory, strict=True))
    return Margins(expected, limit_s, memory_mb, **fields)  # type: ignore[arg-type]


def _closest(
    tests: Sequence[TestResult], measure: Callable[[TestResult], float], limit: float
) -> tuple[str, float, float] | None:
    """The test that comes closest to `limit` by `measure`: its id, its value, and the limit
    over that value (how many times the value may grow before it reaches the limit)."""
    if not tests:
        return None
    closest = max(tests, key=measure)
    value = measure(closest)
    return closest.test_id, value, limit / value if value > 0 else math.inf


def _faster(run: Sequence[TestResult] | None, limit_s: float) -> dict[str, object]:
    """What the run with `MARGIN` x the limit says: the sandbox stops a run at its CPU limit
    only once past it, so a TLE there used more than `MARGIN` x L."""
    if run is None:
        return {}
    failing = next((t for t in run if t.verdict is not Verdict.AC), None)
    if failing is None:
        return {"faster": 0.0, "faster_verdict": Verdict.AC}
    faster = failing.cpu_s / limit_s if failing.verdict is Verdict.TLE else 0.0
    return {
        "faster": faster,
        "faster_verdict": failing.verdict,
        "failing_test": failing.test_id,
        "failing_cpu_s": failing.cpu_s,
    }
