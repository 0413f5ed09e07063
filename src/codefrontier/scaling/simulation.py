"""A simulated agent, summarizer and judge, to check the methods against known behaviour
and against exact probabilities, with no model and no sandbox.

- `SimulatedAgent`: each rollout of task t passes with probability p_t. A refinement
  rollout whose context was distilled from s passing rollouts out of k passes with
  p_t + (1 - p_t) * lift * s / k: learning from passing attempts helps, in proportion.
- `SimulatedSummarizer`: the summary's final status states the truth with probability
  `signal` (a noisy signal of whether the rollout passes).
- `SimulatedJudge`: in a group with passing and failing candidates, each vote picks a
  passing one with probability q (uniformly among them), else a failing one
  (uniformly); in a group where all are alike, uniformly. It ignores the order shown.
- `exact_selection_accuracy`: the exact probability that RTV with this judge selects a
  passing candidate, for a bracket of `passing` + `failing` candidates (small brackets:
  it enumerates arrangements of the round's shuffle and vote counts of each group).

The truth the simulated judge reads is the simulation's own table; in real runs the
judge sees only summaries.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import random
from collections.abc import Sequence
from functools import cache
from typing import Any

from codefrontier.problems import Problem, ProblemKind, TestCase
from codefrontier.scaling.accounting import Cost
from codefrontier.scaling.oracle import OracleVerdict
from codefrontier.scaling.records import digest
from codefrontier.scaling.rollouts import OK, RefinementContext, Rollout
from codefrontier.scaling.summaries import Summary
from codefrontier.scaling.tournament import Answer, Ballot, Candidate, rtv


def simulated_tasks(pass_probs: Sequence[float]) -> list[Problem]:
    """Tasks named sim-0, sim-1, ... (one per pass probability), with one public test."""
    return [
        Problem(
            id=f"sim-{i}",
            kind=ProblemKind.STDIO,
            statement=f"Simulated task {i}.",
            tests=[TestCase("example", "1\n", "1\n", 1, hidden=False)],
            metadata={"pass_prob": p},
        )
        for i, p in enumerate(pass_probs)
    ]


class SimulatedAgent:
    def __init__(self, *, lift: float = 0.6, seed: int = 0, tokens: int = 1000) -> None:
        self.lift = lift
        self.seed = seed
        self.tokens = tokens
        self.truth: dict[str, bool] = {}
        self.context_passing: dict[str, tuple[int, int]] = {}  # rollout -> (passing sources, sources)

    def fingerprint(self) -> dict[str, Any]:
        return {"agent": "simulated", "lift": self.lift, "seed": self.seed}

    def pass_probability(self, task: Problem, context: RefinementContext | None) -> float:
        p = float(task.metadata["pass_prob"])
        if context and context.sources:
            good = sum(self.truth[s] for s in context.sources)
            p += (1 - p) * self.lift * good / len(context.sources)
        return p

    async def rollout(
        self, task: Problem, stage: str, index: int, context: RefinementContext | None, key: str | None = None
    ) -> Rollout:
        key = key or digest(
            "rollout", self.fingerprint(), task.id, stage, index, context.text if context else None
        )
        draw = random.Random(f"{self.seed}/{key}")
        passed = draw.random() < self.pass_probability(task, context)
        self.truth[key] = passed
        if context:
            self.context_passing[key] = (sum(self.truth[s] for s in context.sources), len(context.sources))
        return Rollout(
            id=key,
            task=task.id,
            stage=stage,
            index=index,
            status=OK,
            stop="passed_public",
            program=f"print({index})  # simulated rollout\n",
            language="python",
            cost=Cost.of(
                "generator", prompt_tokens=self.tokens // 2, completion_tokens=self.tokens // 2, calls=1
            ),
            context=context.text if context else None,
            sources=list(context.sources) if context else [],
        )


class SimulatedSummarizer:
    def __init__(
        self, truth: dict[str, bool], *, signal: float = 0.8, seed: int = 0, tokens: int = 200
    ) -> None:
        self.truth = truth
        self.signal = signal
        self.seed = seed
        self.tokens = tokens

    def fingerprint(self) -> dict[str, Any]:
        return {"summarizer": "simulated", "signal": self.signal, "seed": self.seed}

    async def summarize(self, task: Problem, rollout: Rollout, key: str | None = None) -> Summary:
        key = key or digest("summary", self.fingerprint(), rollout.id)
        honest = random.Random(f"{self.seed}/{key}").random() < self.signal
        claims_pass = self.truth[rollout.id] == honest
        return Summary(
            rollout.id,
            approach=f"simulated attempt {rollout.index} of {rollout.stage}",
            final_status="passed_public_tests" if claims_pass else "failed_public_tests",
            source="simulated",
            cost=Cost.of(
                "summarizer", prompt_tokens=self.tokens, completion_tokens=self.tokens // 4, calls=1
            ),
            key=key,
        )


class SimulatedJudge:
    def __init__(self, truth: dict[str, bool], *, q: float = 0.7, tokens: int = 300) -> None:
        self.truth = truth
        self.q = q
        self.tokens = tokens
        self.votes = 0

    def fingerprint(self) -> dict[str, Any]:
        return {"judge": "simulated", "q": self.q}

    async def vote(self, ballot: Ballot, key: str) -> Answer:
        self.votes += 1
        draw = random.Random(ballot.seed)
        good = [i for i, c in enumerate(ballot.shown) if self.truth[c.id]]
        bad = [i for i, c in enumerate(ballot.shown) if not self.truth[c.id]]
        if good and bad:
            index = draw.choice(good) if draw.random() < self.q else draw.choice(bad)
        else:
            index = draw.randrange(len(ballot.shown))
        cost = Cost.of("judge", prompt_tokens=self.tokens, completion_tokens=10, calls=1)
        return Answer(f"Attempt {ballot.labels[index]} verified more.\nFINAL: {ballot.labels[index]}", cost)


class SimulatedOracle:
    def __init__(self, truth: dict[str, bool]) -> None:
        self.truth = truth

    async def judge(self, tasks: dict[str, Problem], rollouts: Sequence[Rollout]) -> dict[str, OracleVerdict]:
        return {
            r.id: OracleVerdict(
                r.id,
                self.truth[r.id],
                "AC" if self.truth[r.id] else "WA",
                "solved" if self.truth[r.id] else "correctness",
            )
            for r in rollouts
        }


# -- exact probabilities ----------------------------------------------------------------------
def group_win_probability(good: int, bad: int, votes: int, q: float) -> float:
    """P(a passing candidate wins a group of `good` passing and `bad` failing candidates)
    under the simulated judge, with ties broken uniformly at random."""
    size = good + bad
    if good == 0:
        return 0.0
    if bad == 0:
        return 1.0
    probs = [q / good] * good + [(1 - q) / bad] * bad
    total = 0.0
    for counts in _compositions(votes, size):
        p = math.factorial(votes)
        for c, pi in zip(counts, probs, strict=True):
            p *= pi**c / math.factorial(c)
        top = max(counts)
        tied = [i for i, c in enumerate(counts) if c == top]
        total += p * sum(1 for i in tied if i < good) / len(tied)
    return total


def _compositions(total: int, parts: int) -> list[tuple[int, ...]]:
    """Every way of writing `total` as an ordered sum of `parts` non-negative integers."""
    return [
        tuple(b - a - 1 for a, b in zip((-1, *bars), (*bars, total + parts - 1), strict=True))
        for bars in itertools.combinations(range(total + parts - 1), parts - 1)
    ]


def exact_selection_accuracy(
    passing: int, failing: int, *, group_size: int = 2, votes: int = 8, q: float = 0.7
) -> float:
    """P(RTV selects a passing candidate), exactly (see the module doc). The round's
    shuffle makes every arrangement of passing and failing candidates equally likely;
    the groups are consecutive runs of `group_size`, a last group of one is a bye."""

    @cache
    def win(good: int, bad: int) -> float:
        n = good + bad
        if n == 1:
            return float(good)
        outcomes: dict[tuple[int, int], float] = {}
        arrangements = list(itertools.combinations(range(n), good))
        for positions in arrangements:
            flags = [False] * n
            for p in positions:
                flags[p] = True
            groups = [flags[s : s + group_size] for s in range(0, n, group_size)]
            dist = {0: 1.0}  # passing winners -> probability
            for g in groups:
                g_good = sum(g)
                p_good = (
                    group_win_probability(g_good, len(g) - g_good, votes, q) if len(g) > 1 else float(g_good)
                )
                nxt: dict[int, float] = {}
                for wins, p in dist.items():
                    nxt[wins + 1] = nxt.get(wins + 1, 0.0) + p * p_good
                    nxt[wins] = nxt.get(wins, 0.0) + p * (1 - p_good)
                dist = nxt
            for wins, p in dist.items():
                key = (wins, len(groups) - wins)
                outcomes[key] = outcomes.get(key, 0.0) + p / len(arrangements)
        return sum(p * win(g, b) for (g, b), p in outcomes.items() if p > 0)

    if passing + failing < 1:
        raise ValueError("a bracket needs at least one candidate")
    return win(passing, failing)


def measure_selection_accuracy(
    passing: int,
    failing: int,
    *,
    group_size: int = 2,
    votes: int = 8,
    q: float = 0.7,
    trials: int = 1000,
    seed: int = 0,
) -> float:
    """The fraction of `trials` RTV runs (each with its own seed) that select a passing
    candidate, with the simulated judge."""
    truth = {f"c{i}": i < passing for i in range(passing + failing)}
    candidates = [Candidate(c, f"summary of {c}") for c in truth]
    judge = SimulatedJudge(truth, q=q)

    async def run() -> int:
        hits = 0
        for trial in range(trials):
            bracket = await rtv(
                candidates,
                judge,
                task_text="t",
                group_size=group_size,
                votes=votes,
                seed=seed * 1_000_003 + trial,
            )
            hits += truth[bracket.winner]
        return hits

    return asyncio.run(run()) / trials
