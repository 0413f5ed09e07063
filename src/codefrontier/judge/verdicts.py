"""Verdicts and failure classes (DESIGN.md, "Core contracts").

A verdict is per test; a sample's verdict and failure class are derived from its
tests. `IE` is the judge's fault and is never charged to the sample.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Verdict(StrEnum):
    AC = "AC"  # accepted
    WA = "WA"  # wrong answer
    TLE = "TLE"  # CPU time limit (or the wall-clock backstop) exceeded
    MLE = "MLE"  # memory limit exceeded
    RE = "RE"  # runtime error: non-zero exit, signal, uncaught exception
    CE = "CE"  # compile error
    OLE = "OLE"  # output limit exceeded
    IE = "IE"  # internal error of the judge: never the sample's fault


class FailureClass(StrEnum):
    SOLVED = "solved"  # every test AC
    CORRECTNESS = "correctness"  # some test WA, RE, CE or OLE
    OPTIMIZATION = "optimization"  # no correctness failure, but some TLE or MLE
    INTERNAL = "internal"  # the judge failed (IE): excluded from every rate


CORRECTNESS_VERDICTS = frozenset({Verdict.WA, Verdict.RE, Verdict.CE, Verdict.OLE})
OPTIMIZATION_VERDICTS = frozenset({Verdict.TLE, Verdict.MLE})


def failure_class(verdicts: Iterable[Verdict | str]) -> FailureClass:
    """Classify a sample from its test verdicts: any IE makes it internal; else any
    correctness verdict makes it a correctness failure; else any TLE/MLE an
    optimization failure; else solved. An empty list is internal (nothing was judged)."""
    seen = {Verdict(v) for v in verdicts}
    if not seen or Verdict.IE in seen:
        return FailureClass.INTERNAL
    if seen & CORRECTNESS_VERDICTS:
        return FailureClass.CORRECTNESS
    if seen & OPTIMIZATION_VERDICTS:
        return FailureClass.OPTIMIZATION
    return FailureClass.SOLVED


def sample_verdict(ordered_verdicts: Iterable[Verdict | str]) -> Verdict:
    """A sample's verdict: IE if any test is IE, otherwise the verdict of the first
    non-AC test in suite order (smallest first), otherwise AC."""
    verdicts = [Verdict(v) for v in ordered_verdicts]
    if not verdicts or Verdict.IE in verdicts:
        return Verdict.IE
    return next((v for v in verdicts if v is not Verdict.AC), Verdict.AC)
