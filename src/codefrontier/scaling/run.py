"""`codefrontier scale run EXP.toml`: rollouts, summaries, tournaments, refinement and
baselines over a benchmark's tasks, judged on the hidden tests, in one run directory.

    RUN/
      manifest.json        what ran, with what settings and versions; one entry per invocation
      experiment.toml      a copy of the experiment file of the latest run
      rollouts.jsonl       every rollout (cache: drawn once)            } paid for: kept, appended,
      summaries.jsonl      every summary (cache)                        } never recomputed; a
      votes.jsonl          every judge vote (cache)                     } changed setting misses
      majority.jsonl       written inputs and program runs (cache)      } the cache instead of
      oracle.jsonl         hidden-test verdict of every program (cache) } mixing results
      brackets.jsonl       every tournament of the latest run, whole (groups, votes, answers)
      selections.jsonl     one line per task, method and size: the pick, its verdict and its cost
      methods.csv          per method and size: tokens per task by role, calls, wall, CPU, solve rate
      equal_cost.csv       every method's solve rate at the reference method's cost
      rollouts.parquet     one row per rollout (queryable with DuckDB)
      results/             a results store of the picked programs, one policy per method and size,
                           with results/figures/solve_rate_vs_tokens.png (`codefrontier report results/`)
      summary.json         the points, the equal-cost comparison, warnings (what `scale report` prints)

Rerunning reads every cache first and pays only for what is missing, so a run killed at
any moment resumes where it stopped; the derived files are rewritten (atomically) at the
end of every run.
"""

from __future__ import annotations

import asyncio
import os
import platform
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codefrontier.errors import InputError
from codefrontier.problems import Problem
from codefrontier.scaling.accounting import Point
from codefrontier.scaling.config import ModelSettings, ScalingExperiment, load_scaling_experiment
from codefrontier.scaling.records import RecordCache

RUN_FORMAT = "codefrontier-scaling/1"
CACHES = ("rollouts", "summaries", "votes", "majority", "oracle")
MAX_ERRORS_KEPT = 20


@dataclass
class ScalingRun:
    out: Path
    tasks: int = 0
    drawn: int = 0  # rollouts drawn by this invocation
    failed_rollouts: int = 0  # rollouts of the results that failed after every retry (this run or before)
    summaries: int = 0
    failed_summaries: int = 0  # never validated; the deterministic summary stands in
    votes: int = 0
    judged: int = 0  # programs judged on the hidden tests
    program_runs: int = 0  # majority-vote runs
    reused: int = 0  # records read from the caches instead of paid for again
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def paid(self) -> int:
        return self.drawn + self.summaries + self.votes + self.judged + self.program_runs

    def counts(self) -> dict[str, int]:
        return {
            "tasks": self.tasks,
            "rollouts_drawn": self.drawn,
            "rollouts_failed": self.failed_rollouts,
            "summaries": self.summaries,
            "summaries_failed": self.failed_summaries,
            "votes": self.votes,
            "judged": self.judged,
            "program_runs": self.program_runs,
            "reused": self.reused,
        }


def scaling_tasks(exp: ScalingExperiment) -> tuple[str, list[Problem]]:
    from codefrontier.problems.registry import resolve_problems

    benchmark, problems = resolve_problems(exp.benchmark, exp.problems_path)
    if exp.problems is not None:
        by_id = {p.id: p for p in problems}
        unknown = [pid for pid in exp.problems if pid not in by_id]
        if unknown:
            raise exp.error(
                "problems", f"unknown problem id(s) {', '.join(map(repr, unknown))} in {benchmark!r}"
            )
        problems = [by_id[pid] for pid in dict.fromkeys(exp.problems)]
    if not problems:
        raise exp.error(
            "benchmark" if exp.benchmark else "problems_file", "has no problems: there is no task to run"
        )
    return benchmark, problems


