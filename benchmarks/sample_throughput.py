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

With `--model DIR` it measures a checkpoint in this process instead (the transformers
backend), on HumanEval prompts in the reasoning setting:

    .venv/bin/python benchmarks/sample_throughput.py --model demo-out/base [--problems 16] [--max-tokens 256]

  (r) raw `generate` of the same model, same prompts, static batches of `--batch-size`,
      every sequence forced to its full `--max-tokens` (`min_new_tokens`): the rate of
      useful token slots when nothing ends early, the peer of the run below; measured in
      float32 and in bfloat16;
  (s) `draw_samples` through `TransformersBackend` (continuous batching, preallocated
      cache, dtype chosen at load), sampling at temperature 0.8: completion tokens per
      second of wall time, load excluded.

Prints tokens/s of each and (s)/(r) against the raw rate in the dtype the backend chose;
the CPU time of the process beside each (the machine may be shared).
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
    from codefrontier.sampling.backends import GenerationParams, OpenAIBackend

    backend = OpenAIBackend(url, max_in_flight=in_flight)
    try:
        await backend.check()
        started = time.perf_counter()
        await asyncio.gather(
            *(backend.chat(messages(i), GenerationParams(max_tokens=256, seed=i)) for i in range(total))
        )
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


def local_prompts(count: int) -> tuple[list, list[str]]:
    from codefrontier.problems.registry import load_benchmark

    chosen = load_benchmark("humaneval")[:count]
    return chosen, [p.id for p in chosen]


def raw_generate(
    model_dir: str, problems: list, batch: int, max_tokens: int, dtype: str
) -> tuple[float, float]:
    """(tokens/s, CPU s) of plain `generate`, every sequence run to `max_tokens`."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from codefrontier.sampling.prompts import initial_messages

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=getattr(torch, dtype)).eval()
    texts = [
        tokenizer.apply_chat_template(
            initial_messages(p, "python", "reasoning"), add_generation_prompt=True, tokenize=False
        )
        for p in problems
    ]
    tokens, started, cpu = 0, time.perf_counter(), time.process_time()
    for start in range(0, len(texts), batch):
        encoded = tokenizer(
            texts[start : start + batch], return_tensors="pt", padding=True, add_special_tokens=False
        )
        with torch.inference_mode():
            out = model.generate(
                **encoded,
                do_sample=True,
                temperature=0.8,
                top_k=0,
                max_new_tokens=max_tokens,
                min_new_tokens=max_tokens,
                pad_token_id=tokenizer.pad_token_id,
            )
        tokens += (out.shape[1] - encoded["input_ids"].shape[1]) * out.shape[0]
    return tokens / (time.perf_counter() - started), time.process_time() - cpu


def backend_sampling(
    model_dir: str, problems: list, batch: int, max_tokens: int
) -> tuple[float, float, dict]:
    """(completion tokens/s after load, CPU s, backend description) of `draw_samples`."""
    from codefrontier.sampling import SettingConfig, draw_samples
    from codefrontier.sampling.backends import TransformersBackend

    backend = TransformersBackend(model_dir, batch_size=batch)
    with tempfile.TemporaryDirectory() as tmp:
        cpu = time.process_time()
        report = draw_samples(
            problems,
            backend,
            Path(tmp) / "samples.jsonl",
            n=1,
            policy="bench",
            config=SettingConfig(temperature=0.8, max_tokens=max_tokens),
        )
        seconds = report.seconds - backend.load_seconds
        return report.usage.completion_tokens / seconds, time.process_time() - cpu, backend.describe()


def main_local(args: argparse.Namespace) -> None:
    import torch
    import transformers

    problems, _ = local_prompts(args.problems)
    sampled, sampled_cpu, described = backend_sampling(args.model, problems, args.batch_size, args.max_tokens)
    raw = {
        dtype: raw_generate(args.model, problems, args.batch_size, args.max_tokens, dtype)
        for dtype in ("float32", "bfloat16")
    }
    chosen = described["dtype"]
    load = os.getloadavg()
    print(
        f"# {date.today()}  {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load[0]:.1f}, torch {torch.__version__}, transformers {transformers.__version__}"
    )
    print(
        f"# {args.model}: {len(problems)} HumanEval prompts, batch {args.batch_size}, up to {args.max_tokens} tokens"
    )
    for dtype, (rate, cpu) in raw.items():
        print(f"(r) raw generate, {dtype:8s} {rate:7.1f} tokens/s   CPU {cpu:6.1f} s")
    print(
        f"(s) draw_samples ({chosen}, {described['batching']} batching) {sampled:7.1f} tokens/s   CPU {sampled_cpu:6.1f} s"
        f"   (s)/(r, {chosen}) = {sampled / raw[chosen][0]:.2f}"
    )
    print(f"# dtype measured at load (s per decoding step): {described['dtype_measured_step_s']}")
    print(
        json.dumps(
            {
                "raw": {k: round(v[0], 1) for k, v in raw.items()},
                "sampled": round(sampled, 1),
                "dtype": chosen,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--model", help="a checkpoint directory: measure the transformers backend instead")
    parser.add_argument("--problems", type=int, default=16, help="--model: HumanEval prompts")
    parser.add_argument("--batch-size", type=int, default=8, help="--model: sequences decoded together")
    parser.add_argument("--max-tokens", type=int, default=256, help="--model: tokens per completion")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    if args.model:
        main_local(args)
        return
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
