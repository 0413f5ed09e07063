"""Rewards of synthetic problems for RL trainers, through the existing adapters
(docs/synth.md, "Training on synthetic problems").

An induction answer is a program, so `codefrontier.rewards.CodeReward` rewards it as it
stands. Abduction, deduction and fuzzing answers are literals; `SynthReward` (TRL) and
`compute_score` (verl) read each answer with its problem's environment, turn it into the
program the judge grades (`Environment.parse_answer`), and hand that to the same
adapters — so a judge failure is still a missing reward (None / RewardUnavailable), never
0. An answer that cannot be read is the policy's fault and earns 0 without judging.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from codefrontier.errors import InputError
from codefrontier.problems import Problem
from codefrontier.problems.io import load_problems
from codefrontier.rewards import CodeReward, RewardSpec
from codefrontier.rewards.trl_adapter import completion_text
from codefrontier.synth.envs import get_environment
from codefrontier.synth.output import task_of
from codefrontier.synth.task import SynthTask


def answer_programs(
    tasks: Mapping[str, SynthTask], problem_ids: Sequence[str], texts: Sequence[str]
) -> tuple[list[str | None], list[str]]:
    """Per answer, the program to judge (None: unreadable, reward 0) and why not."""
    programs: list[str | None] = []
    reasons: list[str] = []
    for pid, text in zip(problem_ids, texts, strict=True):
        task = tasks.get(str(pid))
        if task is None:
            raise InputError(
                f"unknown problem {pid!r}: not a synthetic problem of this set", field="problem_id"
            )
        if task.env == "induction":
            programs.append(text)  # the adapter extracts the program, as for any benchmark
            reasons.append("")
            continue
        answer = get_environment(task.env).parse_answer(text, task)
        programs.append(answer.code)
        reasons.append(answer.reason)
    return programs, reasons


class SynthReward:
    """A GRPOTrainer reward function for synthetic problems of any environment:
    `(prompts, completions, completion_ids, **columns) -> list[float | None]`; the dataset
    needs a `problem_id` column (a `CurriculumDataset` has one)."""

    def __init__(
        self,
        problems: Iterable[Problem] | None = None,
        *,
        problems_file: str | Path | None = None,
        spec: RewardSpec | None = None,
        url: str | None = None,
        jobs: int | None = None,
        problem_column: str = "problem_id",
        name: str = "codefrontier_synth",
    ) -> None:
        loaded = list(problems) if problems is not None else load_problems(Path(problems_file or ""))
        self.tasks = {p.id: task_of(p, Path(problems_file) if problems_file else None) for p in loaded}
        self.problem_column = problem_column
        self.__name__ = name
        self.inner = CodeReward(
            loaded, spec=spec, url=url, jobs=jobs, problem_column=problem_column, name=name
        )
        self.last_reasons: list[str] = []

    def __call__(
        self,
        prompts: Sequence[Any] | None = None,
        completions: Sequence[Any] | None = None,
        completion_ids: Sequence[Any] | None = None,
        **kwargs: Any,
    ) -> list[float | None]:
        if completions is None:
            raise InputError("TRL passes `completions`; none were given", field="completions")
        ids = kwargs.get(self.problem_column)
        if ids is None:
            raise InputError(
                f"the training dataset needs a `{self.problem_column}` column", field=self.problem_column
            )
        programs, self.last_reasons = answer_programs(
            self.tasks, ids, [completion_text(c) for c in completions]
        )
        judged = [i for i, p in enumerate(programs) if p is not None]
        out: list[float | None] = [0.0] * len(programs)
        if judged:
            values = self.inner(
                None,
                [programs[i] for i in judged],
                None,
                **{self.problem_column: [ids[i] for i in judged]},
            )
            for i, value in zip(judged, values, strict=True):
                out[i] = value
        return out

    def close(self) -> None:
        self.inner.close()


_tasks: dict[str, dict[str, SynthTask]] = {}
_lock = threading.Lock()


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: Mapping[str, Any] | None = None,
    *,
    problems_file: str,
    **kwargs: Any,
) -> dict[str, float]:
    """verl's custom reward function for synthetic problems (load this file by path, like
    `codefrontier/rewards/verl_adapter.py`; `problems_file` in reward_kwargs). `ground_truth`
    is the problem id."""
    from codefrontier.rewards import verl_adapter

    with _lock:
        tasks = _tasks.get(problems_file)
        if tasks is None:
            tasks = _tasks[problems_file] = {
                p.id: task_of(p, Path(problems_file)) for p in load_problems(problems_file)
            }
    pid = str(ground_truth if ground_truth is not None else (extra_info or {}).get("problem_id"))
    (program,), _ = answer_programs(tasks, [pid], [solution_str])
    if program is None:
        return {"score": 0.0, "passed": 0.0, "readable": 0.0}
    scored = verl_adapter.compute_score_batch(
        [data_source], [program], [pid], [extra_info], problems_file=problems_file, **kwargs
    )[0]
    return {**scored, "readable": 1.0}
