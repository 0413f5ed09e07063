"""Grading student attempts: every attempt is a sample of its environment's native
problem, judged by `codefrontier.judge` on one long-lived `JudgePool` (docs/synth.md,
"Rewards").

An attempt the environment cannot read (no fenced block, not a literal) gets reward 0
without judging; an attempt the judge could not judge (IE, the judge's fault) gets no
reward at all (None) and is left out of the pass rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from codefrontier.judge import JudgeConfig, JudgePool, Mode, Sample, SampleResult, Verdict
from codefrontier.problems import Problem
from codefrontier.synth.envs import get_environment
from codefrontier.synth.settings import RunLimits
from codefrontier.synth.task import SynthTask

STUDENT_POLICY = "student"
UNREAD = "unread"  # the verdict of an attempt the environment could not read


@dataclass
class AttemptResult:
    """One graded attempt: its reward (None when the judge failed), the verdict (`AC`,
    `WA`, ... or `unread`) and why it did not pass."""

    index: int
    reward: float | None
    verdict: str
    reason: str = ""
    code: str = ""  # the program judged ("" when the answer could not be read)
    info: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "reward": self.reward, "verdict": self.verdict}
        if self.reason:
            out["reason"] = self.reason
        if self.info:
            out["info"] = self.info
        return out


def pass_rate(results: Sequence[AttemptResult]) -> float | None:
    """Mean reward over the attempts that have one (None when none has)."""
    scored = [r.reward for r in results if r.reward is not None]
    return sum(scored) / len(scored) if scored else None


class Grader:
    """Grades attempts on a judge pool (its own local one unless given). Thread-safe."""

    def __init__(
        self,
        *,
        jobs: int | None = None,
        isolation: str = "auto",
        limits: RunLimits | None = None,
        pool: JudgePool | None = None,
    ) -> None:
        self.limits = limits or RunLimits()
        self.config = JudgeConfig(
            mode=Mode.FIRST_FAIL, isolation=isolation, wall_factor=self.limits.wall_factor
        )
        self._own = pool is None
        self.pool = pool if pool is not None else JudgePool.local(self.config, jobs)

    def close(self) -> None:
        if self._own:
            self.pool.close()

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def problem(self, task: SynthTask) -> Problem:
        return get_environment(task.env).problem(
            task, time_limit_s=self.limits.cpu_s, memory_mb=self.limits.memory_mb
        )

    def grade(self, task: SynthTask, answers: Sequence[str]) -> list[AttemptResult]:
        return self.grade_many([(task, answers)])[0]

    def grade_many(self, batch: Sequence[tuple[SynthTask, Sequence[str]]]) -> list[list[AttemptResult]]:
        """Attempts of several tasks judged together (the pool spreads them over its workers)."""
        out: list[list[AttemptResult]] = []
        jobs: list[tuple[Problem, Sample]] = []
        where: dict[tuple[str, int], tuple[int, int]] = {}
        for t, (task, answers) in enumerate(batch):
            env = get_environment(task.env)
            problem = self.problem(task)
            results: list[AttemptResult] = []
            for j, text in enumerate(answers):
                answer = env.parse_answer(text, task)
                if answer.code is None:
                    results.append(AttemptResult(j, 0.0, UNREAD, answer.reason, info=answer.info))
                    continue
                results.append(AttemptResult(j, None, "", code=answer.code, info=answer.info))
                jobs.append((problem, Sample(problem.id, STUDENT_POLICY, j, "python", answer.code)))
                where[(problem.id, j)] = (t, j)
            out.append(results)
        if jobs:
            for result in self.pool.judge(jobs):
                t, j = where[(result.problem_id, result.sample)]
                _apply(out[t][j], result)
        return out


def _apply(attempt: AttemptResult, result: SampleResult) -> None:
    attempt.verdict = result.verdict.value
    if result.verdict is Verdict.IE:
        attempt.reward = None
        attempt.reason = result.detail or "internal error of the judge"
    else:
        attempt.reward = 1.0 if result.verdict is Verdict.AC else 0.0
        attempt.reason = "" if attempt.reward else (result.detail or result.verdict.value)
