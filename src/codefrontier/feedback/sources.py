"""Where the tasks come from: a benchmark or a problems file (the problem's own statement
and tests), or a directory of code whose random snippets the model turns into problems."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from codefrontier.contracts import Problem, ProblemKind
from codefrontier.errors import InputError
from codefrontier.sampling.prompts import task_text

SNIPPET_LINES = (5, 30)  # a snippet is this many consecutive lines (at most the file)
SNIPPET_TIME_LIMIT_S = 5.0
SNIPPET_MEMORY_MB = 512
SNIPPET_SUFFIXES = (".py",)


@dataclass(frozen=True)
class Item:
    id: str
    problem: Problem  # limits for the sandbox, and the own tests (none for a snippet)
    task: str | None  # the task text; None until the model has written it (snippets)
    snippet: str | None = None


def problem_items(problems: list[Problem]) -> list[Item]:
    return [Item(p.id, p, task_text(p, "python")) for p in problems]


def snippet_items(root: Path, per_file: int = 1, seed: int = 0) -> list[Item]:
    """`per_file` random snippets of each source file under `root` (sorted, so that the
    same seed gives the same snippets)."""
    if not root.is_dir():
        raise InputError("not a directory of code snippets", path=root)
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SNIPPET_SUFFIXES)
    if not files:
        raise InputError(f"no {', '.join(SNIPPET_SUFFIXES)} files", path=root)
    items = []
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            raise InputError("not UTF-8 text", path=path) from None
        if not any(line.strip() for line in lines):
            continue
        rel = path.relative_to(root).as_posix()
        for k in range(per_file):
            rng = random.Random(f"{seed}:{rel}:{k}")
            size = min(len(lines), rng.randint(*SNIPPET_LINES))
            start = rng.randint(0, len(lines) - size)
            snippet = "\n".join(lines[start : start + size])
            pid = f"snippet:{rel}#{k}"
            problem = Problem(
                id=pid,
                kind=ProblemKind.ASSERT,
                statement="",
                tests=[],
                time_limit_s=SNIPPET_TIME_LIMIT_S,
                memory_mb=SNIPPET_MEMORY_MB,
            )
            items.append(Item(pid, problem, None, snippet))
    return items
