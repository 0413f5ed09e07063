"""The baselines a test-time scaling method must beat, over the same rollouts.

- `best_of_n`: the public tests as the verifier. The agent's last submission is its
  final program and was already run on the public tests, so this costs nothing beyond
  the rollouts: the rollout whose final program passed the largest share of the public
  tests (then the most of them) wins; ties are broken by a seeded draw.
- `majority_vote`: every final program runs on the same inputs (the task's public test
  inputs plus inputs a model wrote, `InputWriter`), its outputs are its signature
  (status and whitespace-separated tokens of stdout per input), and a program from the
  largest group of equal signatures wins (the group's first rollout; ties between
  groups by a seeded draw). Programs that ran OK on no input are left out unless no
  program did. Applies to stdio tasks; on other kinds the best-of-N pick stands in,
  and the record says so.
- `oracle`: pass@N, the upper bound of any selector: a rollout that passes the hidden
  tests if there is one.
The refinement baselines (random-K and single-summary refinement) are variants of
`pdr` (refinement.py).
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from codefrontier.problems import Problem, ProblemKind
from codefrontier.scaling.accounting import Cost, Ledger
from codefrontier.scaling.records import InFlight, RecordCache, digest
from codefrontier.scaling.rollouts import FAILED, Rollout

INPUTS_VERSION = "1"
INPUTS_PROMPT = """\
Task:
{task}