class Backends:
    """One backend per distinct model spec: the agent and a judge on the same model share it."""

    def __init__(self) -> None:
        self.by_spec: dict[tuple[Any, ...], Any] = {}
        self.where: dict[tuple[Any, ...], str] = {}

    def get(self, settings: ModelSettings, table: str) -> Any:
        from codefrontier.sampling import open_backend

        spec = settings.backend_spec()
        if spec not in self.by_spec:
            self.by_spec[spec] = open_backend(
                settings.model or "",
                engine=settings.engine,
                model_name=settings.model_name,
                api_key=os.environ.get(settings.api_key_env) if settings.api_key_env else None,
                max_in_flight=settings.max_in_flight,
                timeout_s=settings.timeout_s,
                max_retries=settings.max_retries,
                batch_size=settings.batch_size,
                device=settings.device,
                dtype=settings.dtype,
            )
            self.where[spec] = table
        return self.by_spec[spec]

    def preflight(self, exp: ScalingExperiment) -> None:
        """Every endpoint answers and serves its model, before anything is written."""
        from codefrontier.sampling import EndpointError
        from codefrontier.sampling.backends import check_backend, is_url

        for spec, backend in self.by_spec.items():
            if is_url(spec[0] or ""):
                try:
                    check_backend(backend)
                except EndpointError as exc:
                    raise EndpointError(str(exp.error(f"{self.where[spec]}.model", str(exc)))) from None

    async def aclose(self) -> None:
        for backend in self.by_spec.values():
            await backend.aclose()


def _open_backends(exp: ScalingExperiment) -> tuple[Backends, dict[str, Any]]:
    backends = Backends()
    chosen = {"agent": backends.get(exp.agent, "agent")}
    if any(m in exp.methods for m in ("rtv", "pdr", "random_k", "single_summary")):
        chosen["judge"] = backends.get(exp.judge, "judge")
    if exp.summarizer.model is not None:
        chosen["summarizer"] = backends.get(exp.summarizer, "summarizer")
    return backends, chosen


def check_scaling(
    path: str | Path, *, out: str | Path | None = None
) -> tuple[ScalingExperiment, list[Problem]]:
    """Every check `run_scaling` makes before its first stage, and nothing more."""
    from codefrontier.sampling.sampler import check_languages

    exp = load_scaling_experiment(path, out=out)
    _, problems = scaling_tasks(exp)
    check_languages(problems, exp.agent.language)
    backends, _ = _open_backends(exp)
    backends.preflight(exp)
    return exp, problems


def run_scaling(
    path: str | Path,
    *,
    out: str | Path | None = None,
    progress: bool = False,
    jobs: int | None = None,
    retry_failed: bool = False,
    command: list[str] | None = None,
) -> ScalingRun:
    """Run (or resume) the scaling experiment in `path` (see the module doc)."""
    from codefrontier.sampling.sampler import check_languages, utc_now, versions

    started = time.perf_counter()
    exp = load_scaling_experiment(path, out=out)
    benchmark, problems = scaling_tasks(exp)
    check_languages(problems, exp.agent.language)
    backends, chosen = _open_backends(exp)
    backends.preflight(exp)
    out_dir = exp.run_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = _Manifest(out_dir / "manifest.json")
    manifest.data.update(
        experiment={"file": str(exp.file), "sha256": exp.sha256, "name": exp.name},
        config=exp.raw,
        versions=versions(),
        machine={"host": platform.node(), "platform": platform.platform(), "cpus": os.cpu_count()},
    )
    record: dict[str, Any] = {"started": utc_now(), "command": command or sys.argv}
    manifest.data["runs"].append(record)
    copy = out_dir / "experiment.toml"
    if not copy.exists() or copy.read_bytes() != exp.file.read_bytes():
        shutil.copyfile(exp.file, copy)
    manifest.save()
    run = ScalingRun(out_dir, tasks=len(problems))
    caches = {name: RecordCache(out_dir / f"{name}.jsonl") for name in CACHES}
    try:
        asyncio.run(
            _run(exp, benchmark, problems, backends, chosen, caches, run, jobs, retry_failed, progress)
        )
    finally:
        for cache in caches.values():
            cache.close()
        run.seconds = time.perf_counter() - started
        record.update(finished=utc_now(), seconds=round(run.seconds, 3), **run.counts())
        manifest.save()
    return run


