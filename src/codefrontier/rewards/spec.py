"""What a reward is (docs/rewards.md): a `RewardSpec` says which tests count and how;
`reward_from_result` turns one judged sample into a `Reward` with the details behind it.

Rewards are a thin layer over the judge: the spec picks a `JudgeConfig` (first-fail on
the level's tests for `binary` and `level`, every test of the level for `fraction`), the
judge makes a `SampleResult`, and the reward is read off it. An internal error (IE) of
the judge is never a reward of 0: the value is `None` and `reason` says why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from codefrontier.contracts import Problem, SampleResult, Verdict
from codefrontier.errors import InputError
from codefrontier.judge.config import JudgeConfig, Mode
from codefrontier.problems.levels import level_tests, parse_level

# CPU seconds added to both sides of the efficiency ratio, per test: process start-up
# noise on tiny tests must not decide the term.
EFFICIENCY_EPSILON_S = 0.005


class RewardKind(StrEnum):
    BINARY = "binary"  # 1 if every test of the chosen set (default: the full suite) is AC, else 0
    LEVEL = "level"  # nested coverage: 1 if every test of coverage level `level` is AC, else 0
    FRACTION = "fraction"  # fraction of the chosen set's tests that are AC


@dataclass(frozen=True)
class RewardSpec:
    """Which reward to compute. `level` is a fraction in (0, 1] of the size-ordered suite
    or a tier name; `efficiency_weight` in [0, 1] mixes in measured CPU time relative to
    the problem's reference solution (0, the default, leaves it out)."""

    kind: RewardKind = RewardKind.BINARY
    level: str | float | None = None
    efficiency_weight: float = 0.0

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", RewardKind(self.kind))
        except ValueError:
            raise InputError(
                f"unknown reward kind {self.kind!r}; use one of {', '.join(k.value for k in RewardKind)}",
                field="kind",
            ) from None
        if self.level is not None:
            try:
                object.__setattr__(self, "level", parse_level(self.level))
            except Exception as exc:
                raise InputError(str(exc), field="level") from None
        if self.kind is RewardKind.LEVEL and self.level is None:
            raise InputError(
                "a `level` reward needs a level: a fraction like 0.5 or a tier name", field="level"
            )
        weight = self.efficiency_weight
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0.0 <= weight <= 1.0:
            raise InputError(f"must be a number in [0, 1], got {weight!r}", field="efficiency_weight")
        object.__setattr__(self, "efficiency_weight", float(weight))

    @property
    def mode(self) -> Mode:
        """First-fail for pass/fail rewards (a failing program costs little); every test for `fraction`."""
        return Mode.ALL if self.kind is RewardKind.FRACTION else Mode.FIRST_FAIL

    def judge_config(self, base: JudgeConfig) -> JudgeConfig:
        """The judge settings for this reward: `base` with the spec's mode and level."""
        return dataclasses.replace(base, mode=self.mode, level=self.level)

    def check_problem(self, problem: Problem) -> None:
        """Raise InputError (field `level`) if the level cannot apply to `problem`."""
        if self.level is not None:
            try:
                level_tests(problem, self.level)
            except Exception as exc:
                raise InputError(str(exc), field="level") from None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "level": self.level, "efficiency_weight": self.efficiency_weight}

    @classmethod
    def from_json(cls, obj: Any, *, prefix: str = "spec.") -> RewardSpec:
        """Read a spec object; errors name the field (`spec.level`, ...)."""
        if obj is None:
            return cls()
        if not isinstance(obj, Mapping):
            raise InputError("must be an object", field=prefix.rstrip("."))
        unknown = set(obj) - {"kind", "level", "efficiency_weight"}
        if unknown:
            raise InputError("unknown field", field=prefix + sorted(unknown)[0])
        level = obj.get("level")
        if level is not None and (isinstance(level, bool) or not isinstance(level, str | int | float)):
            raise InputError("must be a fraction in (0, 1] or a tier name", field=prefix + "level")
        try:
            return cls(
                kind=obj.get("kind", RewardKind.BINARY.value),
                level=level,
                efficiency_weight=obj.get("efficiency_weight", 0.0),
            )
        except InputError as exc:
            raise InputError(exc.message, field=prefix + (exc.field or "")) from None


