"""How fast this machine runs now, against the machine that calibrated a benchmark's limits.

A built benchmark records, per problem and language, its reference's CPU time on its
slowest test (`metadata.ref_cpu_s`, `metadata.ref_slowest_test`). Judging those same
tests again now gives the factor by which this machine is slower (or faster) than the
calibration machine, for the same work: the median over every reference long enough to
time well. CPU time is what decides TLE, but it is not independent of load: on a busy
shared machine (a VM whose neighbours compete for caches and cores) the same program
was measured at 2 to 4 times its idle CPU time. `validate` judges with this factor as the
judge's `time_scale`, so its checks — the tags hold on a machine 2x slower and 2x faster
than the calibration machine — answer the same on a busy machine as on an idle one.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from codefrontier.authoring.judging import authoring_config, judge_tasks, restricted
from codefrontier.contracts import Problem, Sample, Verdict
from codefrontier.judge import JudgePool, Mode

PROBE_MIN_S = 0.05  # a reference faster than this on its slowest test is too short to time well
PROBE_TIME_FACTOR = 10.0  # a probe runs with its limit this many times over (it measures, it does not judge)


@dataclass(frozen=True)
class MachineSpeed:
    """`factor`: this machine's CPU time over the calibration machine's for the same work
    (2.0: twice as slow), from `probes` references; 1.0 when nothing was recorded."""

    factor: float = 1.0
    probes: int = 0

    def describe(self, use: str = "judged with time scale") -> str:
        """One line for a report; `use` says what the factor was used for."""
        if not self.probes:
            return "no calibration times recorded: limits are taken as they are on this machine"
        # 0.84 is 1.19x faster (each piece of work takes 0.84 of the time), not "0.84x faster"
        pace = f"{self.factor:.2f}x slower" if self.factor >= 1 else f"{1 / self.factor:.2f}x faster"
        return (
            f"this machine ran {pace} than the one that calibrated the limits (median over {self.probes} "
            f"references on their slowest test): {use} {self.factor:.2f}"
        )


def probe_tasks(problems: Sequence[Problem]) -> list[tuple[Problem, Sample, float]]:
    """Each reference with a recorded time of at least PROBE_MIN_S, on its recorded slowest
    test: (that test alone, with a generous limit; the reference; the recorded time)."""
    tasks = []
    for problem in problems:
        times = problem.metadata.get("ref_cpu_s")
        slowest = problem.metadata.get("ref_slowest_test")
        if not isinstance(times, dict) or not isinstance(slowest, dict):
            continue
        probed: set[str] = set()  # one reference per language
        for index, solution in enumerate(problem.solutions):
            recorded = times.get(solution.language)
            test = next((t for t in problem.tests if t.id == slowest.get(solution.language)), None)
            usable = isinstance(recorded, int | float) and recorded >= PROBE_MIN_S and test is not None
            if solution.expected is not Verdict.AC or solution.language in probed or not usable:
                continue
            probed.add(solution.language)
            sample = Sample(
                problem.id, f"speed probe {solution.name}", index, solution.language, solution.code
            )
            tasks.append(
                (restricted(problem, [test], time_factor=PROBE_TIME_FACTOR), sample, float(recorded))
            )
    return tasks


def measure_speed(
    pool: JudgePool, problems: Sequence[Problem], *, isolation: str = "auto", progress: bool = False
) -> MachineSpeed:
    """Judge the references on their recorded slowest tests and compare the CPU times."""
    tasks = probe_tasks(problems)
    if not tasks:
        return MachineSpeed()
    config = authoring_config(Mode.ALL, isolation)
    results = judge_tasks(pool, [(p, s) for p, s, _ in tasks], config, progress=progress, label="speed probe")
    ratios = [
        r.tests[0].cpu_s / recorded
        for r, (_, _, recorded) in zip(results, tasks, strict=True)
        if r.tests and r.tests[0].verdict is Verdict.AC
    ]
    if not ratios:
        return MachineSpeed()
    return MachineSpeed(round(statistics.median(ratios), 2), len(ratios))
