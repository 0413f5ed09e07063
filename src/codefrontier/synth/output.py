"""Generated problems in the native formats (docs/synth.md, "Output").

`problems.jsonl` holds every accepted problem as a native `function` problem (docs/
formats.md) with its environment, seed, turn, pass rate, bin and chain in
`metadata.synth`, and the whole task record in `metadata.synth.task`; `samples.jsonl`
holds the student's attempts as samples of those problems (the programs the judge graded),
so `codefrontier judge --problems problems.jsonl --samples samples.jsonl` reproduces the
pass rates, and `validate`, `reward` and `report` read them like any other benchmark.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from codefrontier.errors import InputError
from codefrontier.problems import Problem
from codefrontier.problems.io import load_problems, problem_to_json, write_jsonl_atomic
from codefrontier.synth.bins import NARROW, Bin, bin_of
from codefrontier.synth.envs import get_environment
from codefrontier.synth.grading import STUDENT_POLICY
from codefrontier.synth.journal import TurnRecord
from codefrontier.synth.settings import RunLimits
from codefrontier.synth.task import SynthTask


def task_problem(task: SynthTask, limits: RunLimits | None = None) -> Problem:
    limits = limits or RunLimits()
    return get_environment(task.env).problem(task, time_limit_s=limits.cpu_s, memory_mb=limits.memory_mb)


def accepted_tasks(turns: Iterable[TurnRecord], bins: tuple[Bin, ...] = NARROW) -> Iterator[SynthTask]:
    """The tasks of accepted turns, their bin set from the measured pass rate."""
    for record in turns:
        if record.task is None:
            continue
        record.task.meta["bin"] = bin_of(record.pass_rate, bins)
        record.task.meta["pass_rate"] = record.pass_rate
        yield record.task


def attempt_samples(record: TurnRecord) -> Iterator[dict[str, Any]]:
    """The turn's attempts as judge samples: the program each answer became (an answer
    that could not be read becomes a program that defines nothing, which the judge fails)."""
    if record.task is None:
        return
    env = get_environment(record.task.env)
    for j, text in enumerate(record.answers):
        answer = env.parse_answer(text, record.task)
        code = (
            answer.code if answer.code is not None else f"# the answer could not be read: {answer.reason}\n"
        )
        yield {
            "problem_id": record.task.id,
            "policy": STUDENT_POLICY,
            "sample": j,
            "language": "python",
            "code": code,
        }


def write_problems(path: Path, tasks: Iterable[SynthTask], limits: RunLimits | None = None) -> int:
    return write_jsonl_atomic(path, (problem_to_json(task_problem(t, limits)) for t in tasks))


def write_samples(path: Path, turns: Iterable[TurnRecord]) -> int:
    return write_jsonl_atomic(path, (s for record in turns for s in attempt_samples(record)))


def load_tasks(path: Path) -> list[SynthTask]:
    """The task records of a problems file written by this package."""
    return [task_of(p, path) for p in load_problems(path)]


def task_of(problem: Problem, path: Path | None = None) -> SynthTask:
    data = (problem.metadata or {}).get("synth", {}).get("task")
    if not isinstance(data, dict):
        raise InputError(
            f"problem {problem.id!r} is not a synthetic problem (no metadata.synth.task)",
            path=path,
            field="metadata",
        )
    try:
        task = SynthTask.from_json(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"problem {problem.id!r}: unreadable task record ({exc})", path=path, field="metadata"
        ) from None
    synth = problem.metadata["synth"]
    task.meta.update({k: v for k, v in synth.items() if k != "task"})
    return task
