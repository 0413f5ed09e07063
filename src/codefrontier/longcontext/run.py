"""Run the key-retrieval grid against a model and report it as a depth x length heat map.

    OUT/results.jsonl   one line per case: length, depth, trial, key, answer, passed, tokens
    OUT/heatmap.png     exact-match rate per (depth, length) cell
    OUT/heatmap.csv     the same numbers
    OUT/report.md       the table, the model, how lengths were counted

Resumable: cases already in results.jsonl are not asked again. Each case is a raw
completion of at most `max_tokens` tokens at temperature 0 (greedy, as Code Llama scored it).
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codefrontier.longcontext.retrieval import Case, answer_of
from codefrontier.problems.io import iter_jsonl
from codefrontier.sampling.backends.base import Backend, GenerationParams, RequestFailed
from codefrontier.sampling.samplefile import cut_torn_tail


@dataclass
class RetrievalReport:
    out: Path
    asked: int = 0
    skipped: int = 0
    failed: int = 0
    cells: dict[tuple[float, int], float] | None = None  # (depth, length) -> exact-match rate


def run_grid(
    cases: list[Case], backend: Backend, out: Path, *, max_tokens: int = 8, meta: dict[str, Any] | None = None
) -> RetrievalReport:
    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.jsonl"
    cut_torn_tail(results, repair=True)
    done = (
        {rec["id"] for _, rec in iter_jsonl(results)}
        if results.exists() and results.stat().st_size
        else set()
    )
    todo = [c for c in cases if c.id not in done]
    report = RetrievalReport(out, skipped=len(cases) - len(todo))
    if todo:
        asyncio.run(_ask_all(todo, backend, results, max_tokens, report, meta or {}))
    report.cells = write_report(out, {c.id for c in cases}, meta or {})
    return report


async def _ask_all(
    todo: list[Case],
    backend: Backend,
    results: Path,
    max_tokens: int,
    report: RetrievalReport,
    meta: dict[str, Any],
) -> None:
    params = GenerationParams(temperature=0.0, max_tokens=max_tokens, stop=("\n",))
    queue: asyncio.Queue[Case] = asyncio.Queue()
    for case in todo:
        queue.put_nowait(case)
    try:
        await backend.check()
        with open(results, "a", encoding="utf-8") as fh:

            async def worker() -> None:
                while not queue.empty():
                    case = queue.get_nowait()
                    try:
                        (completion,) = await backend.complete(case.prompt, params)
                    except RequestFailed:
                        report.failed += 1
                        continue
                    answer = answer_of(completion.text)
                    record = {
                        "id": case.id, "length": case.length, "depth": case.depth, "trial": case.trial,
                        "key": case.key, "completion": completion.text, "answer": answer,
                        "passed": answer == case.key, "prompt_tokens": completion.usage.prompt_tokens,
                        "prompt_chars": len(case.prompt), **meta,
                    }  # fmt: skip
                    fh.write(json.dumps(record) + "\n")
                    fh.flush()
                    report.asked += 1

            await asyncio.gather(*(worker() for _ in range(min(len(todo), max(1, backend.max_concurrency)))))
    finally:
        await backend.aclose()


def write_report(out: Path, ids: set[str], meta: dict[str, Any]) -> dict[tuple[float, int], float]:
    """The heat map (PNG), its numbers (CSV) and a short markdown report of the cases in `ids`."""
    passed: dict[tuple[float, int], list[bool]] = defaultdict(list)
    results = out / "results.jsonl"
    for _, rec in iter_jsonl(results) if results.exists() and results.stat().st_size else []:
        if rec["id"] in ids:
            passed[(float(rec["depth"]), int(rec["length"]))].append(bool(rec["passed"]))
    cells = {key: sum(v) / len(v) for key, v in passed.items()}
    depths = sorted({d for d, _ in cells})
    lengths = sorted({n for _, n in cells})
    rows = ["depth," + ",".join(str(n) for n in lengths)]
    for d in depths:
        rows.append(f"{d:g}," + ",".join(f"{cells[(d, n)]:.3f}" if (d, n) in cells else "" for n in lengths))
    (out / "heatmap.csv").write_text("\n".join(rows) + "\n")
    if cells:
        _plot(out / "heatmap.png", cells, depths, lengths, meta.get("model", ""))
    table = [
        "| depth \\ length | " + " | ".join(f"{n:,}" for n in lengths) + " |",
        "|---" * (len(lengths) + 1) + "|",
    ]
    for d in depths:
        table.append(
            f"| {d:g} | "
            + " | ".join(f"{cells[(d, n)]:.0%}" if (d, n) in cells else "" for n in lengths)
            + " |"
        )
    counted = meta.get("lengths_in", "tokens")
    (out / "report.md").write_text(
        f"# Key retrieval\n\nModel: {meta.get('model', '?')}. Exact-match rate of `assert f_k() ==` per depth of "
        f"`f_k` in the file (rows; 0 = start) and file length ({counted}; columns).\n\n"
        + "\n".join(table)
        + "\n\n![heat map](heatmap.png)\n"
    )
    return cells


def _plot(
    path: Path, cells: dict[tuple[float, int], float], depths: list[float], lengths: list[int], model: str
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    grid = np.full((len(depths), len(lengths)), np.nan)
    for (d, n), rate in cells.items():
        grid[depths.index(d), lengths.index(n)] = rate
    fig, ax = plt.subplots(figsize=(1.2 + 0.9 * len(lengths), 1.0 + 0.5 * len(depths)))
    image = ax.imshow(grid, vmin=0, vmax=1, cmap="RdYlGn", aspect="auto")
    ax.set_xticks(range(len(lengths)), [f"{n:,}" for n in lengths])
    ax.set_yticks(range(len(depths)), [f"{d:g}" for d in depths])
    ax.set_xlabel("file length (tokens)")
    ax.set_ylabel("depth of f_k")
    ax.set_title(f"key retrieval{': ' + model if model else ''}", fontsize=9)
    for i in range(len(depths)):
        for j in range(len(lengths)):
            if not np.isnan(grid[i, j]):
                ax.text(j, i, f"{grid[i, j]:.0%}", ha="center", va="center", fontsize=8)
    fig.colorbar(image, ax=ax, label="exact match")
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=120)
    plt.close(fig)
    tmp.replace(path)
