"""The test-time scaling layer's own cost on top of the model and the judge.

    .venv/bin/python benchmarks/scaling_overhead.py [--problems 30] [--rtv-n 256] [--votes 8]
        [--pdr-n 16] [--k 4] [--http-problems 2] [--in-flight 64]

Part 1, orchestration overhead, with a model that answers instantly (an in-process
backend whose `chat` returns at once with a valid answer for each role):

  (a) RTV over N=256 candidates, V=8, on each of the problems: the whole tournament
      (shuffles, prompts, vote keys, parsing, tallies, the bracket record) with every
      vote written to a RecordCache on disk, as `scale run` does. Its peer, measured in
      the same run: the same number of calls of the instant model alone. The difference
      per vote is the orchestration overhead.
  (b) PDR with N=16, K=4 on the bundled problems: rollouts in the agent setting (each
      submission judged on the public tests in the sandbox), model summaries, the
      first-round tournament, the refinement rollouts and the final tournament. Its
      peer: the same submissions judged through the same PublicJudge with the same
      sandboxes, alone. The ratio shows how much the orchestration adds to the judge.

Part 2, throughput against a local OpenAI-compatible test server in its own process
(tests/sampling/openai_server.py, answering `FINAL: A` at once) with 64 requests in
flight: (c) plain `OpenAIBackend.chat` calls (the peer) and (d) RTV votes through
`CachedJudge(ModelJudge(OpenAIBackend))`, the same number of requests. Beside each rate,
the client's CPU time per request.

Prints each figure and its ratio to its peer; never pass/fail.
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
SUMMARY = {
    "approach": "the reference algorithm",
    "key_findings": ["the examples pass"],
    "changes_made": [],
    "verification": [{"check": "example tests", "outcome": "all passed"}],
    "final_status": "passed_public_tests",
    "failure_modes": [],
    "open_questions": ["hidden tests"],
}


class InstantModel:
    """A Backend whose every call returns at once: a vote, a summary or the reference
    program of the task, depending on the prompt."""

    def __init__(self, programs: dict[str, str]) -> None:
        from codefrontier.sampling import Completion, Usage

        self.programs = programs
        self.calls = 0
        self.seconds = 0.0
        self._completion, self._usage = Completion, Usage

    model = "instant"
    max_concurrency = 256

    def describe(self) -> dict:
        return {"engine": "instant"}

    async def check(self) -> None:
        return None

    async def aclose(self) -> None:
        return None

    async def complete(self, prompt, params=None, *, n=1):
        raise NotImplementedError

    async def chat(self, messages, params=None, *, tools=None, n=1):
        started = time.perf_counter()
        self.calls += 1
        system = messages[0]["content"] if messages[0]["role"] == "system" else ""
        if system.startswith("You are an expert reviewer"):
            text = "Attempt A verified more.\nFINAL: A"
        elif system.startswith("You summarize"):
            text = "```json\n" + json.dumps(SUMMARY) + "\n```"
        else:
            task = messages[1]["content"]
            code = next(c for s, c in self.programs.items() if s in task)
            text = f"```python\n{code}```"
        completion = self._completion(text, usage=self._usage(len(str(messages)) // 4, len(text) // 4))
        self.seconds += time.perf_counter() - started
        return [completion]


def bundled(count: int):
    from codefrontier.problems.registry import load_benchmark

    problems = load_benchmark("bundled")[:count]
    programs = {
        p.statement.strip()[:80]: next(
            s.code for s in p.solutions if s.language == "python" and s.expected == "AC"
        )
        for p in problems
    }
    return problems, programs


def part_rtv(problems, programs, n: int, votes: int, tmp: Path) -> dict:
    from codefrontier.sampling import GenerationParams
    from codefrontier.scaling import CachedJudge, Candidate, ModelJudge, RecordCache, rtv

    model = InstantModel(programs)
    cache = RecordCache(tmp / "votes.jsonl")
    judge = CachedJudge(ModelJudge(model), cache)
    candidates = [
        Candidate(f"c{i}", f"Approach: attempt {i}\nFinal status: passed_public_tests") for i in range(n)
    ]

    async def tournaments() -> int:
        brackets = await asyncio.gather(
            *(rtv(candidates, judge, task_text=p.statement, votes=votes, seed=0, name=p.id) for p in problems)
        )
        return sum(len(b.all_votes) for b in brackets)

    cpu = time.process_time()
    started = time.perf_counter()
    cast = asyncio.run(tournaments())
    cache.close()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu

    peer_model = InstantModel(programs)
    messages = [
        {"role": "system", "content": "You are an expert reviewer."},
        {"role": "user", "content": "x"},
    ]

    async def bare() -> None:
        await asyncio.gather(*(peer_model.chat(messages, GenerationParams(seed=i)) for i in range(cast)))

    peer_cpu = time.process_time()
    started = time.perf_counter()
    asyncio.run(bare())
    peer = time.perf_counter() - started
    peer_cpu = time.process_time() - peer_cpu
    return {
        "votes": cast,
        "seconds": elapsed,
        "cpu_s": cpu,
        "model_s": model.seconds,
        "peer_s": peer,
        "peer_cpu_s": peer_cpu,
    }


def part_pdr(problems, programs, n: int, k: int, jobs: int) -> dict:
    from codefrontier.sampling import PublicJudge, SettingConfig, public_view
    from codefrontier.sampling.prompts import task_text
    from codefrontier.scaling import EpisodeAgent, ModelJudge, ModelSummarizer, Tournament, pdr

    model = InstantModel(programs)
    judge = PublicJudge(jobs=jobs)
    config = SettingConfig(setting="agent", max_turns=2)

    class Fresh:  # every rollout drawn (no cache): the agent, keyed like the cached one
        def __init__(self) -> None:
            self.agent = EpisodeAgent(model, config, judge)
            self.submissions: list[tuple] = []

        async def rollout(self, task, stage, index, context):
            from codefrontier.scaling.rollouts import rollout_key

            r = await self.agent.rollout(
                task, stage, index, context, rollout_key(self.agent, task.id, stage, index, context)
            )
            self.submissions += [(task, r.program)] * sum(1 for s in r.steps if "public" in s["observation"])
            return r

    class Summaries:
        def __init__(self) -> None:
            self.inner = ModelSummarizer(model)

        async def summarize(self, task, rollout):
            return await self.inner.summarize(task, rollout, rollout.id)

    agent = Fresh()
    summarizer = Summaries()
    tournament = Tournament(ModelJudge(model), votes=8, seed=0)

    async def run_all() -> None:
        await asyncio.gather(
            *(
                pdr(p, agent, summarizer, tournament, task_text=task_text(p, "python"), rounds=1, k=k, n=n)
                for p in problems
            )
        )

    async def both() -> tuple[float, float, float, float]:
        # one event loop: the sandboxes' leases belong to it
        cpu, started = time.process_time(), time.perf_counter()
        await run_all()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        peer_cpu, started = time.process_time(), time.perf_counter()
        await asyncio.gather(*(judge.judge(public_view(t), code, "python") for t, code in agent.submissions))
        return elapsed, cpu, time.perf_counter() - started, time.process_time() - peer_cpu

    try:
        elapsed, cpu, peer, peer_cpu = asyncio.run(both())
    finally:
        judge.close()
    return {
        "rollouts": len(problems) * n * 2,
        "submissions": len(agent.submissions),
        "model_calls": model.calls,
        "seconds": elapsed,
        "cpu_s": cpu,
        "model_s": model.seconds,
        "peer_s": peer,
        "peer_cpu_s": peer_cpu,
    }


SERVER = """
import sys
sys.path.insert(0, {tests!r})
from sampling.openai_server import LoopbackServer, answer
fixed = answer("Attempt A verified more.\\nFINAL: A")
with LoopbackServer(lambda request, index: fixed) as served:
    print(served.url, flush=True)
    sys.stdin.read()