async def _run(
    exp: ScalingExperiment,
    benchmark: str,
    problems: list[Problem],
    backends: Backends,
    chosen: dict[str, Any],
    caches: dict[str, RecordCache],
    run: ScalingRun,
    jobs: int | None,
    retry_failed: bool,
    progress: bool,
) -> None:
    from codefrontier.judge import JudgeConfig
    from codefrontier.sampling import CodeRunner, PublicJudge
    from codefrontier.sampling.prompts import task_text
    from codefrontier.scaling.oracle import JudgeOracle
    from codefrontier.scaling.outputs import write_outputs
    from codefrontier.scaling.pipeline import Plan, TaskOutcome, scale_task, score
    from codefrontier.scaling.refinement import Tournament

    a, s = exp.agent, exp.scaling
    jobs = jobs or exp.sandbox.jobs
    judge_config = JudgeConfig(isolation=exp.sandbox.isolation, time_scale=exp.sandbox.time_scale)
    public_judge = PublicJudge(judge_config, jobs)
    runner = CodeRunner(judge_config, jobs, output_chars=1 << 20) if "majority" in exp.methods else None
    bar: _Bar | None = None
    try:
        for backend in backends.by_spec.values():
            await backend.check()
        agent, summarizer, judge, majority = _components(
            exp, chosen, caches, public_judge, runner, jobs, retry_failed
        )
        tournament = Tournament(judge, group_size=s.group_size, votes=s.votes, seed=s.seed)
        plan = Plan(tuple(exp.methods), n=s.n, k=s.k, rounds=s.rounds, pool=exp.pool, seed=s.seed)
        if progress:
            bar = _Bar(len(problems), lambda: _status(agent, summarizer, judge, majority))

        async def one(task: Problem) -> TaskOutcome:
            outcome = await scale_task(
                task,
                plan,
                agent=agent,
                summarizer=summarizer,
                tournament=tournament,
                task_text=task_text(task, a.language),
                majority=majority,
            )
            if bar is not None:
                bar.advance()
            return outcome

        outcomes = await asyncio.gather(*(one(t) for t in problems))
        if bar is not None:
            bar.note("judging the programs on the hidden tests")
        oracle = JudgeOracle(caches["oracle"], judge_config, jobs, benchmark)
        tasks = {p.id: p for p in problems}
        rollouts = [r for o in outcomes for r in o.rollouts.values()]
        verdicts = await oracle.judge(tasks, rollouts)
        rows = score(outcomes, {k: v.passed for k, v in verdicts.items()}, plan)
        run.drawn = agent.drawn
        run.failed_rollouts = sum(1 for r in rollouts if r.status == "failed")
        run.summaries, run.failed_summaries = summarizer.made, summarizer.failed
        run.votes = judge.cast if judge is not None else 0
        run.judged = oracle.judged
        run.program_runs = majority.runs_made if majority is not None else 0
        run.reused = sum(c.hits for c in caches.values())
        run.errors = [f"{r.task} {r.stage} #{r.index}: {r.error}" for r in rollouts if r.error][
            :MAX_ERRORS_KEPT
        ]
        run.warnings = _warnings(exp, outcomes, rollouts, summarizer)
        run.points = write_outputs(exp, benchmark, outcomes, rows, verdicts, oracle, run.warnings)
    finally:
        if bar is not None:
            bar.close()
        public_judge.close()
        if runner is not None:
            runner.close()
        await backends.aclose()


