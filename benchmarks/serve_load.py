"""Sustained throughput and latency of `codefrontier serve` against in-process judging.

Judges one workload in-process (a `Rewarder` on a local pool of --jobs sandboxes) for
--seconds, then starts `codefrontier serve` on loopback with the same number of
workers and drives it with --clients concurrent clients, each sending /reward batches of
--batch completions back to back for --seconds. Prints sustained samples/s, tests/s and
p50/p99 request latency for both, and the service/in-process ratio (the HTTP overhead).
Never passes or fails on the numbers.

The workload is every Python solution of the problems except the TLE-tagged ones
(--with-tle keeps them): by default a generated set of small tiered stdio problems,
or --benchmark NAME / --problems FILE.

    .venv/bin/python benchmarks/serve_load.py [--jobs 2 --clients 4 --batch 8 --seconds 20 --level small]
"""

from __future__ import annotations

import argparse
import itertools
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from codefrontier.contracts import Problem, ProblemKind, Solution, TestCase
from codefrontier.judge.pool import default_jobs
from codefrontier.problems.io import save_problems
from codefrontier.problems.registry import resolve_problems
from codefrontier.rewards import Rewarder, RewardItem, RewardSpec
from codefrontier.rewards.client import RewardClient

SUM_REF = "import sys\nprint(sum(map(int, sys.stdin.read().split()[1:])))\n"
SUM_WA = "import sys\nprint(sum(map(int, sys.stdin.read().split()[2:])))\n"  # skips the first value
TIERS = {"tiny": 5, "small": 50, "medium": 2_000, "large": 50_000}


def generated_problems(count: int = 8, seed: int = 0) -> list[Problem]:
    rng = random.Random(seed)
    problems = []
    for k in range(count):
        tests = []
        for tier, n in TIERS.items():
            for i in range(3):
                values = [rng.randint(-1000, 1000) for _ in range(n)]
                text = f"{n}\n{' '.join(map(str, values))}\n"
                tests.append(TestCase(f"{tier}-{i}", text, f"{sum(values)}\n", size=n, tier=tier))
        problems.append(
            Problem(
                id=f"sum-{k}",
                kind=ProblemKind.STDIO,
                statement="Print the sum.",
                tests=tests,
                tiers=list(TIERS),
                solutions=[
                    Solution("ref.py", "python", SUM_REF),
                    Solution("wa_skip.py", "python", SUM_WA, "WA"),
                ],
            )
        )
    return problems


def workload(problems: list[Problem], with_tle: bool) -> list[RewardItem]:
    return [
        RewardItem(p.id, s.code, "python")
        for p in problems
        for s in p.solutions
        if s.language == "python" and (with_tle or s.expected != "TLE")
    ]


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples = 0
        self.tests = 0
        self.missing = 0
        self.latencies: list[float] = []

    def add(self, rewards: list, seconds: float) -> None:
        with self.lock:
            self.samples += len(rewards)
            self.tests += sum(r.tests_run for r in rewards)
            self.missing += sum(r.value is None for r in rewards)
            self.latencies.append(seconds)

    def line(self, name: str, elapsed: float) -> tuple[float, float]:
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) if lat else float("nan")
        p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))] if lat else float("nan")
        sps, tps = self.samples / elapsed, self.tests / elapsed
        print(
            f"{name:<12} {sps:9.1f} samples/s {tps:9.1f} tests/s   p50 {p50 * 1000:8.1f} ms   "
            f"p99 {p99 * 1000:8.1f} ms   ({self.samples} samples, {len(lat)} batches, {self.missing} missing)"
        )
        return sps, tps


def drive(send, items: list[RewardItem], clients: int, batch: int, seconds: float) -> tuple[Tally, float]:
    """`clients` threads sending batches back to back until `seconds` have passed."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    start = time.monotonic()

    def client(k: int) -> None:
        cycle = itertools.cycle(items[k % len(items) :] + items[: k % len(items)])
        while time.monotonic() < deadline:
            chunk = [next(cycle) for _ in range(batch)]
            t0 = time.monotonic()
            rewards = send(k, chunk)
            tally.add(rewards, time.monotonic() - t0)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - start


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--benchmark")
    source.add_argument("--problems", type=Path)
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--kind", default="level")
    parser.add_argument("--level", default="small")
    parser.add_argument("--with-tle", action="store_true")
    args = parser.parse_args()

    if args.benchmark or args.problems:
        name, problems = resolve_problems(args.benchmark, args.problems)
    else:
        name, problems = "generated", generated_problems()
    spec = RewardSpec(args.kind, args.level if args.kind != "binary" else None)
    items = workload(problems, args.with_tle)
    print(
        f"workload: {len(items)} completions of {len(problems)} problems ({name}); reward {spec.kind.value}"
        f"{f', level {spec.level}' if spec.level is not None else ''}; {args.jobs} workers, {args.clients} clients x batches of {args.batch}, "
        f"{args.seconds:g} s each; {time.strftime('%Y-%m-%d')}"
    )

    with Rewarder(problems, jobs=args.jobs) as rewarder:
        rewarder.rewards(items[: args.jobs], spec)  # warm: test data cached, sandboxes ready
        local, local_s = drive(
            lambda k, chunk: rewarder.rewards(chunk, spec), items, args.clients, args.batch, args.seconds
        )
    local_sps, local_tps = local.line("in-process", local_s)

    with tempfile.TemporaryDirectory() as tmp:
        problems_file = Path(tmp) / "problems.jsonl"
        save_problems(problems_file, problems)
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "codefrontier.cli",
                "serve",
                "--problems",
                str(problems_file),
                "--port",
                str(port),
                "--jobs",
                str(args.jobs),
                "--max-queue",
                str(max(1024, args.clients * args.batch)),
                "--log-level",
                "warning",
            ],
        )
        url = f"http://127.0.0.1:{port}"
        try:
            with RewardClient(url, retries=60, backoff=0.1, max_backoff=0.5) as probe:
                probe.health()  # waits until it listens
                probe.rewards(items[: args.jobs], spec)  # warm
            clients = [RewardClient(url) for _ in range(args.clients)]
            served, served_s = drive(
                lambda k, chunk: clients[k].rewards(chunk, spec),
                items,
                args.clients,
                args.batch,
                args.seconds,
            )
            for c in clients:
                c.close()
        finally:
            server.terminate()
            server.wait(timeout=120)
    served_sps, served_tps = served.line("service", served_s)
    print(
        f"service / in-process: samples/s x{served_sps / local_sps:.3f}, tests/s x{served_tps / local_tps:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
