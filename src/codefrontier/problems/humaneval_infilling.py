"""HumanEval infilling (Bavarian et al., 2022; Code Llama's infilling benchmarks), read
offline from the data files shipped in `problems/data/human-eval-infilling/` (unchanged,
with their MIT license).

Four splits, one benchmark each:

    humaneval-infilling-single              1,033 tasks: one line of a solution removed
    humaneval-infilling-multi               5,815 tasks: a block of lines removed
    humaneval-infilling-random-span         1,640 tasks: a random span of characters removed
    humaneval-infilling-random-span-light     164 tasks: one random span per problem

A task is `prompt` (the prefix), `suffix`, `canonical_solution` (the middle), `test` and
`entry_point`. The original harness runs ``prompt + completion + suffix + "\\n" + test +
"\\n" + f"check({entry_point})"`` in one process. Here each task is an `assert` problem
whose program the problem assembles (``prefix + completion + suffix``,
`Problem.program_for_completion`) and whose one test is the task's `check` code, run by
the assert grader in a harness process the program cannot reach: the same path as
HumanEval's assert problems, so every hostile program that fails there fails here.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from codefrontier.contracts import Problem, ProblemKind, Solution, TestCase
from codefrontier.errors import ConfigError, InputError
from codefrontier.problems.io import iter_jsonl

TIME_LIMIT_S = 3.0  # CPU seconds, the original harness's timeout per task
MEMORY_MB = 1024


@dataclass(frozen=True)
class Split:
    name: str  # the short name: single, multi, random-span, random-span-light
    file: str
    tasks: int
    title: str

    @property
    def benchmark(self) -> str:
        return f"humaneval-infilling-{self.name}"


SPLITS: dict[str, Split] = {
    s.name: s
    for s in (
        Split("single", "HumanEval-SingleLineInfilling.jsonl.gz", 1033, "single-line infilling"),
        Split("multi", "HumanEval-MultiLineInfilling.jsonl.gz", 5815, "multi-line infilling"),
        Split("random-span", "HumanEval-RandomSpanInfilling.jsonl.gz", 1640, "random-span infilling"),
        Split(
            "random-span-light",
            "HumanEval-RandomSpanInfillingLight.jsonl.gz",
            164,
            "random-span infilling, one span per problem",
        ),
    )
}


def data_dir() -> Path:
    return Path(str(files("codefrontier.problems") / "data" / "human-eval-infilling"))


def split_of(name: str) -> Split:
    """A split by its short name or its benchmark name."""
    short = name.removeprefix("humaneval-infilling-")
    split = SPLITS.get(short)
    if split is None:
        known = ", ".join(s.benchmark for s in SPLITS.values())
        raise ConfigError(f"unknown HumanEval infilling split {name!r}; known: {known}")
    return split


def read_records(split: str | Split) -> list[dict[str, Any]]:
    split = split if isinstance(split, Split) else split_of(split)
    path = data_dir() / split.file
    if not path.exists():
        raise InputError("the HumanEval infilling data file is missing from the package", path=path)
    return [rec for _, rec in iter_jsonl(path)]


def load_split(split: str | Split) -> list[Problem]:
    split = split if isinstance(split, Split) else split_of(split)
    return [problem_from_record(rec, split) for rec in read_records(split)]


def problem_from_record(rec: dict[str, Any], split: Split) -> Problem:
    prefix, suffix, middle = rec["prompt"], rec["suffix"], rec["canonical_solution"]
    check = rec["test"].rstrip() + "\n\n\ncheck(candidate)\n"
    return Problem(
        id=rec["task_id"],
        kind=ProblemKind.ASSERT,
        statement=prefix,
        starter_code=prefix,
        suffix=suffix,
        entry_point=rec["entry_point"],
        tests=[TestCase(id="check", input=check, output=None, size=len(check))],
        time_limit_s=TIME_LIMIT_S,
        memory_mb=MEMORY_MB,
        source=split.benchmark,
        solutions=[Solution(name="canonical", language="python", code=prefix + middle + suffix)],
        metadata={"split": split.name, "canonical_middle": middle},
    )