"""


def part_http(problems: int, n: int, votes: int, in_flight: int, tmp: Path) -> dict:
    from codefrontier.sampling.backends import GenerationParams, OpenAIBackend
    from codefrontier.scaling import Ballot, CachedJudge, Candidate, ModelJudge, RecordCache, rtv

    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER.format(tests=str(ROOT / "tests"))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    candidates = [Candidate(f"c{i}", f"Approach: attempt {i}") for i in range(n)]
    # the peer sends prompts of the same size as the votes' (a two-candidate ballot)
    messages = Ballot("task 0", candidates[:2], 0).messages()
    try:

        async def warm() -> None:
            backend = OpenAIBackend(url, max_in_flight=in_flight)
            await backend.check()
            await asyncio.gather(*(backend.chat(messages, GenerationParams(seed=i)) for i in range(200)))
            await backend.aclose()

        asyncio.run(warm())

        async def tournaments() -> int:
            backend = OpenAIBackend(url, max_in_flight=in_flight)
            await backend.check()
            cache = RecordCache(tmp / "http-votes.jsonl")
            judge = CachedJudge(ModelJudge(backend), cache)
            try:
                brackets = await asyncio.gather(
                    *(
                        rtv(candidates, judge, task_text=f"task {i}", votes=votes, name=f"t{i}")
                        for i in range(problems)
                    )
                )
            finally:
                cache.close()
                await backend.aclose()
            return sum(len(b.all_votes) for b in brackets)

        cpu, started = time.process_time(), time.perf_counter()
        requests = asyncio.run(tournaments())
        rtv_s, rtv_cpu = time.perf_counter() - started, time.process_time() - cpu

        async def bare() -> None:
            backend = OpenAIBackend(url, max_in_flight=in_flight)
            await backend.check()
            await asyncio.gather(*(backend.chat(messages, GenerationParams(seed=i)) for i in range(requests)))
            await backend.aclose()

        cpu, started = time.process_time(), time.perf_counter()
        asyncio.run(bare())
        peer_s, peer_cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)
    return {
        "requests": requests,
        "rtv_s": rtv_s,
        "rtv_cpu_s": rtv_cpu,
        "peer_s": peer_s,
        "peer_cpu_s": peer_cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--problems", type=int, default=30)
    parser.add_argument("--rtv-n", type=int, default=256)
    parser.add_argument("--votes", type=int, default=8)
    parser.add_argument("--pdr-n", type=int, default=16)
    parser.add_argument("--k", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=min(8, os.cpu_count() or 1))
    parser.add_argument("--http-problems", type=int, default=2)
    parser.add_argument("--in-flight", type=int, default=64)
    parser.add_argument(
        "--parts", default="abc", help="which parts to run: a (RTV), b (PDR), c (HTTP, c and d)"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    import openai

    problems, programs = bundled(args.problems)
    print(
        f"# {date.today()}  {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}, openai {openai.__version__}"
    )
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if "a" in args.parts:
            a = results["rtv"] = part_rtv(problems, programs, args.rtv_n, args.votes, Path(tmp))
            per_vote = (a["cpu_s"] - a["peer_cpu_s"]) / a["votes"] * 1e6
            print(
                f"(a) RTV N={args.rtv_n} V={args.votes} on {len(problems)} problems: {a['votes']} votes in "
                f"{a['seconds']:.2f} s, {a['cpu_s']:.2f} s CPU (in the model {a['model_s']:.3f} s); the instant "
                f"model alone, as many calls: {a['peer_s']:.2f} s, {a['peer_cpu_s']:.2f} s CPU; "
                f"orchestration {per_vote:.0f} us CPU per vote"
            )
        if "b" in args.parts:
            b = results["pdr"] = part_pdr(problems, programs, args.pdr_n, args.k, args.jobs)
            per_rollout = (b["cpu_s"] - b["peer_cpu_s"]) / b["rollouts"] * 1000
            print(
                f"(b) PDR N={args.pdr_n} K={args.k} on {len(problems)} problems: {b['rollouts']} rollouts, "
                f"{b['submissions']} public-test judgings, {b['model_calls']} model calls in {b['seconds']:.2f} s, "
                f"{b['cpu_s']:.2f} s CPU (in the model {b['model_s']:.3f} s); the same judgings alone on the same "
                f"{args.jobs} sandboxes: {b['peer_s']:.2f} s, {b['peer_cpu_s']:.2f} s CPU; ratio "
                f"{b['seconds'] / b['peer_s']:.2f}x; orchestration {per_rollout:.1f} ms CPU per rollout"
            )
        if "c" in args.parts:
            c = results["http"] = part_http(
                args.http_problems, args.rtv_n, args.votes, args.in_flight, Path(tmp)
            )
            r = c["requests"]
            print(
                f"(c) OpenAIBackend.chat, {args.in_flight} in flight, prompts of a vote's size: "
                f"{r / c['peer_s']:.0f} requests/s, client CPU {c['peer_cpu_s'] / r * 1000:.2f} ms/request"
            )
            print(
                f"(d) RTV votes over HTTP, {args.in_flight} in flight: {r / c['rtv_s']:.0f} votes/s, client CPU "
                f"{c['rtv_cpu_s'] / r * 1000:.2f} ms/vote; (d)/(c) = {c['peer_s'] / c['rtv_s']:.2f}"
            )
    print(json.dumps(results, default=lambda x: round(x, 4)))


if __name__ == "__main__":
    main()
