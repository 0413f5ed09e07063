"""Stepping-stone chains, built top-down, and their matched baseline (docs/synth.md,
"Stepping stones").

A chain starts from a hard problem (a generated problem in the hard bin). The teacher is
shown it with its pass rate and asked for a medium variant of the same core task; the
variant is checked and measured like any turn (M student attempts). If its pass rate is
not in the medium bin the teacher sees the summary and tries again (up to `tries`
times); then the same for an easy variant. A chain is complete when both variants landed
in their bins.

The matched baseline answers "is it the chain, or just the difficulty mix?": disjoint
easy, medium and hard sets drawn from the other generated problems (none in any chain)
whose pass-rate histograms match the chains' members role by role — for each chain
member, the unused problem of the same bin with the nearest pass rate.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codefrontier.sampling import Backend
from codefrontier.sampling.samplefile import write_json_atomic
from codefrontier.synth import prompts
from codefrontier.synth.bins import NARROW, Bin, bin_named, bin_of
from codefrontier.synth.envs import get_environment
from codefrontier.synth.execution import ProgramRunner
from codefrontier.synth.grading import Grader
from codefrontier.synth.journal import Journal, TurnRecord
from codefrontier.synth.literals import arguments_text
from codefrontier.synth.loop import Message, TurnEngine, run_all
from codefrontier.synth.output import write_problems
from codefrontier.synth.prompts import PROMPT_VERSION
from codefrontier.synth.settings import LoopSettings, RunLimits
from codefrontier.synth.task import SynthTask

ROLES = ("medium", "easy")  # asked for in this order, after the hard problem


@dataclass
class Chain:
    id: str
    hard: SynthTask
    members: dict[str, TurnRecord] = field(default_factory=dict)  # role -> the turn that landed in its bin
    tries: dict[str, list[float | None]] = field(default_factory=dict)  # role -> measured pass rates

    @property
    def complete(self) -> bool:
        return all(role in self.members for role in ROLES)

    def to_json(self) -> dict[str, Any]:
        return {
            "chain": self.id,
            "complete": self.complete,
            "hard": {"task": self.hard.id, "pass_rate": self.hard.meta.get("pass_rate")},
            **{
                role: {
                    "task": self.members[role].task.id
                    if role in self.members and self.members[role].task
                    else None,
                    "pass_rate": self.members[role].pass_rate if role in self.members else None,
                    "tries": self.tries.get(role, []),
                }
                for role in ROLES
            },
        }


def teacher_format(task: SynthTask) -> str:
    """A task written back in the teacher's answer format."""
    inputs = "\n".join(f"```input\n{arguments_text(args)}\n```" for args in task.inputs)
    return f"```python\n{task.program.rstrip()}\n```\n\n{inputs}\n\n```message\n{task.message}\n```"


def _ask_variant(role: str, target: Bin, first: bool) -> str:
    base = "the hard problem above" if first else "the original hard problem"
    return (
        f"Write a {role} variant of {base}: the same core task, made easier, so that the student solves it "
        f"{target.low:.2f}-{target.high:.2f} of the time. Use the same answer format."
    )


async def build_chain(engine: TurnEngine, hard: SynthTask, bins: Sequence[Bin], tries: int) -> Chain:
    """The chain of one hard problem; turns already in the journal are replayed, not played."""
    env = engine.env
    chain = Chain(f"chain-{hard.id}", hard)
    recorded = {t.turn: t for t in engine.journal.turns.get(chain.id, [])}
    hard_rate = hard.meta.get("pass_rate")
    shown = f"{hard_rate:.2f}" if isinstance(hard_rate, (int, float)) else "rarely"
    messages: list[Message] = [
        {"role": "system", "content": prompts.teacher_system(env, engine.settings.n_inputs)},
        {
            "role": "user",
            "content": f"Here is a hard problem; the student solves it {shown} of the time:\n\n"
            f"{teacher_format(hard)}\n\n" + _ask_variant(ROLES[0], bin_named(ROLES[0], tuple(bins)), True),
        },
    ]
    meta = {"chain": chain.id, "chain_hard": hard.id, "seed": hard.meta.get("seed")}
    turn = 0
    for r, role in enumerate(ROLES):
        target = bin_named(role, tuple(bins))
        for _ in range(tries):
            turn += 1
            record = recorded.get(turn)
            if record is None:
                record = await engine.play(chain.id, turn, messages, role, {**meta, "chain_role": role})
            else:
                messages.append({"role": "assistant", "content": record.teacher})
            chain.tries.setdefault(role, []).append(record.pass_rate)
            landed = (
                record.task is not None and record.pass_rate is not None and target.holds(record.pass_rate)
            )
            if landed:
                chain.members[role] = record
            feedback = (
                prompts.rejected(record.rejection)
                if record.rejection is not None
                else prompts.summary(record.attempts, record.answers, record.pass_rate)
            )
            if landed:
                if r + 1 < len(ROLES):
                    nxt = ROLES[r + 1]
                    messages.append(
                        {
                            "role": "user",
                            "content": f"{feedback}\n\n"
                            + _ask_variant(nxt, bin_named(nxt, tuple(bins)), False),
                        }
                    )
                break
            messages.append(
                {
                    "role": "user",
                    "content": f"{feedback}\n\nThat missed the {role} band. Try the {role} variant again: the same "
                    f"core task as the original hard problem, solved {target.low:.2f}-{target.high:.2f} of the time.",
                }
            )
        if role not in chain.members:
            break  # no stepping stone below a missing one
    return chain


