"""Every method on one task, over shared rollouts, then scoring against the oracle.

`scale_task` draws the first-round pool once (N rollouts, or N x (1 + rounds) when the
baselines are measured at PDR's rollout count too), then runs the chosen methods
concurrently; whatever two methods share (the pool, its summaries, the first-round
tournament) is computed once. It works with any agent, summarizer, judge and oracle
that follow the protocols (the real ones in `run.py`, the simulated ones in
`simulation.py`). `score` joins the picks with the oracle's verdicts into one row per
task and method size, and `points` averages them into the solve-rate-vs-tokens curves.

Sizes: best-of-N, the majority vote and the oracle are measured on the first
1, 2, 4, ... rollouts of the pool (and on N and on the pool), RTV on N (and on the pool
when matched), each refinement method once (it draws N per round).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from codefrontier.problems import Problem
from codefrontier.scaling.accounting import Cost, Ledger, Point, mean_point
from codefrontier.scaling.baselines import Pick, best_of_n, oracle_pick
from codefrontier.scaling.refinement import PDRResult, Tournament, draw_round, pdr, summarize_all
from codefrontier.scaling.rollouts import Rollout
from codefrontier.scaling.tournament import Bracket

REFINING = {"pdr": "top_k", "random_k": "random", "single_summary": "single"}


@dataclass(frozen=True)
class Plan:
    methods: tuple[str, ...]
    n: int = 16
    k: int = 4
    rounds: int = 1
    pool: int = 16  # first-round rollouts per task
    seed: int = 0

    def sizes(self) -> list[int]:
        """Pool prefixes the cheap baselines are measured on."""
        sizes = {self.n, self.pool}
        size = 1
        while size < self.pool:
            sizes.add(size)
            size *= 2
        return sorted(sizes)

    def rtv_sizes(self) -> list[int]:
        return sorted({self.n, self.pool})


@dataclass
class TaskOutcome:
    task: str
    rollouts: dict[str, Rollout] = field(default_factory=dict)
    picks: list[Pick] = field(default_factory=list)
    brackets: list[Bracket] = field(default_factory=list)
    refinements: list[PDRResult] = field(default_factory=list)


def _ledger(rollouts: Sequence[Rollout]) -> Ledger:
    ledger = Ledger()
    for r in rollouts:
        ledger.charge(r.id, r.cost)
    return ledger


async def scale_task(
    task: Problem,
    plan: Plan,
    *,
    agent: Any,
    summarizer: Any,
    tournament: Tournament,
    task_text: str,
    majority: Any = None,
) -> TaskOutcome:
    """Every method of `plan` on `task` (see the module doc)."""
    outcome = TaskOutcome(task.id)
    pool = await draw_round(agent, task, "r0", plan.pool, None)
    methods = set(plan.methods)

    async def rtv_pick(size: int) -> None:
        rollouts = pool[:size]
        summaries = await summarize_all(summarizer, task, rollouts)
        name = f"{task.id}/r0" if size == plan.n else f"{task.id}/r0@{size}"
        bracket = await tournament.rank(task, task_text, summaries, name)
        ledger = _ledger(rollouts)
        for s in summaries:
            ledger.charge(s.key or f"summary/{s.rollout}", s.cost)
        ledger.extend(bracket.ledger())
        outcome.brackets.append(bracket)
        outcome.picks.append(Pick("rtv", size, task.id, bracket.winner, ledger, {"bracket": name}))

    async def refine(method: str) -> None:
        result = await pdr(
            task,
            agent,
            summarizer,
            tournament,
            task_text=task_text,
            rounds=plan.rounds,
            k=plan.k,
            n=plan.n,
            distill=REFINING[method],
            round0=pool[: plan.n],
        )
        outcome.refinements.append(result)
        for r in result.rounds:
            for rollout in r.rollouts:
                outcome.rollouts[rollout.id] = rollout
            if r.bracket is not None:
                outcome.brackets.append(r.bracket)
        outcome.picks.append(
            Pick(
                method,
                plan.n * (1 + plan.rounds),
                task.id,
                result.final,
                result.ledger,
                {"rounds": result.to_json()["rounds"]},
            )
        )

    async def majority_pick(size: int) -> None:
        pick = await majority.pick(task, pool[:size], seed=plan.seed, name=f"{task.id}/r0@{size}")
        pick.n = size
        outcome.picks.append(pick)

    jobs = []
    if "rtv" in methods:
        jobs += [rtv_pick(size) for size in plan.rtv_sizes()]
    jobs += [refine(m) for m in plan.methods if m in REFINING]
    if "majority" in methods and majority is not None:
        jobs += [majority_pick(size) for size in plan.sizes()]
    await asyncio.gather(*jobs)
    outcome.brackets = list({b.name: b for b in outcome.brackets}.values())
    if "best_of_n" in methods:
        for size in plan.sizes():
            chosen, detail = best_of_n(pool[:size], seed=plan.seed, name=f"{task.id}/r0@{size}")
            outcome.picks.append(Pick("best_of_n", size, task.id, chosen.id, _ledger(pool[:size]), detail))
    for rollout in pool:
        outcome.rollouts[rollout.id] = rollout
    return outcome


@dataclass
class Row:
    """One method at one size on one task, scored."""

    task: str
    method: str
    n: int
    rollout: str
    passed: bool
    cost: Cost
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "method": self.method,
            "n": self.n,
            "rollout": self.rollout,
            "passed": self.passed,
            "cost": self.cost.to_json(),
            "detail": self.detail,
        }


def score(outcomes: Sequence[TaskOutcome], passed: dict[str, bool], plan: Plan) -> list[Row]:
    """One row per task, method and size; the oracle's picks are made here (it is the only
    method that reads the hidden-test verdicts)."""
    rows = []
    for outcome in outcomes:
        picks = list(outcome.picks)
        if "oracle" in plan.methods:
            pool = [r for r in outcome.rollouts.values() if r.stage == "r0"]
            pool.sort(key=lambda r: r.index)
            for size in plan.sizes():
                chosen = oracle_pick(pool[:size], passed)
                picks.append(Pick("oracle", size, outcome.task, chosen.id, _ledger(pool[:size])))
        for pick in picks:
            rows.append(
                Row(
                    outcome.task,
                    pick.method,
                    pick.n,
                    pick.rollout,
                    passed.get(pick.rollout, False),
                    pick.ledger.total,
                    pick.detail,
                )
            )
    rows.sort(key=lambda r: (r.method, r.n, r.task))
    return rows


def points(rows: Sequence[Row]) -> list[Point]:
    """The mean over tasks of each method at each size."""
    groups: dict[tuple[str, int], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.method, row.n), []).append(row)
    return [
        mean_point(method, n, [r.cost for r in group], [r.passed for r in group])
        for (method, n), group in sorted(groups.items())
    ]
