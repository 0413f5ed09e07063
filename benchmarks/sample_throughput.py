"""Samples per second through the HTTP backend with 32 requests in flight: the client's
overhead, measured against a loopback OpenAI-protocol server that answers at once.

    .venv/bin/python benchmarks/sample_throughput.py [--samples 2000] [--in-flight 32] [--repeat 3]

The server (tests/sampling/openai_server.py) runs in its own process and answers every
chat request with the same short program, so the model costs nothing and what is left is
the client side. Three figures, each the best of `--repeat` runs, in the same process:

  (a) a peer: plain `httpx.AsyncClient` posts of the same requests, no OpenAI client
      (not a floor: recent `openai` releases ship a faster transport than plain httpx);
  (b) backend: `OpenAIBackend.chat` (the official `openai` client, semaphore, retries,
      usage and latency recorded);
  (c) sampler: `draw_samples` in the reasoning setting (prompts, extraction, trajectory,
      both files appended and fsync'ed per sample).

Beside each rate, the client's CPU time per request (this process's user + system time
over the run, divided by the requests): the overhead itself, which is steadier than the
rate on a loaded machine, since the rate is capped by the single-process test server.
Prints each rate and the ratios (b)/(a) and (c)/(a); never pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(run, *args: object) -> tuple[float, float]:
    """(rate, client CPU ms per request) of one run; `run` returns (rate, requests)."""
    cpu = time.process_time()
    rate, requests = run(*args)
    return rate, (time.process_time() - cpu) * 1000 / requests


def start_server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "sampling" / "openai_server.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def problems(count: int) -> list:
    from codefrontier.contracts import Problem, ProblemKind, TestCase

    return [
        Problem(
            f"p{i}",
            ProblemKind.STDIO,
            f"Read two integers and print their sum. ({i})",
            [TestCase("t", "1 2\n", "3\n")],
        )
        for i in range(count)
    ]


def messages(i: int) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": "You write programs."},
        {"role": "user", "content": f"Problem {i}: add."},
    ]


async def raw_http(url: str, total: int, in_flight: int) -> float:
    import httpx

    semaphore = asyncio.Semaphore(in_flight)
    limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def one(i: int) -> None:
            async with semaphore:
                body = {
                    "model": "loopback-model",
                    "messages": messages(i),
                    "temperature": 0.8,
                    "max_tokens": 256,
                }
                response = await client.post("/chat/completions", json=body)
                response.json()

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(total)))
        return total / (time.perf_counter() - started), total


async def backend_chat(url: str, total: int, in_flight: int) -> float:
    from codefrontier.sampling.backends import OpenAIBackend

    backend = OpenAIBackend(url, max_in_flight=in_flight)
    try:
        await backend.check()
        started = time.perf_counter()
        await asyncio.gather(*(backend.chat(messages(i), max_tokens=256, seed=i) for i in range(total)))
        return total / (time.perf_counter() - started), total
    finally:
        await backend.aclose()


def sampler(url: str, total: int, in_flight: int) -> float:
    from codefrontier.sampling.backends import OpenAIBackend
    from codefrontier.sampling.sampler import draw_samples

    per_problem = 20
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "samples.jsonl"
        started = time.perf_counter()
        report = draw_samples(
            problems(max(1, total // per_problem)),
            OpenAIBackend(url, max_in_flight=in_flight),
            out,
            n=per_problem,
            policy="bench",
        )
        seconds = time.perf_counter() - started
        assert report.failed == 0
        return report.drawn / seconds, report.drawn


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    proc, url = start_server()
    try:
        asyncio.run(raw_http(url, 200, args.in_flight))  # warm up the server and the imports
        asyncio.run(backend_chat(url, 200, args.in_flight))
        best: dict[str, tuple[float, float]] = {}
        runs = {
            "raw": lambda: asyncio.run(raw_http(url, args.samples, args.in_flight)),
            "backend": lambda: asyncio.run(backend_chat(url, args.samples, args.in_flight)),
            "sampler": lambda: sampler(url, args.samples, args.in_flight),
        }
        for _ in range(args.repeat):
            for name, run in runs.items():
                rate, cpu_ms = timed(run)
                if rate > best.get(name, (0.0, 0.0))[0]:
                    best[name] = (rate, cpu_ms)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)
    import openai

    print(
        f"# {date.today()}  {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, openai {openai.__version__}"
    )
    print(
        f"# {args.samples} requests, {args.in_flight} in flight, best of {args.repeat}; server in its own process"
    )
    raw, backend, sample = best["raw"], best["backend"], best["sampler"]
    print(f"(a) raw httpx posts:          {raw[0]:7.0f} requests/s   client CPU {raw[1]:.2f} ms/request")
    print(
        f"(b) OpenAIBackend.chat:       {backend[0]:7.0f} requests/s   client CPU {backend[1]:.2f} ms/request"
        f"   (b)/(a) = {backend[0] / raw[0]:.2f}"
    )
    print(
        f"(c) draw_samples (reasoning): {sample[0]:7.0f} samples/s    client CPU {sample[1]:.2f} ms/sample"
        f"    (c)/(a) = {sample[0] / raw[0]:.2f}"
    )
    print(json.dumps({k: {"rate": round(v[0], 1), "cpu_ms": round(v[1], 3)} for k, v in best.items()}))


if __name__ == "__main__":
    main()
