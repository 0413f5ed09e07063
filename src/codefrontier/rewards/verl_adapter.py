"""verl: `compute_score` for verl's custom reward function loader (docs/rewards.md, "verl").

    custom_reward_function.path=$(python -c "import codefrontier.rewards.verl_adapter as m; print(m.__file__)")
    custom_reward_function.name=compute_score          # or compute_score_batch with reward_manager=batch
    +custom_reward_function.reward_kwargs.kind=level
    +custom_reward_function.reward_kwargs.level=small

verl loads this file by path and calls `compute_score(data_source=..., solution_str=...,
ground_truth=..., extra_info=...)` with `reward_kwargs` bound as keyword arguments.
`ground_truth` names the problem: its id, or a JSON object `{"problem_id": ..., "language":
...}`. Problems come from `problems_file`, `benchmark`, or the row's `data_source` (a
benchmark name, optionally prefixed `codefrontier/`), or from the service at `url` (or
$CODEFRONTIER_URL).

The result is a dict whose `score` verl takes as the reward; the other keys (all
numbers) land in verl's reward_extra_info. A reward the judge could not compute raises
`RewardUnavailable`: verl has no missing reward, and a 0 would train on the judge's failure.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any

# Absolute imports only: verl imports this file by path, outside its package.
from codefrontier.errors import CodefrontierError, InputError
from codefrontier.rewards.rewarder import RewardItem
from codefrontier.rewards.sources import URL_ENV, RewardSource, make_source
from codefrontier.rewards.spec import Reward, RewardSpec
from codefrontier.rewards.wire import parse_label

BENCHMARK_PREFIX = "codefrontier/"

_sources: dict[tuple[Any, ...], RewardSource] = {}
_lock = threading.Lock()


class RewardUnavailable(CodefrontierError):
    """The judge could not compute a reward (internal error after retries)."""


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> dict[str, float]:
    """The reward of one response (verl's NaiveRewardManager calls this per response)."""
    return compute_score_batch([data_source], [solution_str], [ground_truth], [extra_info], **kwargs)[0]


def compute_score_batch(
    data_sources: Sequence[str],
    solution_strs: Sequence[str],
    ground_truths: Sequence[Any],
    extra_infos: Sequence[Mapping[str, Any] | None] | None = None,
    *,
    kind: str = "binary",
    level: str | float | None = None,
    efficiency_weight: float = 0.0,
    url: str | None = None,
    token: str | None = None,
    benchmark: str | None = None,
    problems_file: str | None = None,
    jobs: int | None = None,
    language: str = "python",
    **_: Any,
) -> list[dict[str, float]]:
    """Rewards of a batch, judged in parallel (verl's BatchRewardManager calls this)."""
    spec = RewardSpec(kind=kind, level=level, efficiency_weight=efficiency_weight)
    url = url or os.environ.get(URL_ENV)
    infos = list(extra_infos) if extra_infos is not None else [None] * len(solution_strs)
    groups: dict[RewardSource, list[int]] = {}
    items: list[RewardItem] = []
    for i, (source_name, text, truth, info) in enumerate(
        zip(data_sources, solution_strs, ground_truths, infos, strict=True)
    ):
        label = parse_label(truth if truth is not None else (info or {}).get("problem_id"), i)
        items.append(RewardItem(str(label["problem_id"]), text, str(label.get("language", language))))
        source = _source(url, token, benchmark or _benchmark_of(source_name), problems_file, jobs)
        groups.setdefault(source, []).append(i)
    out: list[dict[str, float] | None] = [None] * len(items)
    for source, indices in groups.items():
        rewards = source.rewards([items[i] for i in indices], spec)
        for i, reward in zip(indices, rewards, strict=True):
            out[i] = _scored(reward, i)
    return [o for o in out if o is not None]


def _scored(reward: Reward, index: int) -> dict[str, float]:
    if reward.value is None:
        raise RewardUnavailable(
            f"the reward of response {index} ({reward.problem_id}) is missing: {reward.reason}"
        )
    return {
        "score": float(reward.value),
        "passed": float(reward.passed),
        "highest_level": float(reward.highest_level),
        "tests_passed": float(reward.tests_passed),
        "tests_in_level": float(reward.tests_in_level),
        "cpu_s": float(reward.cpu_s),
    }


def _benchmark_of(data_source: str) -> str:
    name = str(data_source).removeprefix(BENCHMARK_PREFIX)
    if not name:
        raise InputError(
            "names no benchmark; pass benchmark= or problems_file= in reward_kwargs", field="data_source"
        )
    return name


def _source(
    url: str | None, token: str | None, benchmark: str | None, problems_file: str | None, jobs: int | None
) -> RewardSource:
    key = (url, token, None if url else (problems_file or benchmark), jobs)
    with _lock:
        source = _sources.get(key)
        if source is None:
            if url:
                source = make_source(url=url, token=token)
            elif problems_file:
                source = make_source(problems_file=problems_file, jobs=jobs)
            else:
                source = make_source(benchmark=benchmark, jobs=jobs)
            _sources[key] = source
        return source


def close() -> None:
    """Stop every pool this module started (they also stop when the process exits)."""
    with _lock:
        for source in _sources.values():
            source.close()
        _sources.clear()