@dataclass
class Reward:
    """One sample's reward and what it rests on. `value` is None when the judge could
    not judge the sample (internal error after retries); `reason` then says why."""

    value: float | None
    kind: str
    level: str | float | None
    verdict: str  # the sample's verdict over the tests judged (first non-AC in size order)
    failure_class: str  # solved | correctness | optimization | internal (over the tests judged)
    passed: bool  # every test of the chosen set is AC
    tests_passed: int
    tests_run: int
    tests_in_level: int  # size of the chosen set
    highest_level: float  # largest fraction of the whole size-ordered suite passed as a prefix
    highest_tier: str | None
    cpu_s: float  # CPU seconds over the tests judged
    efficiency: float | None = None  # in [0, 1] when the efficiency term was applied
    reason: str = ""
    problem_id: str = ""
    extracted: bool = False  # the program was taken out of a fenced block

    @property
    def missing(self) -> bool:
        return self.value is None

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Reward:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in obj.items() if k in names})


def reward_from_result(
    spec: RewardSpec, result: SampleResult, reference: SampleResult | None = None
) -> Reward:
    """The reward of a sample judged with `spec.judge_config(...)`. `reference` is the
    problem's reference solution judged on the same tests (needed only when the spec has
    an efficiency weight)."""
    passed_count = result.tests_passed
    total = result.tests_total
    reward = Reward(
        value=None,
        kind=spec.kind.value,
        level=spec.level,
        verdict=result.verdict.value,
        failure_class=result.failure_class.value,
        passed=result.verdict is Verdict.AC and passed_count == total,
        tests_passed=passed_count,
        tests_run=result.tests_run,
        tests_in_level=total,
        highest_level=result.highest_level,
        highest_tier=result.highest_tier,
        cpu_s=round(result.sum_cpu_s, 6),
        problem_id=result.problem_id,
        extracted=result.extracted,
    )
    if result.verdict is Verdict.IE:
        reward.passed = False
        reward.reason = f"internal error of the judge after {result.attempts} attempt(s): {result.detail}"
        return reward
    if spec.kind is RewardKind.FRACTION:
        base = passed_count / total if total else 0.0
    else:
        base = 1.0 if reward.passed else 0.0
    reward.value = base
    if spec.efficiency_weight > 0 and base > 0:
        efficiency, why = efficiency_ratio(result, reference)
        if efficiency is None:
            reward.value = None
            reward.reason = why
            return reward
        reward.efficiency = efficiency
        reward.value = base * (1.0 - spec.efficiency_weight + spec.efficiency_weight * efficiency)
    return reward


def efficiency_ratio(result: SampleResult, reference: SampleResult | None) -> tuple[float | None, str]:
    """min(1, (reference CPU + eps) / (sample CPU + eps)) over the tests the sample passed,
    eps = EFFICIENCY_EPSILON_S per test; (None, why) when there is no usable reference."""
    if reference is None:
        return (
            None,
            "the efficiency term needs a reference solution and the problem has none in this language",
        )
    if reference.verdict is not Verdict.AC:
        return None, (
            f"the reference solution was not accepted when measured for the efficiency term "
            f"({reference.verdict.value}: {reference.detail[:300]})"
        )
    ref_cpu = {t.test_id: t.cpu_s for t in reference.tests}
    passed = [t for t in result.tests if t.verdict is Verdict.AC and t.test_id in ref_cpu]
    if not passed:
        return 1.0, ""
    eps = EFFICIENCY_EPSILON_S * len(passed)
    mine = sum(t.cpu_s for t in passed) + eps
    theirs = sum(ref_cpu[t.test_id] for t in passed) + eps
    return min(1.0, theirs / mine), ""
