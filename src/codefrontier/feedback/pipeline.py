"""`codefrontier feedback-data generate`: execution-feedback dialogs for many tasks, kept
when they finally pass, into OUT/:

    OUT/dialogs.jsonl   every finished dialog (kept or not), with its checks and token cost
    OUT/sft.jsonl       the kept dialogs as {"messages": [...]}: TRL's SFTTrainer reads it as is
    OUT/stats.json      shares solved at the first try / fixed by feedback / dropped, tokens

Resumable: a dialog is appended to dialogs.jsonl as soon as it is finished, and a rerun
skips every id already there (a torn last line is cut off first), so no model call already
paid for is made again. sft.jsonl and stats.json are derived from dialogs.jsonl, rewritten
whole (write, then rename) at the end of every run, Ctrl-C included. Dialogs run
concurrently, as many as the backend takes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codefrontier.errors import InputError
from codefrontier.feedback import prompts
from codefrontier.feedback.execution import TestRunner
from codefrontier.feedback.loop import Dialog, LoopSettings, run_dialog
from codefrontier.feedback.sources import Item
from codefrontier.judge import JudgeConfig
from codefrontier.problems.io import iter_jsonl, write_jsonl_atomic
from codefrontier.sampling.backends.base import Backend, GenerationParams, RequestFailed, Usage
from codefrontier.sampling.samplefile import cut_torn_tail, write_json_atomic
from codefrontier.sampling.sampler import run_workers

OUTCOMES = ("first_try", "fixed", "dropped")


@dataclass
class GenerateReport:
    out: Path
    done: int = 0  # dialogs finished in this run
    skipped: int = 0  # already in dialogs.jsonl
    failed: int = 0  # a snippet's problem could not be written (the request failed); retried next run
    stats: dict[str, Any] = field(default_factory=dict)


def done_ids(path: Path) -> set[str]:
    if not path.exists():
        return set()
    cut_torn_tail(path, repair=True)
    return {str(rec["id"]) for _, rec in iter_jsonl(path)} if path.stat().st_size else set()


def generate(
    items: list[Item],
    backend: Backend | Callable[[], Backend],
    out: Path,
    settings: LoopSettings,
    *,
    judge_config: JudgeConfig | None = None,
    jobs: int | None = None,
    progress: bool = False,
    meta: dict[str, Any] | None = None,
) -> GenerateReport:
    out = Path(out)
    if settings.rounds < 1:
        raise InputError("must be at least 1", field="rounds")
    out.mkdir(parents=True, exist_ok=True)
    dialogs_path = out / "dialogs.jsonl"
    done = done_ids(dialogs_path)
    todo = [item for item in items if item.id not in done]
    report = GenerateReport(out, skipped=len(items) - len(todo))
    try:
        if todo:
            opened = backend if isinstance(backend, Backend) else backend()
            asyncio.run(
                _run(todo, opened, dialogs_path, settings, report, judge_config, jobs, progress, meta or {})
            )
    finally:
        write_sft(out)
        report.stats = write_stats(out)
    return report


def write_sft(out: Path) -> int:
    """OUT/sft.jsonl from the kept dialogs of OUT/dialogs.jsonl."""
    path = out / "dialogs.jsonl"
    kept = (
        sft_record_of(rec)
        for _, rec in (iter_jsonl(path) if path.exists() and path.stat().st_size else [])
        if rec["outcome"] != "dropped"
    )
    return write_jsonl_atomic(out / "sft.jsonl", kept)


def sft_record_of(rec: dict[str, Any]) -> dict[str, Any]:
    return {"messages": rec["messages"]}


async def _run(
    todo: list[Item],
    backend: Backend,
    dialogs_path: Path,
    settings: LoopSettings,
    report: GenerateReport,
    judge_config: JudgeConfig | None,
    jobs: int | None,
    progress: bool,
    meta: dict[str, Any],
) -> None:
    runner = TestRunner(judge_config, jobs)
    bar = _Bar(len(todo)) if progress else None
    queue: asyncio.Queue[Item] = asyncio.Queue()
    for item in todo:
        queue.put_nowait(item)
    try:
        await backend.check()
        with open(dialogs_path, "a", encoding="utf-8") as dialogs:

            async def worker() -> None:
                while not queue.empty():
                    item = queue.get_nowait()
                    dialog = await _one(backend, runner, item, settings)
                    if dialog is None:
                        report.failed += 1
                    else:
                        dialog.meta.update(meta)
                        dialogs.write(json.dumps(dialog.to_json(), ensure_ascii=False) + "\n")
                        dialogs.flush()
                        report.done += 1
                    if bar is not None:
                        bar.advance(dialog)

            await run_workers(worker, min(len(todo), max(1, backend.max_concurrency)))
    finally:
        if bar is not None:
            bar.close()
        runner.close()
        await backend.aclose()


async def _one(backend: Backend, runner: TestRunner, item: Item, settings: LoopSettings) -> Dialog | None:
    task, usage, extra = item.task, Usage(), {}
    if task is None:  # a snippet: the model writes the problem first (a)
        ask = [
            {"role": "system", "content": prompts.SYSTEM},
            {"role": "user", "content": prompts.PROBLEM_FROM_SNIPPET.format(snippet=item.snippet)},
        ]
        try:
            params = GenerationParams(
                temperature=settings.temperature, max_tokens=settings.max_tokens, seed=settings.seed
            )
            (written,) = await backend.chat(ask, params)
        except RequestFailed:
            return None
        task, usage = written.text.strip(), written.usage
        extra = {"snippet": item.snippet, "problem_text": task}
    dialog = await run_dialog(backend, runner, item.problem, task, item.id, settings)
    dialog.usage = dialog.usage + usage
    dialog.meta.update(extra, model=backend.model)
    return dialog


def write_stats(out: Path) -> dict[str, Any]:
    """Shares and token cost over every dialog in OUT/dialogs.jsonl; written to stats.json."""
    counts = dict.fromkeys(OUTCOMES, 0)
    tokens = Usage()
    repeated = 0
    path = out / "dialogs.jsonl"
    for _, rec in iter_jsonl(path) if path.exists() and path.stat().st_size else []:
        counts[rec["outcome"]] += 1
        tokens = tokens + Usage(rec["usage"]["prompt_tokens"], rec["usage"]["completion_tokens"])
        repeated += rec.get("repeated", 0) > 0
    total = sum(counts.values())
    kept = counts["first_try"] + counts["fixed"]
    stats = {
        "dialogs": total,
        "counts": counts,
        "shares": {k: (v / total if total else 0.0) for k, v in counts.items()},
        "kept": kept,
        "dialogs_with_a_repeated_program": repeated,
        "tokens": tokens.to_json(),
        "tokens_per_kept_dialog": (tokens.total_tokens / kept) if kept else None,
        "prompt_version": prompts.PROMPT_VERSION,
    }
    write_json_atomic(out / "stats.json", stats)
    return stats


class _Bar:
    def __init__(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.counts = dict.fromkeys(OUTCOMES, 0)
        self.progress = Progress(
            TextColumn("[bold]feedback dialogs[/bold]"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            TextColumn("{task.fields[status]}"),
        )  # fmt: skip
        self.task = self.progress.add_task("dialogs", total=total, status="")
        self.progress.start()

    def advance(self, dialog: Dialog | None) -> None:
        if dialog is not None:
            self.counts[dialog.outcome] += 1
        status = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in self.counts.items())
        self.progress.update(self.task, advance=1, status=status)

    def close(self) -> None:
        self.progress.stop()
