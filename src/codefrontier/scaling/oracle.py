"""The oracle: every rollout's final program judged on the task's hidden tests by the
judge (`codefrontier.judge.judge_samples`), so that every selection method can be scored.

Its answers go only to scoring and to the report: no summarizer, judge, refinement
context or baseline ever reads them. Verdicts are kept in a `RecordCache` keyed by the
task, the language, the program's SHA-256 and the judge's settings, so a program is
judged once however many rollouts wrote it and however often the run is resumed. A
rollout without a program (failed, or an empty answer) is judged like any other: the
empty program fails, and the results store has a real row for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from codefrontier.problems import Problem
from codefrontier.scaling.records import RecordCache, digest
from codefrontier.scaling.rollouts import Rollout


@dataclass(frozen=True)
class OracleVerdict:
    rollout: str
    passed: bool
    verdict: str  # the sample verdict
    failure_class: str  # solved | correctness | optimization | internal
    cpu_s: float = 0.0
    key: str = ""


class Oracle(Protocol):
    async def judge(
        self, tasks: dict[str, Problem], rollouts: Sequence[Rollout]
    ) -> dict[str, OracleVerdict]: ...


class JudgeOracle:
    """Hidden-test verdicts from the judge, cached (see the module doc)."""

    def __init__(
        self, cache: RecordCache, config: Any = None, jobs: int | None = None, benchmark: str = ""
    ) -> None:
        from codefrontier.judge import JudgeConfig

        self.cache = cache
        self.config = config or JudgeConfig()
        self.jobs = jobs
        self.benchmark = benchmark
        self.judged = 0
        self._unsettled: dict[str, dict[str, Any]] = {}  # internal errors, not cached

    def settings(self) -> dict[str, Any]:
        c = self.config
        return {
            "mode": str(c.mode),
            "time_scale": c.time_scale,
            "wall_factor": c.wall_factor,
            "output_limit_mb": c.output_limit_mb,
            "isolation": c.isolation,
        }

    def key(self, rollout: Rollout) -> str:
        return digest("oracle", self.settings(), rollout.task, rollout.language, rollout.code_sha256)

    async def judge(self, tasks: dict[str, Problem], rollouts: Sequence[Rollout]) -> dict[str, OracleVerdict]:
        from codefrontier.judge import Sample, judge_samples

        todo: dict[str, Rollout] = {}
        for rollout in rollouts:
            key = self.key(rollout)
            if key not in self.cache and key not in todo and key not in self._unsettled:
                todo[key] = rollout
        if todo:
            samples = [
                Sample(r.task, "scaling", i, r.language, r.program) for i, r in enumerate(todo.values())
            ]
            results = await asyncio.to_thread(
                judge_samples,
                list(tasks.values()),
                samples,
                config=self.config,
                jobs=self.jobs,
                benchmark=self.benchmark,
            )
            for key, result in zip(todo, results, strict=True):
                record = {"key": key, "result": result_to_json(result)}
                if result.failure_class.value == "internal":  # the judge's fault: judged again next run
                    self._unsettled[key] = record
                else:
                    self.cache.put(record)
                self.judged += 1
        return {r.id: self.verdict(r) for r in rollouts}

    def verdict(self, rollout: Rollout) -> OracleVerdict:
        key = self.key(rollout)
        record = self.cache.get(key) or self._unsettled[key]
        result = record["result"]
        return OracleVerdict(
            rollout.id,
            result["verdict"] == "AC",
            result["verdict"],
            result["failure_class"],
            sum(t["cpu_s"] for t in result["tests"]),
            key,
        )

    def sample_result(self, rollout: Rollout) -> Any:
        """The judge's SampleResult of a rollout's program (None if not judged yet)."""
        key = self.key(rollout)
        record = self.cache.get(key) or self._unsettled.get(key)
        return None if record is None else result_from_json(record["result"])


def result_to_json(result: Any) -> dict[str, Any]:
    data = asdict(result)
    data["verdict"] = result.verdict.value
    data["failure_class"] = result.failure_class.value
    for test, original in zip(data["tests"], result.tests, strict=True):
        test["verdict"] = original.verdict.value
    return data


def result_from_json(data: dict[str, Any]) -> Any:
    from codefrontier.judge import FailureClass, SampleResult, TestResult, Verdict

    tests = [TestResult(**{**t, "verdict": Verdict(t["verdict"])}) for t in data["tests"]]
    return SampleResult(
        **{
            **data,
            "verdict": Verdict(data["verdict"]),
            "failure_class": FailureClass(data["failure_class"]),
            "tests": tests,
        }
    )