def matched_baseline(
    chains: Sequence[Chain], pool: Sequence[SynthTask], bins: Sequence[Bin], seed: int = 0
) -> tuple[dict[str, list[SynthTask]], dict[str, int]]:
    """Disjoint easy/medium/hard sets from `pool` (minus every chain member) matching the
    complete chains' pass rates role by role; and, per role, how many could not be matched."""
    rng = random.Random(f"codefrontier-baseline:{seed}")
    used = {c.hard.id for c in chains} | {r.task.id for c in chains for r in c.members.values() if r.task}
    free = [t for t in pool if t.id not in used and isinstance(t.meta.get("pass_rate"), (int, float))]
    rng.shuffle(free)  # ties between equally near problems go to a seeded draw
    targets: dict[str, list[float]] = {"hard": [], "medium": [], "easy": []}
    for chain in chains:
        if not chain.complete:
            continue
        targets["hard"].append(float(chain.hard.meta["pass_rate"]))
        for role in ROLES:
            targets[role].append(float(chain.members[role].pass_rate or 0.0))
    chosen: dict[str, list[SynthTask]] = {role: [] for role in targets}
    missing: dict[str, int] = {role: 0 for role in targets}
    taken: set[str] = set()
    for role, rates in targets.items():
        for rate in sorted(rates):
            candidates = [
                t for t in free if t.id not in taken and bin_of(t.meta["pass_rate"], tuple(bins)) == role
            ]
            if not candidates:
                missing[role] += 1
                continue
            best = min(candidates, key=lambda t: abs(float(t.meta["pass_rate"]) - rate))
            taken.add(best.id)
            chosen[role].append(best)
    return chosen, missing


@dataclass
class ChainsReport:
    out: Path
    chains: int = 0
    complete: int = 0
    baseline: dict[str, int] = field(default_factory=dict)
    unmatched: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def build_chains(
    *,
    tasks: Sequence[SynthTask],
    teacher: Backend,
    student: Backend,
    out: str | Path,
    settings: LoopSettings | None = None,
    limits: RunLimits | None = None,
    bins: Sequence[Bin] = NARROW,
    tries: int = 2,
    limit: int | None = None,
    jobs: int | None = None,
    isolation: str = "auto",
    seed: int = 0,
) -> ChainsReport:
    """Chains from the first `limit` hard problems among `tasks` (default: half of them,
    rounded up: the other hard problems stay in the pool the matched baseline draws its
    hard set from), written to `out`: chains.jsonl (every member as a native problem),
    chains.json (the chains), baseline.jsonl (the matched baseline) and the journal that
    makes it resumable."""
    settings = settings or LoopSettings()
    limits = limits or RunLimits()
    bins = tuple(bins)
    envs = {t.env for t in tasks}
    if len(envs) > 1:
        from codefrontier.errors import ConfigError

        raise ConfigError(
            f"the problems mix environments ({', '.join(sorted(envs))}); build chains per environment"
        )
    hard = [t for t in tasks if bin_of(t.meta.get("pass_rate"), bins) == "hard"]
    hard = hard[: limit if limit is not None else (len(hard) + 1) // 2]
    out = Path(out)
    report = ChainsReport(out)
    journal = Journal(out)
    record = {
        "env": next(iter(envs), ""),
        "attempts": settings.attempts,
        "n_inputs": settings.n_inputs,
        "prompt_version": PROMPT_VERSION,
        "bins": {b.name: [b.low, b.high] for b in bins},
        "tries": tries,
        "hard": [t.id for t in hard],
    }
    chains: list[Chain] = []
    with journal:
        journal.open(record, ("env", "attempts", "n_inputs", "prompt_version", "bins"))
        if hard:
            env = get_environment(hard[0].env)

            async def play() -> None:
                with (
                    Grader(jobs=jobs, isolation=isolation, limits=limits) as grader,
                    ProgramRunner(max(1, (jobs or 2) // 2), isolation, limits) as runner,
                ):
                    engine = TurnEngine(env, teacher, student, journal, settings, grader, runner)

                    async def one(task: SynthTask) -> None:
                        chains.append(await build_chain(engine, task, bins, tries))

                    try:
                        await run_all(hard, one, settings.parallel, report.errors, lambda t: t.id)
                    finally:
                        for backend in {id(teacher): teacher, id(student): student}.values():
                            await backend.aclose()

            asyncio.run(play())
    chains.sort(key=lambda c: c.id)
    members: list[SynthTask] = []
    for chain in chains:
        chain.hard.meta.update(chain=chain.id, chain_role="hard", bin="hard")
        members.append(chain.hard)
        for role, turn in chain.members.items():
            assert turn.task is not None
            turn.task.meta.update(chain=chain.id, chain_role=role, bin=role, pass_rate=turn.pass_rate)
            members.append(turn.task)
    baseline, missing = matched_baseline(chains, tasks, bins, seed)
    for role, chosen in baseline.items():
        for task in chosen:
            task.meta.update(baseline_role=role, bin=role)
    write_problems(out / "chains.jsonl", members, limits)
    write_problems(
        out / "baseline.jsonl", [t for role in ("easy", "medium", "hard") for t in baseline[role]], limits
    )
    write_json_atomic(out / "chains.json", {"chains": [c.to_json() for c in chains], "unmatched": missing})
    report.chains = len(chains)
    report.complete = sum(c.complete for c in chains)
    report.baseline = {role: len(v) for role, v in baseline.items()}
    report.unmatched = missing
    return report