Write {count} different test inputs for this task, each a complete standard input that follows the input \
format exactly: small edge cases and a few larger cases. Do not write the expected outputs. Put each input in \
its own ```text fenced block."""


@dataclass
class Pick:
    """A method's choice on one task."""

    method: str
    n: int
    task: str
    rollout: str  # the chosen rollout's id
    ledger: Ledger = field(default_factory=Ledger)
    detail: dict[str, Any] = field(default_factory=dict)


def _draw(seed: int, *path: object) -> random.Random:
    return random.Random("/".join(map(str, (seed, *path))))


def best_of_n(rollouts: Sequence[Rollout], *, seed: int, name: str) -> tuple[Rollout, dict[str, Any]]:
    """The rollout whose final program did best on the public tests (see the module doc)."""
    draw = _draw(seed, name, "best_of_n")
    scored = []
    for rollout in rollouts:
        passed, total = rollout.public_score
        usable = rollout.status != FAILED and bool(rollout.program.strip())
        scored.append(((usable, passed / total if total else 0.0, passed), draw.random(), rollout))
    scored.sort(key=lambda item: (item[0], -item[1]), reverse=True)
    best = scored[0]
    tied = sum(1 for s in scored if s[0] == best[0])
    return best[2], {"public_score": list(best[0][1:]), "tied": tied}


def oracle_pick(rollouts: Sequence[Rollout], passed: dict[str, bool]) -> Rollout:
    """A rollout that passes the hidden tests if any does (the first such), else the first."""
    return next((r for r in rollouts if passed.get(r.id)), rollouts[0])


def signature_of(runs: list[dict[str, Any]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((r["status"], tuple(r["stdout"].split())) for r in runs)


def majority_vote(
    rollouts: Sequence[Rollout], runs: dict[str, list[dict[str, Any]]], *, seed: int, name: str
) -> tuple[Rollout, dict[str, Any]]:
    """The majority pick among rollouts with program runs (see the module doc)."""
    groups: dict[Any, list[Rollout]] = {}
    for rollout in rollouts:
        if rollout.id in runs:
            groups.setdefault(signature_of(runs[rollout.id]), []).append(rollout)
    if not groups:
        pick, detail = best_of_n(rollouts, seed=seed, name=name)
        return pick, {**detail, "fallback": "no program to run"}
    ran = {s: g for s, g in groups.items() if any(status == "OK" for status, _ in s)}
    pool = ran or groups
    largest = max(len(g) for g in pool.values())
    tied = [g for g in pool.values() if len(g) == largest]
    chosen = tied[0] if len(tied) == 1 else _draw(seed, name, "majority").choice(tied)
    return chosen[0], {
        "groups": sorted((len(g) for g in pool.values()), reverse=True),
        "tied_groups": len(tied),
    }


class InputWriter:
    """Test inputs for the majority vote, written by a model (cached by the caller)."""

    def __init__(
        self, backend: Any, *, count: int = 8, temperature: float = 0.7, max_tokens: int = 2048
    ) -> None:
        self.backend = backend
        self.count = count
        self.temperature = temperature
        self.max_tokens = max_tokens

    def fingerprint(self) -> dict[str, Any]:
        return {
            "inputs": "model",
            "model": self.backend.model,
            "version": INPUTS_VERSION,
            "count": self.count,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }

    async def write(self, task: Problem, language: str, key: str) -> tuple[list[str], Cost, str]:
        from codefrontier.sampling import GenerationParams, RequestFailed
        from codefrontier.sampling.prompts import task_text

        prompt = INPUTS_PROMPT.format(task=task_text(task, language), count=self.count)
        started = time.perf_counter()
        try:
            params = GenerationParams(
                temperature=self.temperature, max_tokens=self.max_tokens, seed=int(key[:7], 16)
            )
            (completion,) = await self.backend.chat([{"role": "user", "content": prompt}], params)
        except RequestFailed as exc:
            return [], Cost.of("verifier", wall_s=time.perf_counter() - started), str(exc)
        blocks = re.findall(r"```[^\n]*\n(.*?)```", completion.text, flags=re.DOTALL)
        inputs = [b if b.endswith("\n") else b + "\n" for b in blocks if b.strip()][: self.count]
        cost = Cost.of(
            "verifier",
            prompt_tokens=completion.usage.prompt_tokens,
            completion_tokens=completion.usage.completion_tokens,
            calls=1,
            wall_s=time.perf_counter() - started,
        )
        return inputs, cost, ""


class Majority:
    """Inputs and program runs of the majority vote, each cached."""

    def __init__(
        self, cache: RecordCache, runner: Any, writer: InputWriter | None, *, max_parallel: int = 8
    ) -> None:
        self.cache = cache
        self.runner = runner  # codefrontier.sampling.CodeRunner
        self.writer = writer
        self.runs_made = 0
        self._parallel = asyncio.Semaphore(max_parallel)
        self._in_flight = InFlight()

    async def inputs(self, task: Problem, language: str) -> tuple[list[str], str, Cost]:
        """(inputs, key, cost): the public test inputs, then the written ones."""
        public = [t.input_bytes().decode(errors="replace") for t in task.public_tests()]
        if self.writer is None:
            return public, digest("inputs", "public", task.id, public), Cost()
        key = digest("inputs", self.writer.fingerprint(), task.id, language)
        cached = self.cache.get(key) or await self._in_flight.run(
            key, lambda: self._write(task, language, key)
        )
        return public + cached["inputs"], key, Cost.from_json(cached["cost"])

    async def _write(self, task: Problem, language: str, key: str) -> dict[str, Any]:
        assert self.writer is not None
        written, cost, error = await self.writer.write(task, language, key)
        record = {"key": key, "kind": "inputs", "inputs": written, "cost": cost.to_json(), "error": error}
        if not error:  # a failed request was not paid for: asked again on the next run
            self.cache.put(record)
        return record

    async def runs(
        self, task: Problem, rollout: Rollout, inputs: list[str]
    ) -> tuple[list[dict[str, Any]], str, Cost]:
        key = digest("runs", task.id, rollout.language, rollout.code_sha256, inputs)
        cached = self.cache.get(key) or await self._in_flight.run(
            key, lambda: self._run(task, rollout, inputs, key)
        )
        return cached["runs"], key, Cost.from_json(cached["cost"])

    async def _run(self, task: Problem, rollout: Rollout, inputs: list[str], key: str) -> dict[str, Any]:
        started = time.perf_counter()
        async with self._parallel:
            results = await asyncio.gather(
                *(self.runner.run(task, rollout.language, rollout.program, stdin) for stdin in inputs)
            )
        runs = [{"status": r["status"], "stdout": r["stdout"]} for r in results]
        cost = Cost(
            wall_s=time.perf_counter() - started, sandbox_cpu_s=sum(r.get("cpu_s", 0.0) for r in results)
        )
        self.runs_made += len(inputs)
        return self.cache.put({"key": key, "kind": "runs", "runs": runs, "cost": cost.to_json()})

    async def pick(self, task: Problem, rollouts: Sequence[Rollout], *, seed: int, name: str) -> Pick:
        ledger = Ledger()
        for r in rollouts:
            ledger.charge(r.id, r.cost)
        if task.kind is not ProblemKind.STDIO:
            chosen, detail = best_of_n(rollouts, seed=seed, name=name)
            return Pick(
                "majority",
                len(rollouts),
                task.id,
                chosen.id,
                ledger,
                {**detail, "fallback": f"{task.kind} task"},
            )
        language = rollouts[0].language
        inputs, inputs_key, cost = await self.inputs(task, language)
        ledger.charge(inputs_key, cost)
        if not inputs:
            chosen, detail = best_of_n(rollouts, seed=seed, name=name)
            return Pick(
                "majority", len(rollouts), task.id, chosen.id, ledger, {**detail, "fallback": "no inputs"}
            )
        runnable = [r for r in rollouts if r.status != FAILED and r.program.strip()]
        results = await asyncio.gather(*(self.runs(task, r, inputs) for r in runnable))
        runs = {}
        for rollout, (outputs, key, run_cost) in zip(runnable, results, strict=True):
            runs[rollout.id] = outputs
            ledger.charge(key, run_cost)
        chosen, detail = majority_vote(rollouts, runs, seed=seed, name=name)
        return Pick("majority", len(rollouts), task.id, chosen.id, ledger, {**detail, "inputs": len(inputs)})
