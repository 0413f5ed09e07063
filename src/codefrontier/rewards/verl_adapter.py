"""verl: a custom reward function file (docs/rewards.md, "verl").

verl 0.7 and later (its reward loop; 0.9 reads these keys and no others):

    reward.custom_reward_function.path=$(python -c "import codefrontier.rewards.verl_adapter as m; print(m.__file__)")
    reward.custom_reward_function.name=compute_score
    +reward.custom_reward_function.reward_kwargs.kind=level
    +reward.custom_reward_function.reward_kwargs.level=small
    reward.reward_manager.name=naive          # or dapo, gdpo, remote -- never rate_limited (below)

verl 0.6 and earlier read the same settings at the top level (`custom_reward_function.*`,
`reward_model.reward_manager`), and 0.7 and 0.8 still move them there; verl 0.9's
`main_ppo` ignores them without a word, so they must be under `reward.`. Only verl 0.6
and earlier have the `batch` reward manager, which calls `compute_score_batch`.

verl loads this file by path and calls `compute_score(data_source=..., solution_str=...,
ground_truth=..., extra_info=...)` with `reward_kwargs` bound as keyword arguments.
`ground_truth` names the problem: its id, or a JSON object `{"problem_id": ..., "language":
...}`. Problems come from `problems_file`, `benchmark`, or the row's `data_source` (a
benchmark name, optionally prefixed `codefrontier/`), or from the service at `url` (or
$CODEFRONTIER_URL). Judging happens on the node's shared pool (`pool=node`, the default:
verl's reward workers -- 8 by default -- use one pool between them) or, with
`pool=process`, on a pool of each worker's own.

The result is a dict whose `score` verl takes as the reward; the other keys (all numbers)
land in verl's reward_extra_info. A reward the judge could not compute raises
`RewardUnavailable`, which stops the run with the reason: verl has no missing reward, and
a 0 would train on the judge's failure. It is a BaseException, so that code which turns
any `Exception` of a reward function into a score (verl's `rate_limited` manager does,
into 0.0) cannot swallow it; and since `rate_limited` also scores a slow reward 0.0 after
its timeout, this adapter refuses to run under it at all.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import Any

# Absolute imports only: verl imports this file by path, outside its package.
from codefrontier.errors import InputError
from codefrontier.rewards.rewarder import RewardItem
from codefrontier.rewards.sources import URL_ENV, RewardSource, RewardUnavailable, make_source
from codefrontier.rewards.spec import Reward, RewardSpec
from codefrontier.rewards.wire import parse_label

BENCHMARK_PREFIX = "codefrontier/"

# verl's reward managers that turn an exception of the reward function (or a reward that
# takes longer than their timeout) into a score. Matched by class name in the caller's
# class hierarchy, within verl's own modules.
SCORING_FAILURES = {"RateLimitedRewardManager": "rate_limited"}

__all__ = ["RewardUnavailable", "close", "compute_score", "compute_score_batch"]

_sources: dict[tuple[Any, ...], RewardSource] = {}
_lock = threading.Lock()


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> dict[str, float]:
    """The reward of one response (verl's reward managers call this per response)."""
    _refuse_managers_that_score_failures()
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
    pool: str = "node",
    language: str = "python",
    **_: Any,
) -> list[dict[str, float]]:
    """Rewards of a batch, judged in parallel (verl 0.6's BatchRewardManager calls this)."""
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
        source = _source(url, token, benchmark or _benchmark_of(source_name), problems_file, jobs, pool)
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
            f"the reward of response {index} ({reward.problem_id}) is missing, so the run stops rather "
            f"than train on a 0: {reward.reason}"
        )
    return {
        "score": float(reward.value),
        "passed": float(reward.passed),
        "highest_level": float(reward.highest_level),
        "tests_passed": float(reward.tests_passed),
        "tests_in_level": float(reward.tests_in_level),
        "cpu_s": float(reward.cpu_s),
    }


def _refuse_managers_that_score_failures() -> None:
    """Stop at the first call under a verl reward manager that would score a failure.

    verl hands the reward function nothing of its configuration, so the manager is found
    where it is: among the callers (the `self` of a frame of this thread: the manager's
    coroutine, or the closure it runs in an executor thread)."""
    frame = sys._getframe(2)
    for _ in range(48):
        if frame is None:
            return
        owner = frame.f_locals.get("self")
        if owner is not None:
            for cls in type(owner).__mro__:
                name = SCORING_FAILURES.get(cls.__name__)
                if name is not None and cls.__module__.startswith("verl."):
                    raise RewardUnavailable(
                        f"verl's {name!r} reward manager scores a reward function's error, or a reward "
                        "slower than its timeout, as 0.0, which would train the policy on the judge's "
                        "failures; set reward.reward_manager.name=naive (or dapo, gdpo, remote): "
                        "codefrontier's pool has its own bounded queue"
                    )
        frame = frame.f_back


def _benchmark_of(data_source: str) -> str:
    name = str(data_source).removeprefix(BENCHMARK_PREFIX)
    if not name:
        raise InputError(
            "names no benchmark; pass benchmark= or problems_file= in reward_kwargs", field="data_source"
        )
    return name


def _source(
    url: str | None,
    token: str | None,
    benchmark: str | None,
    problems_file: str | None,
    jobs: int | None,
    pool: str,
) -> RewardSource:
    key = (url, token, None if url else (problems_file or benchmark), jobs, pool)
    with _lock:
        source = _sources.get(key)
        if source is None:
            if url:
                source = make_source(url=url, token=token)
            elif problems_file:
                source = make_source(problems_file=problems_file, jobs=jobs, pool=pool)
            else:
                source = make_source(benchmark=benchmark, jobs=jobs, pool=pool)
            _sources[key] = source
        return source


def close() -> None:
    """Stop using every pool this module started or joined (also done when the process exits)."""
    with _lock:
        for source in _sources.values():
            source.close()
        _sources.clear()


if __name__ != "codefrontier.rewards.verl_adapter":
    # verl loaded this file by path, as a module of its own. Answer with the package
    # module's functions instead: they pickle by reference, as verl's `remote` manager
    # needs to ship them to its Ray actors (by value they would drag this module's lock
    # and pools along), and every load in a process shares one set of pools.
    from codefrontier.rewards.verl_adapter import (  # noqa: F811
        RewardUnavailable,
        close,
        compute_score,
        compute_score_batch,
    )
