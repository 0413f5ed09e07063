"""Draw samples from one policy: every problem, `n` samples each, in one inference
setting, into a resumable samples file (see `samplefile`).

    from codefrontier.sampling import SettingConfig, draw_samples, open_backend
    report = draw_samples(problems, lambda: open_backend("http://localhost:8000/v1"), "samples.jsonl",
                          n=16, policy="rl-step-400", config=SettingConfig(setting="tools"))

The backend is opened only when there is something to draw, so a finished run costs
nothing to repeat. Requests run concurrently (as many as the backend says it can take);
a sample whose requests fail after every retry is not written (a later run draws it),
while an error every request would repeat (no such model, a refused key) stops the run.
"""

from __future__ import annotations

import asyncio
import platform
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from codefrontier import __version__
from codefrontier.contracts import Problem
from codefrontier.errors import ConfigError
from codefrontier.judge.config import JudgeConfig
from codefrontier.languages import get_language
from codefrontier.sampling.backends.base import Backend, RequestFailed, Usage
from codefrontier.sampling.feedback import PublicJudge
from codefrontier.sampling.infilling import TokenInfill
from codefrontier.sampling.prompts import final_answer
from codefrontier.sampling.samplefile import (
    SampleWriter,
    companion_paths,
    cut_torn_tail,
    done_keys,
    read_sampling_record,
    sample_record,
    write_json_atomic,
)
from codefrontier.sampling.settings import Episode, Resources, Setting, SettingConfig, Trajectory
from codefrontier.sampling.tools import CodeRunner, tool_specs

BackendSource = Backend | Callable[[], Backend]
MAX_ERRORS_KEPT = 20


@dataclass
class SampleRunReport:
    out: Path
    policy: str
    drawn: int = 0
    skipped: int = 0  # already in the file from an earlier run
    failed: int = 0  # requests failed after every retry; not written, drawn by a later run
    errors: list[str] = field(default_factory=list)
    stops: dict[str, int] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0
    model: str = ""
    interrupted: bool = False  # stopped by Ctrl-C: the samples finished before it are kept

    @property
    def complete(self) -> bool:
        return self.failed == 0 and not self.interrupted

    def to_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "policy": self.policy,
            "drawn": self.drawn,
            "skipped": self.skipped,
            "failed": self.failed,
            "errors": self.errors,
            "stops": self.stops,
            "usage": self.usage.to_json(),
            "seconds": round(self.seconds, 3),
            "model": self.model,
            "interrupted": self.interrupted,
        }


def check_languages(problems: Sequence[Problem], language: str) -> None:
    """Fail before any work if the language cannot answer some problem's kind."""
    lang = get_language(language)
    wrong = [p.id for p in problems if p.kind not in lang.kinds]
    if wrong:
        shown = ", ".join(wrong[:5]) + (f" and {len(wrong) - 5} more" if len(wrong) > 5 else "")
        raise ConfigError(
            f"{lang.name} cannot be judged on the {len(wrong)} non-stdio problem(s) {shown}; use python"
        )


def draw_samples(
    problems: Sequence[Problem],
    backend: BackendSource,
    out: str | Path,
    *,
    n: int,
    policy: str,
    config: SettingConfig | None = None,
    policy_meta: dict[str, Any] | None = None,
    benchmark: str = "",
    judge_config: JudgeConfig | None = None,
    jobs: int | None = None,
    progress: bool = False,
    command: list[str] | None = None,
    tokenizer: str | Path | None = None,
) -> SampleRunReport:
    """Draw `n` samples per problem for `policy` into `out` (resumable; see module doc)."""
    config = config or SettingConfig()
    out = Path(out)
    if n < 1:
        raise ConfigError("the number of samples per problem (--n) must be at least 1")
    if not policy:
        raise ConfigError("the policy name must not be empty")
    check_languages(problems, config.language)
    _, record_path = companion_paths(out)
    record = read_sampling_record(record_path)
    _check_resumable(record, policy, config, benchmark, record_path)
    done = done_keys(out, repair=True)
    cut_torn_tail(companion_paths(out)[0], repair=True)  # before appending to it
    todo = [(p, i) for p in problems for i in range(n) if (p.id, policy, i) not in done]
    report = SampleRunReport(out, policy, skipped=len(problems) * n - len(todo))
    if not todo:
        return report
    opened = backend if isinstance(backend, Backend) else backend()
    started = time.perf_counter()
    run = {"started": utc_now(), "command": command or sys.argv, "todo": len(todo)}
    status = "interrupted"
    try:
        asyncio.run(
            _draw(
                opened,
                todo,
                out,
                report,
                policy=policy,
                config=config,
                policy_meta=policy_meta or {},
                judge_config=judge_config,
                jobs=jobs,
                progress=progress,
                tokenizer=tokenizer,
                on_ready=lambda: _record_start(record, record_path, policy, config, benchmark, opened, run),
            )
        )
        status = "finished"
    except (KeyboardInterrupt, asyncio.CancelledError):
        report.interrupted = True
        raise
    except BaseException as exc:
        status = f"failed: {exc}"
        raise
    finally:
        report.seconds = time.perf_counter() - started
        report.model = opened.model
        if policy in record["policies"]:
            run.update(
                finished=utc_now(),
                status=status,
                drawn=report.drawn,
                failed=report.failed,
                seconds=round(report.seconds, 3),
            )
            write_json_atomic(record_path, record)
    return report


