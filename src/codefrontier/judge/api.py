"""The judge's Python API: judge samples in memory, or into a resumable results store."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codefrontier.contracts import Problem, Sample, SampleResult
from codefrontier.errors import ConfigError
from codefrontier.judge import provenance
from codefrontier.judge.config import JudgeConfig
from codefrontier.judge.pool import JudgePool
from codefrontier.store.results import ResultsStore

# Settings that change verdicts: a store made with other values cannot be resumed.
RESUME_SETTINGS = ("mode", "level", "time_scale", "wall_factor", "output_limit_mb", "isolation")


@dataclass
class RunReport:
    out_dir: Path
    judged: int = 0
    skipped: int = 0  # already in the store from an earlier run
    internal_errors: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    isolation: str = ""


def judge_samples(
    problems: Iterable[Problem],
    samples: Iterable[Sample],
    *,
    config: JudgeConfig | None = None,
    jobs: int | None = None,
    benchmark: str = "",
    pool: JudgePool | None = None,
) -> list[SampleResult]:
    """Judge samples in memory and return their results in the order given. Judges on
    `pool` when given (e.g. a Ray pool; its own config then applies), else on `jobs`
    local sandboxes made for this call."""
    by_id = {p.id: p for p in problems}
    samples = list(samples)
    with _pool(pool, config, jobs) as active:
        results = {
            (r.problem_id, r.policy, r.sample): r for r in active.judge(_tasks(by_id, samples), benchmark)
        }
    return [results[s.key] for s in samples]


def _pool(
    pool: JudgePool | None, config: JudgeConfig | None, jobs: int | None
) -> AbstractContextManager[JudgePool]:
    """The caller's pool (left open), or a local one closed after use."""
    return contextlib.nullcontext(pool) if pool is not None else JudgePool.local(config, jobs)


def _tasks(problems: dict[str, Problem], samples: Iterable[Sample]) -> list[tuple[Problem, Sample]]:
    return [(problems[s.problem_id], s) for s in samples]


def settings_of(config: JudgeConfig) -> dict[str, Any]:
    return {
        "mode": config.mode.value,
        "level": config.level,
        "time_scale": config.time_scale,
        "wall_factor": config.wall_factor,
        "output_limit_mb": config.output_limit_mb,
        "isolation": config.isolation,
        "retries": config.retries,
    }


def file_digest(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run_judge(
    problems: Sequence[Problem],
    samples: Sequence[Sample],
    out_dir: str | Path,
    *,
    benchmark: str,
    config: JudgeConfig | None = None,
    jobs: int | None = None,
    progress: bool = True,
    inputs: dict[str, Any] | None = None,
    command: list[str] | None = None,
    pool: JudgePool | None = None,
) -> RunReport:
    """Judge into a results store; samples already in it are skipped, so re-running the
    same command resumes. Ctrl-C keeps every finished result. `pool`: judge there (e.g. on a
    Ray cluster; the pool's config then applies) instead of on `jobs` local sandboxes."""
    config = pool.config if pool is not None else (config or JudgeConfig())
    store = ResultsStore(out_dir)
    with store.writing():
        return _judge_into(
            store, problems, samples, out_dir, benchmark, config, jobs, progress, inputs, command, pool
        )


def _judge_into(
    store: ResultsStore,
    problems: Sequence[Problem],
    samples: Sequence[Sample],
    out_dir: str | Path,
    benchmark: str,
    config: JudgeConfig,
    jobs: int | None,
    progress: bool,
    inputs: dict[str, Any] | None,
    command: list[str] | None,
    pool: JudgePool | None,
) -> RunReport:
    settings = settings_of(config)
    earlier = store.read_provenance()
    if earlier is not None:
        _check_resumable(earlier, benchmark, settings, store.dir)
    by_id = {p.id: p for p in problems}
    done = store.done_keys()
    todo = [s for s in samples if (benchmark, s.problem_id, s.policy, s.sample) not in done]
    report = RunReport(Path(out_dir), skipped=len(samples) - len(todo))
    store.finalize()  # merge leftovers of an interrupted run before adding to it
    with _pool(pool, config, jobs) as pool:
        level, reasons = pool.isolation
        report.isolation = level
        store.write_provenance(
            provenance.collect(
                benchmark=benchmark,
                isolation=level,
                isolation_reasons=reasons,
                settings={**settings, "jobs": pool.jobs},
                inputs=inputs or {},
                command=command,
            )
        )
        bar = judge_progress(progress, len(todo), note=f"isolation: {level}")
        try:
            for result in pool.judge(_tasks(by_id, todo), benchmark):
                store.add(result)
                report.judged += 1
                report.verdicts[result.verdict.value] = report.verdicts.get(result.verdict.value, 0) + 1
                if result.verdict.value == "IE":
                    report.internal_errors += 1
                if bar is not None:
                    bar.advance(result)
        finally:
            if bar is not None:
                bar.close()
            store.finalize()
    return report


def _check_resumable(earlier: dict[str, Any], benchmark: str, settings: dict[str, Any], where: Path) -> None:
    if earlier.get("benchmark") != benchmark:
        raise ConfigError(
            f"{where} holds results for benchmark {earlier.get('benchmark')!r}, not {benchmark!r}; use another --out"
        )
    old = earlier.get("judge", {})
    for key in RESUME_SETTINGS:
        if key in old and old[key] != settings[key]:
            raise ConfigError(
                f"{where} was judged with {key}={old[key]!r}, this run asks for {settings[key]!r}; "
                "results made differently cannot be mixed: use the same settings or another --out"
            )


class JudgeProgress:
    """A rich progress bar over judged samples, with the verdict counts so far."""

    def __init__(self, total: int, label: str, note: str) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.counts: dict[str, int] = {}
        self.progress = Progress(
            TextColumn(f"[bold]{label}[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[verdicts]}"),
            transient=False,
        )
        self.task = self.progress.add_task(label, total=total, verdicts=note)
        self.progress.start()

    def advance(self, result: SampleResult) -> None:
        self.counts[result.verdict.value] = self.counts.get(result.verdict.value, 0) + 1
        text = " ".join(f"{k} {v}" for k, v in sorted(self.counts.items()))
        self.progress.update(self.task, advance=1, verdicts=text)

    def close(self) -> None:
        self.progress.stop()


def judge_progress(enabled: bool, total: int, label: str = "judging", note: str = "") -> JudgeProgress | None:
    """A progress bar when `enabled` (typically: stderr is a terminal) and there is work."""
    return JudgeProgress(total, label, note) if enabled and total else None
