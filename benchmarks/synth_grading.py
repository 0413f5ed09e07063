"""Grading throughput of the four synthetic environments, against a plain
`subprocess.run` per attempt measured in the same run.

For each environment: 100 problems (five templates of pure functions with varying
constants), M = 32 student attempts each (half right, half wrong, written in the
environment's answer format). Two ways to grade every attempt:

* codefrontier: `codefrontier.synth.Grader` — each attempt read by its environment and
  judged as a function sample in the sandbox (a warm zygote per worker, one forked
  process per attempt, values compared in the judge), `--jobs` workers;
* the peer: per attempt, one `subprocess.run([python, "-c", script])` in a thread pool of
  the same width: the script defines the attempt's program, calls it on every test and
  prints the results as JSON, which the parent compares (no isolation at all).

Both must give the same rewards. Prints attempts graded per second and the ratio; never
fails on time.

    .venv/bin/python benchmarks/synth_grading.py [--problems 100] [--attempts 32] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from codefrontier.sandbox import values
from codefrontier.synth import ENVIRONMENTS, Grader, SynthTask
from codefrontier.synth.literals import arguments_text, to_source

TEMPLATES = [
    (
        "def f(xs, k):\n    return sorted(xs)[:k] + [{c}]\n",
        lambda i: [([3, 1, i], 2), ([5, i], 1), ([], 0), ([9, 8, 7, i], 3), ([1, 1], 1)],
    ),
    (
        "def f(s):\n    return ''.join(ch * {c} for ch in s if ch.isalpha())\n",
        lambda i: [(f"a{i}b",), ("xyz",), ("",), ("q-r",), (f"{i}k",)],
    ),
    (
        "def f(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, (a + b) % {c}\n    return a\n",
        lambda i: [(i,), (1,), (10,), (25,), (i + 3,)],
    ),
    (
        "def f(d, key):\n    return {{k: v * {c} for k, v in d.items() if k != key}}\n",
        lambda i: [
            ({"a": 1, "b": i}, "a"),
            ({}, "x"),
            ({"x": 2}, "y"),
            ({"p": i}, "p"),
            ({"m": 3, "n": 4}, "n"),
        ],
    ),
    (
        "def f(xs):\n    return tuple(x % {c} for x in xs)\n",
        lambda i: [([i, 2 * i],), ([],), ([7],), ([1, 2, 3],), ([100, i],)],
    ),
]
FUZZ_CHECKS = (
    "\n\ndef pre_test_f(*args):\n    return True\n\n\ndef test_f(*args):\n    return len(repr(args)) < 12\n"
)


def make_task(env: str, index: int) -> SynthTask:
    template, inputs_of = TEMPLATES[index % len(TEMPLATES)]
    c = 2 + index // len(TEMPLATES)
    program = template.format(c=c)
    inputs = inputs_of(index)
    namespace: dict = {}
    exec(program, namespace)  # trusted: the benchmark's own templates
    outputs = [namespace["f"](*args) for args in inputs]
    if env == "fuzzing":
        program += FUZZ_CHECKS
    return SynthTask(f"{env}-{index}", env, program, inputs, outputs, "a hint")


def answers_for(task: SynthTask, attempts: int) -> list[str]:
    env = ENVIRONMENTS[task.env]
    if task.env == "induction":
        right = env.correct_answer(task)
        wrong = right.replace("return", "return None or", 1).replace("None or", "0 and", 1)
    elif task.env == "deduction":
        right = env.correct_answer(task)
        wrong = "\n".join(f"```output\n{to_source(o)}\n```" for o in [None, *task.outputs[1:]])
    elif task.env == "abduction":
        right = env.correct_answer(task)
        wrong = "\n".join(f"```input\n{arguments_text(a)}\n```" for a in [task.inputs[1], *task.inputs[1:]])
    else:
        right = "```input\n" + arguments_text(("a long enough argument",)) + "\n```"
        wrong = "```input\n1\n```"
    return [right if j % 2 == 0 else wrong for j in range(attempts)]


PEER_SCRIPT = """
import json, sys
{program}
results = []
for k, args in enumerate({tests}):
    try:
        results.append(["ok", {entry}(*args)])
    except Exception as exc:
        results.append(["error", type(exc).__name__])
print(json.dumps(results, default=repr))
"""


def peer_grade(task: SynthTask, answer: str) -> float:
    """One plain subprocess per attempt: run it, compare the printed results here."""
    env = ENVIRONMENTS[task.env]
    problem = env.problem(task)
    parsed = env.parse_answer(answer, task)
    if parsed.code is None:
        return 0.0
    code = extract(parsed.code, task.env)
    program = (problem.prelude + "\n" if problem.prelude else "") + code
    tests = [[values.decode(a) for a in t.input] for t in problem.tests]
    script = PEER_SCRIPT.format(program=program, tests=to_source(tests), entry=problem.entry_point)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=10)
    if done.returncode != 0:
        return 0.0
    results = json.loads(done.stdout.splitlines()[-1])
    for (status, got), test in zip(results, problem.tests, strict=True):
        want = json.loads(json.dumps(values.decode(test.output), default=repr))
        if status != "ok" or got != want:
            return 0.0
    return 1.0


def extract(code: str, env: str) -> str:
    if env != "induction":
        return code
    from codefrontier.judge import extract_program

    return extract_program(code, "python")[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--problems", type=int, default=100)
    parser.add_argument("--attempts", type=int, default=32)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--envs", nargs="+", default=list(ENVIRONMENTS))
    parser.add_argument(
        "--peer-problems",
        type=int,
        default=None,
        help="grade only the first N problems' attempts the peer's way (its rate is per attempt; default: all)",
    )
    args = parser.parse_args()
    print(f"{args.problems} problems x {args.attempts} attempts per environment, {args.jobs} workers")
    started = time.perf_counter()
    grader = Grader(jobs=args.jobs)
    print(f"judge pool start: {time.perf_counter() - started:.2f} s (not counted below)")
    try:
        for env in args.envs:
            tasks = [make_task(env, i) for i in range(args.problems)]
            batch = [(t, answers_for(t, args.attempts)) for t in tasks]
            n = args.problems * args.attempts
            t0 = time.perf_counter()
            ours = [[r.reward for r in results] for results in grader.grade_many(batch)]
            ours_s = time.perf_counter() - t0
            peer_batch = batch[: args.peer_problems or len(batch)]
            m = len(peer_batch) * args.attempts
            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.jobs) as threads:
                flat = [(t, a) for t, answers in peer_batch for a in answers]
                graded = list(threads.map(lambda ta: peer_grade(*ta), flat))
            peer_s = time.perf_counter() - t0
            peer = [graded[i * args.attempts : (i + 1) * args.attempts] for i in range(len(peer_batch))]
            agree = sum(a == b for x, y in zip(ours, peer, strict=False) for a, b in zip(x, y, strict=True))
            passed = sum(r == 1.0 for x in ours for r in x)
            ours_rate, peer_rate = n / ours_s, m / peer_s
            print(
                f"{env:>10}: codefrontier {ours_rate:7.1f} attempts/s ({n} in {ours_s:6.2f} s)   "
                f"subprocess.run {peer_rate:6.1f} attempts/s ({m} in {peer_s:6.2f} s)   "
                f"ratio {ours_rate / peer_rate:5.1f}x   rewards agree {agree}/{m}, passed {passed}/{n}"
            )
    finally:
        grader.close()


if __name__ == "__main__":
    main()
