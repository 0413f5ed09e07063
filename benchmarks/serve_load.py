"""The service under load: throughput against in-process judging, memory under huge
bodies, and how Retry-After spreads out clients the queue refuses.

Three scenarios, each measured against a peer or floor in the same run:

throughput (default): judges one workload in-process (a `Rewarder` on a local pool of
  --jobs sandboxes) for --seconds, then starts `codefrontier serve` on loopback with the
  same number of workers and drives it with --clients concurrent clients, each sending
  /reward batches of --batch completions back to back for --seconds. Prints sustained
  samples/s, tests/s and p50/p99 request latency for both, and the service/in-process
  ratio (the HTTP overhead). The workload is every Python solution of the problems
  except the TLE-tagged ones (--with-tle keeps them): by default a generated set of small
  tiered stdio problems, or --benchmark NAME / --problems FILE.

--memory: the service's resident memory (its own process; sandboxes are apart) while
  it is sent bodies of --body-mb MB, one alone and then --bodies at once: a flood of
  tiny samples (5 million in 205 MB, the shape that once took 1.85 GB to parse) and a
  full batch of large programs whose last sample names an unknown problem (read, parsed
  and built whole, then refused 422). Prints the idle RSS, and the peak RSS over it for
  one body and for all at once, measured in the same server process.

--backpressure: --clients honest clients (they wait Retry-After, and never give up)
  each send --requests batches of --batch samples to a service with --max-queue 8
  (default), once under the Retry-After rule before (`--retry-after batch`: each batch
  estimated alone, so clients refused together come back together) and once under the
  rule now (`queue`: the queue ahead, with jitter). Prints, for each, the HTTP requests
  sent, how many were answered 429, and the time until every batch was judged.

Never passes or fails on the numbers.

    .venv/bin/python benchmarks/serve_load.py [--jobs 2 --clients 4 --batch 8 --seconds 20 --level small]
    .venv/bin/python benchmarks/serve_load.py --memory [--bodies 10 --body-mb 200]
    .venv/bin/python benchmarks/serve_load.py --backpressure [--clients 32 --max-queue 8 --batch 2 --requests 4]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

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


class Server:
    """`codefrontier serve` in its own process, on loopback."""

    def __init__(self, problems_file: Path, jobs: int, *options: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "codefrontier.cli",
                "serve",
                "--problems",
                str(problems_file),
                "--port",
                str(self.port),
                "--jobs",
                str(jobs),
                "--log-level",
                "warning",
                *options,
            ],
        )
        with RewardClient(self.url, retries=60, backoff=0.1, max_backoff=0.5) as probe:
            probe.health()  # waits until it listens

    def status(self, key: str) -> int:
        """A field of /proc/PID/status, in kB (VmRSS: resident now, VmHWM: peak)."""
        text = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(rf"^{key}:\s+(\d+) kB", text, re.M).group(1))

    def reset_peak(self) -> None:
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")  # VmHWM := VmRSS

    def requests_answered(self, status: int) -> int:
        with RewardClient(self.url) as client:
            text = client.metrics()
        return int(
            sum(
                s.value
                for family in text_string_to_metric_families(text)
                for s in family.samples
                if s.name == "codefrontier_requests_total" and s.labels["status"] == str(status)
            )
        )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=300)


def throughput(
    args: argparse.Namespace, problems: list[Problem], problems_file: Path, spec: RewardSpec
) -> None:
    items = workload(problems, args.with_tle)
    with Rewarder(problems, jobs=args.jobs) as rewarder:
        rewarder.rewards(items[: args.jobs], spec)  # warm: test data cached, sandboxes ready
        local, local_s = drive(
            lambda k, chunk: rewarder.rewards(chunk, spec), items, args.clients, args.batch, args.seconds
        )
    local_sps, local_tps = local.line("in-process", local_s)

    server = Server(problems_file, args.jobs, "--max-queue", str(max(1024, args.clients * args.batch)))
    try:
        with RewardClient(server.url) as probe:
            probe.rewards(items[: args.jobs], spec)  # warm
        clients = [RewardClient(server.url) for _ in range(args.clients)]
        served, served_s = drive(
            lambda k, chunk: clients[k].rewards(chunk, spec), items, args.clients, args.batch, args.seconds
        )
        for c in clients:
            c.close()
    finally:
        server.stop()
    served_sps, served_tps = served.line("service", served_s)
    print(
        f"service / in-process: samples/s x{served_sps / local_sps:.3f}, tests/s x{served_tps / local_tps:.3f}"
    )


# -- memory under huge bodies ---------------------------------------------------------------------
def tiny_flood(size: int) -> bytes:
    """As many one-character samples as fit in `size` bytes (5 million in 205 MB)."""
    record = b'{"problem_id": "sum-0", "code": "x"}, '
    return (
        b'{"samples": [' + record * ((size - 20) // len(record)) + b'{"problem_id": "sum-0", "code": "x"}]}'
    )


def full_batch(size: int, batch: int) -> bytes:
    """`batch` samples of large programs, `size` bytes in all; the last names an unknown
    problem, so the whole batch is read, parsed and built before it is refused (422)."""
    line = "print('padding a program to its size limit')  # " + "x" * 40 + "\n"
    code = line * max(1, (size // batch - 64) // (len(line) + 2))
    samples = [{"problem_id": "sum-0", "code": code} for _ in range(batch - 1)]
    samples.append({"problem_id": "no-such-problem", "code": code})
    return json.dumps({"samples": samples}).encode()


def post_raw(url: str, body: bytes) -> int:
    """POST `body` to /judge with its Content-Length; the status (0: the connection failed).
    The whole body is sent even when the answer comes early (the server reads the rest)."""
    host, port = url.removeprefix("http://").split(":")
    head = b"POST /judge HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
    try:
        with socket.create_connection((host, int(port)), timeout=600) as sock:
            sock.sendall(head % len(body))
            sock.sendall(body)
            answer = sock.recv(64)
    except OSError:
        return 0
    return int(answer.split()[1]) if answer.startswith(b"HTTP/1.1") else 0


def memory(args: argparse.Namespace, problems_file: Path) -> None:
    size = int(args.body_mb * 1_000_000)
    unbounded = str(2 * args.bodies * args.body_mb)  # MiB: every body parsed at once, as before the budget
    for budget, options, runs in [
        (
            "default budget",
            (),
            [
                ("tiny samples", 1),
                ("tiny samples", args.bodies),
                ("full batch", 1),
                ("full batch", args.bodies),
            ],
        ),
        ("no budget (peer)", ("--parse-budget-mb", unbounded), [("full batch", args.bodies)]),
    ]:
        server = Server(problems_file, args.jobs, *options)
        try:
            with RewardClient(server.url) as probe:
                probe.judge([{"problem_id": "sum-0", "code": SUM_REF}])  # warm
            idle = server.status("VmRSS")
            print(f"{budget}: service idle RSS {idle / 1024:.0f} MiB (pid {server.process.pid})", flush=True)
            made: dict[str, bytes] = {}
            for name, count in runs:
                if name not in made:  # one at a time: the client holds one body, sent by every thread
                    made.clear()
                    made[name] = tiny_flood(size) if name == "tiny samples" else full_batch(size, 1024)
                body = made[name]
                server.reset_peak()
                t0 = time.monotonic()
                with ThreadPoolExecutor(count) as senders:
                    statuses = Counter(senders.map(post_raw, [server.url] * count, [body] * count))
                elapsed = time.monotonic() - t0
                peak = server.status("VmHWM")
                answered = " ".join(f"{status or 'failed'} x{n}" for status, n in sorted(statuses.items()))
                print(
                    f"  {name:<13} {count:>2} x {len(body) / 1e6:4.0f} MB at once: peak RSS {peak / 1024:6.0f} MiB, "
                    f"{(peak - idle) / 1024:+6.0f} MiB over idle ({peak / idle:.2f}x idle); "
                    f"answers {answered}; {elapsed:.1f} s",
                    flush=True,
                )
        finally:
            server.stop()


# -- Retry-After and honest clients ----------------------------------------------------------------
def backpressure(
    args: argparse.Namespace, problems: list[Problem], problems_file: Path, spec: RewardSpec
) -> None:
    items = workload(problems, args.with_tle)
    results = {}
    for rule in ("batch", "queue"):
        server = Server(problems_file, args.jobs, "--max-queue", str(args.max_queue), "--retry-after", rule)
        try:
            with RewardClient(server.url) as probe:
                probe.rewards(items[: args.jobs], spec)  # warm
            before = server.requests_answered(200), server.requests_answered(429)

            def client(k: int, url: str = server.url) -> int:
                with RewardClient(url, retries=10_000, max_backoff=60) as honest:
                    for r in range(args.requests):
                        chunk = [items[(k * args.requests + r + i) % len(items)] for i in range(args.batch)]
                        honest.rewards(chunk, spec)
                return args.requests

            t0 = time.monotonic()
            with ThreadPoolExecutor(args.clients) as clients:
                done = sum(clients.map(client, range(args.clients)))
            elapsed = time.monotonic() - t0
            ok = server.requests_answered(200) - before[0]
            busy = server.requests_answered(429) - before[1]
        finally:
            server.stop()
        results[rule] = (elapsed, busy)
        print(
            f"Retry-After rule {rule:<5}: {ok + busy:4d} requests sent, {busy:4d} answered 429 "
            f"({busy / max(1, ok + busy):.0%}); {done} batches of {args.batch} judged in {elapsed:.1f} s"
        )
    (old_s, old_busy), (new_s, new_busy) = results["batch"], results["queue"]
    print(f"queue / batch rule: 429s x{new_busy / max(1, old_busy):.3f}, time to finish x{new_s / old_s:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--benchmark")
    source.add_argument("--problems", type=Path)
    scenario = parser.add_mutually_exclusive_group()
    scenario.add_argument("--memory", action="store_true", help="memory under huge bodies")
    scenario.add_argument("--backpressure", action="store_true", help="429s and Retry-After, old rule vs new")
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--clients", type=int)
    parser.add_argument("--batch", type=int)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--kind", default="level")
    parser.add_argument("--level", default="small")
    parser.add_argument("--with-tle", action="store_true")
    parser.add_argument("--bodies", type=int, default=10, help="--memory: bodies sent at once")
    parser.add_argument("--body-mb", type=float, default=205.0, help="--memory: size of each body")
    parser.add_argument("--max-queue", type=int, default=8, help="--backpressure: the service's --max-queue")
    parser.add_argument("--requests", type=int, default=4, help="--backpressure: batches per client")
    args = parser.parse_args()
    args.clients = args.clients or (32 if args.backpressure else 4)
    args.batch = args.batch or (2 if args.backpressure else 8)

    if args.benchmark or args.problems:
        name, problems = resolve_problems(args.benchmark, args.problems)
    else:
        name, problems = "generated", generated_problems()
    spec = RewardSpec(args.kind, args.level if args.kind != "binary" else None)
    print(
        f"problems: {len(problems)} ({name}); reward {spec.kind.value}"
        f"{f', level {spec.level}' if spec.level is not None else ''}; {args.jobs} workers; "
        f"{time.strftime('%Y-%m-%d')}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        problems_file = Path(tmp) / "problems.jsonl"
        save_problems(problems_file, problems)
        if args.memory:
            memory(args, problems_file)
        elif args.backpressure:
            print(
                f"{args.clients} clients x {args.requests} batches of {args.batch}; --max-queue {args.max_queue}"
            )
            backpressure(args, problems, problems_file, spec)
        else:
            print(f"{args.clients} clients x batches of {args.batch}, {args.seconds:g} s each")
            throughput(args, problems, problems_file, spec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
