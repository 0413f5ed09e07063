"""Tracing speed on CruxEval's 800 programs, against peers measured in the same run.

1. The 800 calls ``f(input)`` traced in the sandbox (one fresh process per trace, one
   sandbox per worker), and the same 800 calls untraced on the same sandboxes through the
   same script (only `sys.settrace` left out): their ratio is the tracing overhead.
   Both with the default fixed hash seed (each run re-executes a fresh interpreter with
   PYTHONHASHSEED=0) and without it (a fork of the sandbox's warm interpreter).
2. The CruxEval harness's own way of checking one program: `check_correctness` starts a
   `multiprocessing.Manager` and a `multiprocessing.Process` per check. The same 800
   checks (``{code}\\nassert {output} == f({input})``) run that way, inside one sandbox
   run per worker (they are dataset code), and as codefrontier's CruxEval scorer runs
   them (a fork per check, 16 checks per sandbox run).
3. The goal: the 800 traces plus a 16-action trajectory each (traces.build_dataset, the
   Parquet files written) in under a minute on 2 cores.

Prints numbers and ratios; never fails on time.

    .venv/bin/python benchmarks/traces_speed.py [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

from codefrontier.judge import default_jobs
from codefrontier.sandbox import Limits, memfd_from_bytes
from codefrontier.traces import TraceLimits, Tracer
from codefrontier.traces.cruxeval import check_program, load_cruxeval, score_generations
from codefrontier.traces.trajectories import build_dataset, cruxeval_sources
from codefrontier.traces.workers import SandboxPool

# check_correctness's mechanism, as facebookresearch/cruxeval's evaluation/utils_execute.py
# uses it: a Manager (a server process) and a Process per check, joined with a timeout.
HARNESS_WAY = r"""
import json, multiprocessing, sys

def unsafe_execute(program, result):
    try:
        exec(program, {})
        result.append("passed")
    except BaseException as e:
        result.append(f"failed: {e}")

def check_correctness(program, timeout=3):
    manager = multiprocessing.Manager()
    result = manager.list()
    p = multiprocessing.Process(target=unsafe_execute, args=(program, result))
    p.start()
    p.join(timeout=timeout + 1)
    if p.is_alive():
        p.kill()
    if not result:
        result.append("timed out")
    outcome = result[0] == "passed"
    manager.shutdown()
    return outcome

if __name__ == "__main__":
    multiprocessing.set_start_method("fork")
    programs = json.loads(sys.stdin.read())
    print(json.dumps([check_correctness(p) for p in programs]))
"""


def timed(work):  # noqa: ANN001, ANN201
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def tracing(items, jobs: int, hash_seed: int | None) -> tuple[float, float, int]:  # noqa: ANN001
    calls = [(item.code, item.call) for item in items]
    with Tracer(TraceLimits(hash_seed=hash_seed), jobs=jobs) as tracer:
        list(tracer.run_many(calls[: jobs * 4]))  # start every sandbox before the clock
        plain, untraced_s = timed(lambda: list(tracer.run_many(calls)))
        traced, traced_s = timed(lambda: list(tracer.trace_many(calls)))
    assert all(t.outcome == "returned" for t in traced) and [t.value for t in traced] == [
        p.value for p in plain
    ]
    return traced_s, untraced_s, sum(len(t.events) for t in traced)


def harness_way(items, jobs: int) -> float:  # noqa: ANN001
    programs = [check_program(item, item.call) for item in items]
    chunks = [programs[k::jobs] for k in range(jobs)]
    code = memfd_from_bytes(HARNESS_WAY.encode())
    with SandboxPool(jobs) as pool:
        list(pool.map(lambda sb, _: sb.run_python(code, None, Limits(cpu_s=1, wall_s=5)), range(jobs)))

        def run(sb, chunk):  # noqa: ANN001, ANN202
            result = sb.run_python(
                code,
                memfd_from_bytes(json.dumps(chunk).encode()),
                Limits(cpu_s=600, wall_s=1200, memory_mb=4096),
            )
            return json.loads(result.stdout or b"[]")

        results, seconds = timed(lambda: list(pool.map(run, chunks)))
    passed = sum(sum(r) for r in results)
    assert passed == len(items), f"the harness way passed {passed} of {len(items)}"
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=default_jobs())
    args = parser.parse_args()
    items = load_cruxeval()
    n = len(items)
    print(f"CruxEval: {n} programs, {args.jobs} workers")

    print("\n1. tracing overhead (same sandboxes, same script, settrace on vs off)")
    for label, seed in (("fixed hash seed (default)", 0), ("fork, no fixed hash seed", None)):
        traced_s, untraced_s, events = tracing(items, args.jobs, seed)
        print(
            f"  {label:28s} traced {traced_s:6.2f} s ({events} events)  untraced {untraced_s:6.2f} s  "
            f"overhead x{traced_s / untraced_s:.2f}  ({traced_s / n * 1000:.1f} ms per traced call)"
        )

    print("\n2. one check per fresh process: CruxEval's harness vs codefrontier's scorer")
    harness_s = harness_way(items, args.jobs)
    scored, ours_s = timed(
        lambda: score_generations({i.id: [i.call] for i in items}, "input", jobs=args.jobs)
    )
    assert scored.pass_at_1 == 100.0
    print(f"  harness's way (Manager + Process per check, in the sandbox)  {harness_s:6.2f} s")
    print(
        f"  codefrontier's scorer (a fork per check, 16 per run)       {ours_s:6.2f} s  x{harness_s / ours_s:.1f} faster"
    )
    traced_s, _, _ = tracing(items, args.jobs, 0)
    print(
        f"  traced calls (default) vs the harness's checks              x{harness_s / traced_s:.2f} the harness's time"
    )

    print("\n3. goal: 800 traces + a 16-action trajectory each, dataset written, < 60 s")
    with tempfile.TemporaryDirectory() as out:
        report, total_s = timed(
            lambda: build_dataset(cruxeval_sources(), out, actions=16, seed=0, jobs=args.jobs)
        )
    print(
        f"  traces build: {total_s:6.2f} s for {report.trajectories} trajectories, {report.transitions} transitions "
        f"({'met' if total_s < 60 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
