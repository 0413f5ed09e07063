"""`codefrontier synth generate`: the multi-turn loop over many seeds into a resumable
run directory, then the native outputs and a summary (docs/synth.md)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from codefrontier.sampling import Backend, Usage
from codefrontier.sampling.samplefile import write_json_atomic
from codefrontier.synth.bins import NARROW, Bin
from codefrontier.synth.dedup import dedup
from codefrontier.synth.envs import Environment
from codefrontier.synth.execution import ProgramRunner
from codefrontier.synth.filtering import ViableRange, yield_by_turn
from codefrontier.synth.grading import Grader
from codefrontier.synth.journal import Journal, TurnRecord
from codefrontier.synth.loop import TurnEngine, run_all, run_seed
from codefrontier.synth.output import accepted_tasks, write_problems, write_samples
from codefrontier.synth.prompts import PROMPT_VERSION
from codefrontier.synth.seeds import Seed
from codefrontier.synth.settings import LoopSettings, RunLimits

# Settings a rerun into the same directory must repeat: they change what a turn means.
FIXED = ("env", "attempts", "n_inputs", "seeds", "prompt_version", "cpu_s", "memory_mb")


@dataclass
class GenerateReport:
    out: Path
    turns_played: int = 0
    turns_done_before: int = 0
    problems: int = 0
    viable: int = 0
    errors: list[str] = field(default_factory=list)
    costs: dict[str, Usage] = field(default_factory=dict)  # this run
    total_costs: dict[str, dict[str, int]] = field(default_factory=dict)  # every call in the directory
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return not self.errors


class TurnProgress:
    """A rich bar over turns, with the tokens paid so far."""

    def __init__(self, total: int, done: int, costs: Callable[[], dict[str, Usage]]) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.costs = costs
        self.progress = Progress(
            TextColumn("[bold]synth[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[note]}"),
        )
        self.task = self.progress.add_task("turns", total=total, completed=done, note="")
        self.viable = 0
        self.progress.start()

    def turn(self, record: TurnRecord) -> None:
        if record.pass_rate is not None and 0.01 < record.pass_rate < 0.97:
            self.viable += 1
        tokens = sum(u.total_tokens for u in self.costs().values())
        self.progress.update(self.task, advance=1, note=f"viable {self.viable}  tokens {tokens:,}")

    def close(self) -> None:
        self.progress.stop()


def generate(
    *,
    env: Environment,
    teacher: Backend,
    student: Backend,
    seeds: list[Seed],
    seed_source: dict[str, Any],
    out: str | Path,
    settings: LoopSettings | None = None,
    limits: RunLimits | None = None,
    jobs: int | None = None,
    isolation: str = "auto",
    viable: ViableRange | None = None,
    bins: tuple[Bin, ...] = NARROW,
    progress: bool = False,
) -> GenerateReport:
    """Play every seed's conversation (resuming what `out` holds), then write
    problems.jsonl, samples.jsonl and summary.json there."""
    settings = settings or LoopSettings()
    limits = limits or RunLimits()
    viable = viable or ViableRange()
    started = time.monotonic()
    journal = Journal(out)
    record = {
        "env": env.name,
        "attempts": settings.attempts,
        "n_inputs": settings.n_inputs,
        "seeds": seed_source,
        "prompt_version": PROMPT_VERSION,
        "cpu_s": limits.cpu_s,
        "memory_mb": limits.memory_mb,
        "loop": {k: v for k, v in asdict(settings).items() if k != "progression"},
        "progression": asdict(settings.progression),
        "teacher": teacher.describe(),
        "student": student.describe(),
    }
    report = GenerateReport(Path(out))
    with journal:
        journal.open(record, FIXED)
        report.turns_done_before = sum(min(len(journal.turns.get(s.id, [])), settings.turns) for s in seeds)
        todo = [s for s in seeds if len(journal.turns.get(s.id, [])) < settings.turns]
        if todo:
            asyncio.run(
                _play(
                    env,
                    teacher,
                    student,
                    journal,
                    settings,
                    limits,
                    jobs,
                    isolation,
                    todo,
                    seeds,
                    report,
                    progress,
                )
            )
        turns = [t for s in seeds for t in journal.turns.get(s.id, [])[: settings.turns]]
        summary = write_outputs(Path(out), turns, env, viable, bins, limits, report, journal)
    report.seconds = time.monotonic() - started
    write_json_atomic(Path(out) / "summary.json", {**summary, "seconds_this_run": round(report.seconds, 3)})
    return report


async def _play(
    env: Environment,
    teacher: Backend,
    student: Backend,
    journal: Journal,
    settings: LoopSettings,
    limits: RunLimits,
    jobs: int | None,
    isolation: str,
    todo: list[Seed],
    seeds: list[Seed],
    report: GenerateReport,
    progress: bool,
) -> None:
    with (
        Grader(jobs=jobs, isolation=isolation, limits=limits) as grader,
        ProgramRunner(jobs=max(1, (jobs or 2) // 2), isolation=isolation, limits=limits) as runner,
    ):
        bar: TurnProgress | None = None
        engine = TurnEngine(env, teacher, student, journal, settings, grader, runner)
        if progress:
            bar = TurnProgress(
                len(seeds) * settings.turns, report.turns_done_before, lambda: engine.costs.run
            )

        def on_turn(record: TurnRecord) -> None:
            report.turns_played += 1
            if bar is not None:
                bar.turn(record)

        engine.on_turn = on_turn
        try:
            await run_all(
                todo, lambda s: run_seed(engine, s), settings.parallel, report.errors, lambda s: s.id
            )
        finally:
            if bar is not None:
                bar.close()
            report.costs = engine.costs.run
            for backend in {id(teacher): teacher, id(student): student}.values():
                await backend.aclose()


def write_outputs(
    out: Path,
    turns: list[TurnRecord],
    env: Environment,
    viable: ViableRange,
    bins: tuple[Bin, ...],
    limits: RunLimits,
    report: GenerateReport,
    journal: Journal,
) -> dict[str, Any]:
    tasks = list(accepted_tasks(turns, bins))
    kept, dropped = dedup([t for t in tasks if viable.holds(t.meta.get("pass_rate"))], lambda t: t)
    report.problems = write_problems(out / "problems.jsonl", tasks, limits)
    write_samples(out / "samples.jsonl", turns)
    report.viable = len(kept)
    rows = [
        {
            "turn": t.turn,
            "task_id": t.task.id if t.task else None,
            "pass_rate": t.pass_rate,
            "rejection": t.rejection.reason.value if t.rejection else None,
        }
        for t in turns
    ]
    total: dict[str, dict[str, int]] = {}
    for key, call in journal.calls.items():
        role = "teacher" if key.endswith("/teacher") else "student"
        for name, value in (call.get("usage") or {}).items():
            total.setdefault(role, {}).setdefault(name, 0)
            total[role][name] += int(value)
    report.total_costs = total
    return {
        "env": env.name,
        "turns": len(turns),
        "problems": len(tasks),
        "viable": len([t for t in tasks if viable.holds(t.meta.get("pass_rate"))]),
        "viable_unique": len(kept),
        "duplicates_dropped": dropped,
        "viable_range": [viable.low, viable.high],
        "bins": {b.name: [b.low, b.high] for b in bins},
        "by_bin": _count(t.meta.get("bin") for t in tasks),
        "yield_by_turn": yield_by_turn(rows, viable, {t.id for t in kept}),
        "tokens_this_run": {role: u.to_json() for role, u in report.costs.items()},
        "tokens_total": total,
        "errors": report.errors,
    }


def _count(names: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in names:
        key = name or "none"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))
