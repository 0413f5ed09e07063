"""How the problem-setter tools judge: through the judge's pool, with the judge's
languages, sandbox and comparison, under CPU limits only.

Known solutions are judged to certify a benchmark, so a verdict must not depend on how
busy the machine is: time is CPU time (what decides TLE in the judge), and the wall-clock
backstop — there only to stop programs that sleep — is set far enough out that a loaded
machine never reaches it before the CPU limit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from concurrent.futures import wait

from codefrontier.contracts import Problem, Sample, SampleResult, TestCase
from codefrontier.judge import JudgeConfig, JudgePool, Mode, judge_progress

WALL_FACTOR = 40.0  # wall backstop = 40 x the CPU limit + 1 s: a CPU-bound run meets its CPU limit first


def authoring_config(mode: Mode, isolation: str = "auto", time_scale: float = 1.0) -> JudgeConfig:
    """The judge's settings for known solutions: `mode`, and every time limit times `time_scale`."""
    return JudgeConfig(mode=mode, isolation=isolation, wall_factor=WALL_FACTOR, time_scale=time_scale)


def judge_tasks(
    pool: JudgePool,
    tasks: Sequence[tuple[Problem, Sample]],
    config: JudgeConfig,
    *,
    progress: bool = False,
    label: str = "judging",
) -> list[SampleResult]:
    """Judge (problem, sample) pairs on `pool` with `config`; results in the order given.
    Each task carries its own problem, so a task may judge a variant of a problem (fewer
    tests, other limits). Stopping early cancels what has not started."""
    if not tasks:
        return []
    ordered = sorted(
        range(len(tasks)), key=lambda i: (tasks[i][0].id, tasks[i][1].policy, tasks[i][1].sample)
    )
    futures = dict(zip(ordered, pool.submit_many([tasks[i] for i in ordered], config), strict=True))
    bar = judge_progress(progress, len(tasks), label)
    try:
        remaining = set(futures.values())
        while remaining:  # a timeout keeps Ctrl-C responsive
            done, remaining = wait(remaining, timeout=0.5, return_when="FIRST_COMPLETED")
            if bar is not None:
                for future in done:
                    bar.advance(future.result())
    finally:
        if bar is not None:
            bar.close()
        for future in futures.values():
            future.cancel()  # a worker skips a cancelled sample it has not started
    return [futures[i].result() for i in range(len(tasks))]


def restricted(problem: Problem, tests: Iterable[TestCase], *, time_factor: float = 1.0) -> Problem:
    """`problem` with only `tests` (in the given order) and its time limits times `time_factor`."""
    return dataclasses.replace(
        problem,
        tests=list(tests),
        time_limit_s=problem.time_limit_s * time_factor,
        time_limits={lang: limit * time_factor for lang, limit in problem.time_limits.items()},
    )
