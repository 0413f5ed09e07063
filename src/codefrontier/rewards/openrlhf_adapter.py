"""OpenRLHF: a reward function file for `--reward.remote_url FILE.py` (docs/rewards.md,
"OpenRLHF").

    # codefrontier_reward.py
    from codefrontier.rewards.openrlhf_adapter import reward_function

    reward_func = reward_function(benchmark="bundled", kind="level", level="small")

    python -m openrlhf.cli.train_ppo_ray ... --reward.remote_url codefrontier_reward.py --data.label_key problem_id

OpenRLHF loads the file in each vLLM engine's process and calls `reward_func(queries,
prompts, labels)` in a thread for every rollout; the answer has the shape of the HTTP
service's `/openrlhf` answer. The response is taken out of the query by
`wire.response_text` (OpenRLHF may have cut the start of a long prompt). Judging happens
on the node's shared pool (every engine on the node uses one), in this process
(`pool="process"`), or on the service at `url`.

A reward the judge could not compute (or any other failure to compute the batch's
rewards: an unknown problem id, a level a problem lacks) raises `RewardUnavailable`, which
stops the run with the reason in the trainer's log. OpenRLHF has no missing reward: it catches any
`Exception` of the reward call, logs it at INFO and leaves the reward None, and the run
then fails later with an error that does not say why (docs/rewards.md); the exception is
a BaseException so that this `except Exception` does not swallow it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from codefrontier.judge import JudgeConfig
from codefrontier.problems import Problem
from codefrontier.rewards.rewarder import RewardItem
from codefrontier.rewards.sources import RewardSource, RewardUnavailable, make_source
from codefrontier.rewards.spec import Reward, RewardSpec
from codefrontier.rewards.wire import parse_label, response_text

log = logging.getLogger(__name__)

__all__ = ["RewardUnavailable", "openrlhf_answer", "reward_function"]


def reward_function(
    problems: Iterable[Problem] | Mapping[str, Problem] | None = None,
    *,
    benchmark: str | None = None,
    problems_file: str | Path | None = None,
    url: str | None = None,
    token: str | None = None,
    kind: str = "binary",
    level: str | float | None = None,
    efficiency_weight: float = 0.0,
    jobs: int | None = None,
    config: JudgeConfig | None = None,
    pool: str = "node",
    language: str = "python",
) -> Callable[[Sequence[str], Sequence[str], Sequence[Any]], dict[str, Any]]:
    """OpenRLHF's `reward_func(queries, prompts, labels)`; a label is a problem id or a JSON
    object `{"problem_id": ..., "language": ...}`. The pool starts on the first call."""
    spec = RewardSpec(kind=kind, level=level, efficiency_weight=efficiency_weight)
    source_args: dict[str, Any] = dict(
        problems=problems,
        benchmark=benchmark,
        problems_file=problems_file,
        url=url,
        token=token,
        jobs=jobs,
        config=config,
        pool=pool,
    )
    sources: list[RewardSource] = []
    lock = threading.Lock()

    def source() -> RewardSource:
        with lock:
            if not sources:
                sources.append(make_source(**source_args))
            return sources[0]

    def reward_func(queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any]) -> dict[str, Any]:
        try:
            rewards = source().rewards(_items(queries, prompts, labels, language), spec)
        except Exception as exc:  # OpenRLHF would log it at INFO and go on without a reward
            message = f"no rewards for this batch: {exc}"
            log.error("%s", message)
            raise RewardUnavailable(message) from exc
        missing = [i for i, r in enumerate(rewards) if r.value is None]
        if missing:
            first = rewards[missing[0]]
            message = (
                f"{len(missing)} of {len(rewards)} rewards are missing (first: query {missing[0]}, "
                f"{first.problem_id}: {first.reason}); the run stops rather than train on a 0"
            )
            log.error("%s", message)
            raise RewardUnavailable(message)
        return openrlhf_answer(rewards)

    def close() -> None:
        with lock:
            for s in sources:
                s.close()
            sources.clear()

    reward_func.close = close  # type: ignore[attr-defined]
    return reward_func


def _items(
    queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any], language: str
) -> list[RewardItem]:
    items = []
    for i, (query, prompt, label) in enumerate(zip(queries, prompts, labels, strict=True)):
        problem = parse_label(label, i)
        text = response_text(str(query), str(prompt or ""))
        items.append(RewardItem(str(problem["problem_id"]), text, str(problem.get("language", language))))
    return items


def openrlhf_answer(rewards: Sequence[Reward]) -> dict[str, Any]:
    """OpenRLHF's reward answer for rewards that are all present: `rewards` (the training
    signal), `scores` (what dynamic filtering reads) and `extra_logs` (logged per step)."""
    values = [float(r.value) for r in rewards if r.value is not None]
    if len(values) != len(rewards):
        raise ValueError("openrlhf_answer needs every reward; a missing one has no OpenRLHF form")
    return {
        "rewards": values,
        "scores": values,
        "extra_logs": {
            "passed": [float(r.passed) for r in rewards],
            "highest_level": [float(r.highest_level) for r in rewards],
            "tests_passed": [float(r.tests_passed) for r in rewards],
            "cpu_s": [float(r.cpu_s) for r in rewards],
        },
    }