def _components(
    exp: ScalingExperiment,
    chosen: dict[str, Any],
    caches: dict[str, RecordCache],
    public_judge: Any,
    runner: Any,
    jobs: int | None,
    retry_failed: bool,
) -> tuple[Any, Any, Any, Any]:
    """The cached agent, summarizer, judge (None without ranked methods) and majority vote
    (None unless asked for) of a run."""
    from codefrontier.sampling import SettingConfig
    from codefrontier.scaling.baselines import InputWriter, Majority
    from codefrontier.scaling.rollouts import CachedAgent, EpisodeAgent
    from codefrontier.scaling.summaries import CachedSummarizer, DeterministicSummarizer, ModelSummarizer
    from codefrontier.scaling.tournament import CachedJudge, ModelJudge

    a, sm, s = exp.agent, exp.summarizer, exp.scaling
    setting = SettingConfig(
        setting="agent",
        language=a.language,
        temperature=a.temperature,
        top_p=a.top_p,
        max_tokens=a.max_tokens,
        seed=a.seed,
        max_turns=a.max_turns,
    )
    agent = CachedAgent(
        EpisodeAgent(chosen["agent"], setting, public_judge), caches["rollouts"], retry_failed=retry_failed
    )
    inner: Any = DeterministicSummarizer(sm.budget_tokens)
    if "summarizer" in chosen:
        inner = ModelSummarizer(
            chosen["summarizer"],
            budget=sm.budget_tokens,
            retries=sm.retries,
            temperature=sm.temperature,
            max_tokens=sm.max_tokens,
            seed=a.seed,
        )
    summarizer = CachedSummarizer(inner, caches["summaries"], retry_failed=retry_failed)
    judge = None
    if "judge" in chosen:
        model_judge = ModelJudge(
            chosen["judge"], temperature=exp.judge.temperature, max_tokens=exp.judge.max_tokens
        )
        judge = CachedJudge(model_judge, caches["votes"])
    majority = None
    if runner is not None:
        writer = None
        if s.majority_inputs:
            writer = InputWriter(chosen["agent"], count=s.majority_inputs, max_tokens=a.max_tokens)
        majority = Majority(caches["majority"], runner, writer, max_parallel=max(1, jobs or 8))
    return agent, summarizer, judge, majority


def _warnings(
    exp: ScalingExperiment, outcomes: Sequence[Any], rollouts: Sequence[Any], summarizer: Any
) -> list[str]:
    warnings = []
    for outcome in outcomes:
        for bracket in outcome.brackets:
            warnings += [f"tournament {bracket.name}: {w}" for w in bracket.warnings]
    failed = [r for r in rollouts if r.status == "failed"]
    if failed:
        warnings.append(
            f"{len(failed)} of {len(rollouts)} rollouts failed after every retry and are recorded as failed "
            "(candidates without a program); `codefrontier scale run --retry-failed` draws them again"
        )
    fallbacks = summarizer.failed
    if fallbacks:
        warnings.append(
            f"{fallbacks} model summaries never validated against the schema; the deterministic summary stood in"
        )
    return warnings


def _status(agent: Any, summarizer: Any, judge: Any, majority: Any) -> str:
    parts = [f"{agent.drawn} rollouts" + (f" ({agent.failed} failed)" if agent.failed else "")]
    parts.append(f"{summarizer.made} summaries")
    if judge is not None:
        parts.append(f"{judge.cast} votes")
    if majority is not None:
        parts.append(f"{majority.runs_made} program runs")
    return ", ".join(parts)


class _Manifest:
    def __init__(self, path: Path) -> None:
        import json

        self.path = path
        self.data: dict[str, Any] = {"format": RUN_FORMAT, "runs": []}
        if path.exists():
            try:
                self.data = json.loads(path.read_text())
            except json.JSONDecodeError as exc:
                raise InputError(f"not valid JSON ({exc.msg}); remove it to start over", path=path) from None
            if self.data.get("format") != RUN_FORMAT:
                raise InputError(f"not a {RUN_FORMAT} manifest: choose another out", path=path)

    def save(self) -> None:
        from codefrontier.sampling.samplefile import write_json_atomic

        write_json_atomic(self.path, self.data)


class _Bar:
    """Tasks finished, with a live count of what has been paid for."""

    def __init__(self, total: int, status: Any) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.status = status
        self._note = ""
        self.progress = Progress(
            TextColumn("[bold]scaling[/bold] tasks"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[status]}"),
        )
        self.task = self.progress.add_task("tasks", total=total, status="")
        self.progress.start()
        self._ticker = asyncio.get_running_loop().create_task(self._tick())

    async def _tick(self) -> None:
        while True:
            self.progress.update(self.task, status=self._text())
            await asyncio.sleep(0.5)

    def _text(self) -> str:
        return self.status() + (f"; {self._note}" if self._note else "")

    def advance(self) -> None:
        self.progress.update(self.task, advance=1, status=self._text())

    def note(self, text: str) -> None:
        self._note = text
        self.progress.update(self.task, status=self._text())

    def close(self) -> None:
        self._ticker.cancel()
        self.progress.stop()