async def run_workers(worker: Callable[[], Awaitable[None]], count: int) -> None:
    """`count` copies of `worker` at once. The first failure (or Ctrl-C) cancels the
    others and is raised once they have all stopped, so no worker outlives the call."""
    tasks = [asyncio.create_task(worker()) for _ in range(count)]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def _draw(
    backend: Backend,
    todo: list[tuple[Problem, int]],
    out: Path,
    report: SampleRunReport,
    *,
    policy: str,
    config: SettingConfig,
    policy_meta: dict[str, Any],
    judge_config: JudgeConfig | None,
    jobs: int | None,
    progress: bool,
    on_ready: Callable[[], None],
    tokenizer: str | Path | None = None,
) -> None:
    resources = Resources()
    writer: SampleWriter | None = None
    bar = _Bar(len(todo), policy) if progress else None
    ticker = asyncio.create_task(_tick(bar, backend)) if bar is not None else None
    try:
        await backend.check()
        on_ready()
        if config.setting is Setting.TOOLS:
            resources.runner = CodeRunner(judge_config, jobs, output_chars=config.tool_output_chars)
            resources.tools = tool_specs()
        if config.setting is Setting.AGENT:
            resources.judge = PublicJudge(judge_config, jobs, max_chars=config.feedback_chars)
        if config.setting is Setting.INFILL:
            resources.tokens = infill_tokens(backend, config, tokenizer)
        writer = SampleWriter(out)
        queue: asyncio.Queue[tuple[Problem, int]] = asyncio.Queue()
        for item in todo:
            queue.put_nowait(item)

        async def worker() -> None:
            while True:
                try:
                    problem, index = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                try:
                    trajectory = await Episode(backend, config, resources, problem, policy, index).run()
                except RequestFailed as exc:
                    report.failed += 1
                    if len(report.errors) < MAX_ERRORS_KEPT:
                        report.errors.append(f"{problem.id} sample {index}: {exc}")
                    if bar is not None:
                        bar.advance(failed=True)
                    continue
                assert writer is not None
                writer.append(_sample_line(trajectory, config, policy_meta), trajectory.to_json())
                report.drawn += 1
                report.stops[trajectory.stop] = report.stops.get(trajectory.stop, 0) + 1
                report.usage = report.usage + trajectory.usage
                if bar is not None:
                    bar.advance(tokens=trajectory.usage.completion_tokens)

        await run_workers(worker, min(len(todo), max(1, backend.max_concurrency)))
    finally:
        if ticker is not None:
            ticker.cancel()
        if bar is not None:
            bar.close()
        if writer is not None:
            writer.close()
        try:
            await backend.aclose()  # first: the model stops within a step (Ctrl-C)
        finally:
            for pool in (resources.runner, resources.judge):  # these wait for their sandboxes
                if pool is not None:
                    pool.close()


def infill_tokens(
    backend: Backend, config: SettingConfig, tokenizer: str | Path | None
) -> TokenInfill | None:
    """The infill setting's token-level prompts: from `tokenizer` (a directory) when given,
    else from a local backend's own tokenizer; None (text prompts) for a server without one."""
    if tokenizer is not None:
        from transformers import AutoTokenizer

        try:
            loaded = AutoTokenizer.from_pretrained(str(tokenizer))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{tokenizer}: cannot load the tokenizer ({exc})") from None
        return TokenInfill(loaded, config.infill_format)
    own = getattr(backend, "tokenizer", None)
    return TokenInfill(own, config.infill_format) if own is not None else None


