"""Agentic Parallel-Distill-Refine and its refinement baselines.

    result = await pdr(task, agent, summarizer, judge, rounds=1, k=4, n=16)

Round 0: `n` rollouts (or the ones given), each summarized, ranked by RTV. Each
refinement round r = 1..rounds: the summaries of the round before's top `k` (by its
RTV ranking) are distilled into a refinement context (`refinement_context`), and `n`
fresh rollouts — each in a reset environment, its own episode — are drawn conditioned
on it; they are summarized and ranked by RTV. The final answer is the winner of the
last round's RTV.

The baselines differ only in how the context is chosen (`distill`):
- `top_k` (PDR): the RTV top-k;
- `random`: k rollouts drawn at random (seeded) from the round before, no tournament
  needed to choose them (random-K refinement);
- `single`: the RTV winner alone (single-summary refinement; k is 1).
Refinement rollouts of each variant are their own stage (`<method>.r<r>`), so the
variants never share them; round 0 and its tournament are shared by all.

The context holds summaries only: what the agent saw and did, never the hidden tests.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from codefrontier.problems import Problem
from codefrontier.scaling.accounting import Ledger
from codefrontier.scaling.records import InFlight, digest
from codefrontier.scaling.rollouts import RefinementContext, Rollout
from codefrontier.scaling.summaries import Summary
from codefrontier.scaling.tournament import Bracket, Candidate, rtv

DISTILL = {"top_k": "pdr", "random": "random_k", "single": "single_summary"}

CONTEXT_HEAD = """\
Earlier attempts at this task are summarized below{order}. Use what they found: keep what worked, avoid \
what failed, and test your program against the examples. Write your own complete solution."""
ORDER_RANKED = ", best first as a tournament over all the attempts ranked them"
ORDER_NONE = ", in no particular order"


def refinement_context(summaries: Sequence[Summary], *, ranked: bool) -> RefinementContext:
    """The text added after the task in a refinement rollout, and its sources."""
    head = CONTEXT_HEAD.format(order=ORDER_RANKED if ranked else ORDER_NONE)
    parts = [head] + [f"Summary {i}:\n{s.render()}" for i, s in enumerate(summaries, 1)]
    return RefinementContext("\n\n".join(parts), tuple(s.rollout for s in summaries))


@dataclass
class Round:
    number: int
    stage: str
    rollouts: list[Rollout]
    summaries: list[Summary]
    bracket: Bracket | None  # None for a round whose ranking was not needed
    context: RefinementContext | None = None


@dataclass
class PDRResult:
    method: str
    task: str
    rounds: list[Round] = field(default_factory=list)
    final: str = ""  # the chosen rollout's id
    ledger: Ledger = field(default_factory=Ledger)

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "task": self.task,
            "final": self.final,
            "rounds": [
                {
                    "round": r.number,
                    "stage": r.stage,
                    "rollouts": [x.id for x in r.rollouts],
                    "context_sources": list(r.context.sources) if r.context else [],
                    "bracket": r.bracket.name if r.bracket else None,
                    "winner": r.bracket.winner if r.bracket else None,
                }
                for r in self.rounds
            ],
        }


class Tournament:
    """RTV over a round's rollouts, with the run's settings (group size, votes, seed)."""

    def __init__(self, judge: Any, *, group_size: int = 2, votes: int = 8, seed: int = 0) -> None:
        self.judge = judge
        self.group_size = group_size
        self.votes = votes
        self.seed = seed
        self.brackets: dict[str, Bracket] = {}
        self._in_flight = InFlight()

    async def rank(self, task: Problem, task_text: str, summaries: Sequence[Summary], name: str) -> Bracket:
        """The bracket `name` over these summaries (the same tournament asked for twice,
        e.g. by RTV alone and by PDR's first round, is played once)."""
        candidates = [Candidate(s.rollout, s.render()) for s in summaries]
        key = digest("bracket", name, [(c.id, c.summary) for c in candidates])
        return await self._in_flight.run(key, lambda: self._play(task_text, candidates, name))

    async def _play(self, task_text: str, candidates: list[Candidate], name: str) -> Bracket:
        bracket = await rtv(
            candidates,
            self.judge,
            task_text=task_text,
            group_size=self.group_size,
            votes=self.votes,
            seed=self.seed,
            name=name,
        )
        self.brackets[name] = bracket
        return bracket


async def summarize_all(summarizer: Any, task: Problem, rollouts: Sequence[Rollout]) -> list[Summary]:
    return list(await asyncio.gather(*(summarizer.summarize(task, r) for r in rollouts)))


async def draw_round(
    agent: Any, task: Problem, stage: str, n: int, context: RefinementContext | None
) -> list[Rollout]:
    return list(await asyncio.gather(*(agent.rollout(task, stage, i, context) for i in range(n))))


async def pdr(
    task: Problem,
    agent: Any,
    summarizer: Any,
    tournament: Tournament,
    *,
    task_text: str,
    rounds: int = 1,
    k: int = 4,
    n: int = 16,
    distill: str = "top_k",
    round0: Sequence[Rollout] | None = None,
) -> PDRResult:
    """Run PDR (or a refinement baseline) on one task; see the module doc."""
    if distill not in DISTILL:
        raise ValueError(f"distill must be one of {', '.join(DISTILL)}")
    if rounds < 1:
        raise ValueError("PDR needs at least one refinement round")
    if distill == "single":
        k = 1
    if not 1 <= k <= n:
        raise ValueError(f"k ({k}) must be between 1 and n ({n})")
    method = DISTILL[distill]
    result = PDRResult(method, task.id)
    rollouts = list(round0) if round0 is not None else await draw_round(agent, task, "r0", n, None)
    rollouts = rollouts[:n]
    context: RefinementContext | None = None
    for number in range(rounds + 1):
        stage = "r0" if number == 0 else f"{method}.r{number}"
        if number > 0:
            rollouts = await draw_round(agent, task, stage, n, context)
        last = number == rounds
        needs_ranking = last or distill != "random"
        if needs_ranking:
            summaries = await summarize_all(summarizer, task, rollouts)
            bracket = await tournament.rank(task, task_text, summaries, f"{task.id}/{stage}")
            chosen_ids = bracket.top(k)
        else:
            bracket = None
            chosen_ids = [
                r.id
                for r in random.Random(f"{tournament.seed}/{task.id}/{stage}/random_k").sample(rollouts, k)
            ]
            summaries = await summarize_all(summarizer, task, [r for r in rollouts if r.id in chosen_ids])
        round_ = Round(number, stage, rollouts, summaries, bracket, context)
        result.rounds.append(round_)
        for r in rollouts:
            result.ledger.charge(r.id, r.cost)
        for s in summaries:
            result.ledger.charge(s.key or f"summary/{s.rollout}", s.cost)
        if bracket is not None:
            result.ledger.extend(bracket.ledger())
        if last:
            assert bracket is not None
            result.final = bracket.winner
            break
        by_id = {s.rollout: s for s in summaries}
        context = refinement_context([by_id[i] for i in chosen_ids], ranked=distill != "random")
    return result
