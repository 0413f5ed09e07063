"""Scores exactly as ProgramBench computes them (`programbench.submission`).

Per task: the record is cut to the task's active branches and its ignored tests are
struck out; the outcomes are keyed by `branch/name` (a name reported twice counts once,
its last outcome) and the score is the share that passed (0 when none remain). When
every JUnit name matches tests.json this is `passed / active tests`; names the report
has and tests.json lacks still count, as in the original.

Over a run: `mean_score` is the sum of task scores over *all* tasks of the benchmark
(an unattempted task counts 0), rounded to 4 places; `resolved` and `near_resolved` are
the percentages of all tasks with score >= 1.0 and >= 0.95, rounded to 1 place.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from codefrontier.programs.record import EvalRecord
from codefrontier.programs.tasks import Task

RESOLVED_THRESHOLD = 1.0
NEAR_RESOLVED_THRESHOLD = 0.95


def test_map(record: EvalRecord, task: Task) -> dict[str, bool]:
    """`branch/name` -> passed, after the active-branch and ignored-test filters."""
    kept = record.for_branches(task.active_branches).without_ignored(task.ignored_tests)
    return {t.full_name: t.passed for t in kept.test_results}


def task_score(record: EvalRecord, task: Task) -> float:
    tests = test_map(record, task)
    return sum(tests.values()) / len(tests) if tests else 0.0


@dataclass(frozen=True)
class Headline:
    mean_score: float
    resolved_pct: float
    near_resolved_pct: float
    n_instances_attempted: int
    n_instances_total: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def aggregate(scores: dict[str, float], n_total: int) -> Headline:
    """The run's headline over `n_total` tasks (the ones without a score count 0)."""
    if n_total < len(scores) or n_total <= 0:
        raise ValueError(f"n_total ({n_total}) must be positive and at least the {len(scores)} scored tasks")
    values = list(scores.values())
    return Headline(
        mean_score=round(sum(values) / n_total, 4),
        resolved_pct=round(100 * sum(s >= RESOLVED_THRESHOLD for s in values) / n_total, 1),
        near_resolved_pct=round(100 * sum(s >= NEAR_RESOLVED_THRESHOLD for s in values) / n_total, 1),
        n_instances_attempted=len(values),
        n_instances_total=n_total,
    )