def _sample_line(
    trajectory: Trajectory, config: SettingConfig, policy_meta: dict[str, Any]
) -> dict[str, Any]:
    raw = trajectory.answer
    return sample_record(
        problem_id=trajectory.problem_id,
        policy=trajectory.policy,
        sample=trajectory.sample,
        language=get_language(config.language).name,
        code=trajectory.code,
        extracted=trajectory.extracted,
        answer=final_answer(raw),
        raw=raw,
        policy_meta=policy_meta,
        extraction=trajectory.extraction,
    )


def _check_resumable(
    record: dict[str, Any], policy: str, config: SettingConfig, benchmark: str, where: Path
) -> None:
    earlier = record["policies"].get(policy)
    if earlier is None:
        return
    if earlier.get("benchmark", benchmark) != benchmark:
        raise ConfigError(
            f"{where}: policy {policy!r} was sampled on benchmark {earlier.get('benchmark')!r}, "
            f"not {benchmark!r}; use another --out or --policy"
        )
    old = earlier.get("settings", {})
    new = config.fingerprint()
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            raise ConfigError(
                f"{where}: policy {policy!r} was sampled with {key}={old.get(key)!r}, this run asks for "
                f"{new.get(key)!r}; samples drawn differently cannot be mixed: use the same settings, "
                "another --policy or another --out"
            )


def _record_start(
    record: dict[str, Any],
    path: Path,
    policy: str,
    config: SettingConfig,
    benchmark: str,
    backend: Backend,
    run: dict[str, Any],
) -> None:
    """Write down what this policy is drawn with, once the backend has answered."""
    entry = record["policies"].setdefault(policy, {"runs": []})
    old_model = entry.get("model")
    if old_model is not None and old_model != backend.model:
        raise ConfigError(
            f"{path}: policy {policy!r} was sampled from model {old_model!r}, this run uses "
            f"{backend.model!r}; use another --policy or --out"
        )
    entry.update(
        model=backend.model,
        benchmark=benchmark,
        settings=config.fingerprint(),
        backend=backend.describe(),
        versions=versions(),
    )
    entry["runs"].append(run)
    write_json_atomic(path, record)


def versions() -> dict[str, str]:
    """Versions of what sampling depends on (those installed)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"codefrontier": __version__, "python": platform.python_version()}
    for package in ("openai", "transformers", "torch", "vllm", "tokenizers", "safetensors"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            continue
    return found


def utc_now() -> str:
    """The time now (UTC), to the second, as the records write it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


async def _tick(bar: _Bar, backend: Backend) -> None:
    """Twice a second: the tokens a local backend has generated so far (so the bar moves
    within a batch, not only when a sample finishes) and what it is doing (loading...)."""
    while True:
        bar.tick(getattr(backend, "generated_tokens", None), getattr(backend, "status", None))
        await asyncio.sleep(0.5)


class _Bar:
    """A rich progress bar: samples drawn, failures, completion tokens per second, and
    what the backend is doing (a local model's loading, per token progress)."""

    def __init__(self, total: int, policy: str) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.tokens = 0
        self.sample_tokens = 0
        self.failed = 0
        self.doing: str | None = None
        self.first_token: float | None = None
        self.started = time.perf_counter()
        self.progress = Progress(
            TextColumn(f"[bold]sampling[/bold] {policy}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[status]}"),
        )
        self.task = self.progress.add_task("sample", total=total, status="")
        self.progress.start()

    def advance(self, *, tokens: int = 0, failed: bool = False) -> None:
        self.failed += failed
        self.sample_tokens += tokens  # a backend that does not count its tokens as it goes
        self.tokens = max(self.tokens, self.sample_tokens)
        self.progress.update(self.task, advance=1, status=self._status())

    def tick(self, tokens: int | None, doing: str | None) -> None:
        if tokens is not None:
            if tokens and self.first_token is None:
                self.first_token = time.perf_counter()
            self.tokens = max(tokens, self.sample_tokens)
        self.doing = doing
        self.progress.update(self.task, status=self._status())

    def _status(self) -> str:
        if self.doing and self.doing != "generating" and not self.tokens:
            return f"{self.doing} ..."
        since = self.first_token or self.started
        rate = self.tokens / max(1e-9, time.perf_counter() - since)
        return f"{self.tokens:,} tokens, {rate:,.0f} tok/s" + (
            f", {self.failed} failed" if self.failed else ""
        )

    def close(self) -> None:
        self.progress.stop()
