"""Reward definitions: the spec, the judge settings it picks, and the arithmetic that turns
a judged sample into a reward (on hand-made results; the sandbox is exercised elsewhere)."""

from __future__ import annotations

import pytest

from codefrontier import contracts as results
from codefrontier.contracts import SampleResult, Verdict, failure_class, sample_verdict
from codefrontier.errors import InputError
from codefrontier.judge.config import JudgeConfig, Mode
from codefrontier.rewards import RewardKind, RewardSpec, reward_from_result
from codefrontier.rewards.spec import EFFICIENCY_EPSILON_S


def judged(verdicts: list[str], cpu: list[float] | None = None, total: int | None = None) -> SampleResult:
    cpu = cpu or [0.1] * len(verdicts)
    tests = [
        results.TestResult(f"t{i}", i, i, None, Verdict(v), cpu_s=c)
        for i, (v, c) in enumerate(zip(verdicts, cpu, strict=True))
    ]
    vs = [Verdict(v) for v in verdicts]
    prefix = next((i for i, v in enumerate(vs) if v is not Verdict.AC), len(vs))
    total = total if total is not None else len(verdicts)
    return SampleResult(
        benchmark="b",
        problem_id="p",
        policy="rl",
        sample=0,
        language="python",
        verdict=sample_verdict(vs),
        failure_class=failure_class(vs),
        tests=tests,
        tests_total=total,
        highest_level=prefix / total,
        highest_tier=None,
        detail="sandbox gone" if Verdict.IE in vs else "",
    )


def test_pass_fail_rewards_judge_first_fail_and_fraction_judges_every_test() -> None:
    base = JudgeConfig(time_scale=2.0)
    assert RewardSpec().judge_config(base).mode is Mode.FIRST_FAIL
    assert RewardSpec("level", "small").judge_config(base).level == "small"
    assert RewardSpec("level", "0.5").judge_config(base).level == 0.5
    fraction = RewardSpec("fraction").judge_config(base)
    assert fraction.mode is Mode.ALL and fraction.level is None and fraction.time_scale == 2.0


def test_binary_reward_is_one_only_when_every_test_of_the_set_is_accepted() -> None:
    assert reward_from_result(RewardSpec(), judged(["AC", "AC", "AC"])).value == 1.0
    failed = reward_from_result(RewardSpec(), judged(["AC", "TLE"], total=3))
    assert failed.value == 0.0
    assert (failed.verdict, failed.failure_class, failed.passed) == ("TLE", "optimization", False)
    assert failed.tests_passed == 1 and failed.tests_run == 2 and failed.tests_in_level == 3


def test_fraction_reward_is_the_share_of_accepted_tests() -> None:
    reward = reward_from_result(RewardSpec("fraction"), judged(["AC", "WA", "AC", "TLE"]))
    assert reward.value == 0.5
    assert reward.failure_class == "correctness"


def test_an_internal_error_is_a_missing_reward_with_its_reason_never_zero() -> None:
    for spec in (RewardSpec(), RewardSpec("fraction"), RewardSpec("level", 0.5, 0.3)):
        reward = reward_from_result(spec, judged(["AC", "IE"]))
        assert reward.value is None and reward.missing
        assert "sandbox gone" in reward.reason
        assert reward.failure_class == "internal"


def test_efficiency_term_scales_a_passing_reward_by_cpu_time_relative_to_the_reference() -> None:
    spec = RewardSpec("level", 1.0, efficiency_weight=0.5)
    reference = judged(["AC", "AC"], cpu=[0.1, 0.1])
    eps = 2 * EFFICIENCY_EPSILON_S
    slow = reward_from_result(spec, judged(["AC", "AC"], cpu=[0.4, 0.4]), reference)
    efficiency = (0.2 + eps) / (0.8 + eps)
    assert slow.efficiency == pytest.approx(efficiency)
    assert slow.value == pytest.approx(0.5 + 0.5 * efficiency)
    fast = reward_from_result(spec, judged(["AC", "AC"], cpu=[0.01, 0.01]), reference)
    assert fast.efficiency == 1.0 and fast.value == 1.0  # never above the base reward


def test_efficiency_term_is_off_by_default_and_never_lifts_a_failure() -> None:
    reference = judged(["AC", "AC"], cpu=[0.1, 0.1])
    assert reward_from_result(RewardSpec(), judged(["AC", "AC"], cpu=[9, 9]), reference).value == 1.0
    failed = reward_from_result(RewardSpec(efficiency_weight=1.0), judged(["WA"], total=2), reference)
    assert failed.value == 0.0 and failed.efficiency is None


def test_efficiency_without_a_usable_reference_is_missing_not_guessed() -> None:
    spec = RewardSpec(efficiency_weight=0.2)
    assert reward_from_result(spec, judged(["AC"]), None).value is None
    broken_reference = judged(["IE"])
    reward = reward_from_result(spec, judged(["AC"]), broken_reference)
    assert reward.value is None and "reference" in reward.reason


@pytest.mark.parametrize(
    ("obj", "field"),
    [
        ({"kind": "bogus"}, "spec.kind"),
        ({"kind": "level"}, "spec.level"),
        ({"kind": "level", "level": 1.5}, "spec.level"),
        ({"kind": "level", "level": True}, "spec.level"),
        ({"efficiency_weight": 2}, "spec.efficiency_weight"),
        ({"efficiency_weight": "high"}, "spec.efficiency_weight"),
        ({"levle": 0.5}, "spec.levle"),
        ([], "spec"),
    ],
)
def test_a_bad_spec_names_its_field(obj: object, field: str) -> None:
    with pytest.raises(InputError) as caught:
        RewardSpec.from_json(obj)
    assert caught.value.field == field


def test_spec_round_trips_through_json() -> None:
    spec = RewardSpec(RewardKind.LEVEL, "medium", 0.25)
    assert RewardSpec.from_json(spec.to_json()) == spec
    assert RewardSpec.from_json(None) == RewardSpec()
