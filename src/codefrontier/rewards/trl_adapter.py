"""TRL: a reward function for `GRPOTrainer(reward_funcs=...)` (docs/rewards.md, "TRL").

    from codefrontier.rewards import CodeReward, RewardSpec

    reward = CodeReward(benchmark="bundled", spec=RewardSpec("level", "small"))
    trainer = GRPOTrainer(model=..., reward_funcs=[reward], train_dataset=dataset, ...)

The dataset needs a `problem_id` column (and may have a `language` column); TRL passes
every dataset column to reward functions as a list, one entry per completion.

A reward the judge could not compute is None. GRPOTrainer and RLOOTrainer turn it into
NaN; when every reward function of the trainer gave None for a completion, it is left
out of its group's mean and std and its advantage is 0 -- the sample is masked. Next to
other reward functions TRL would instead sum the NaN as 0 (`nansum`), so there a missing
reward stops the run (`RewardUnavailable`) rather than count as 0. This module does not
import TRL.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from codefrontier.errors import InputError
from codefrontier.judge import JudgeConfig
from codefrontier.problems import Problem
from codefrontier.rewards.rewarder import RewardItem
from codefrontier.rewards.sources import RewardSource, RewardUnavailable, make_source
from codefrontier.rewards.spec import Reward, RewardSpec

log = logging.getLogger(__name__)


class CodeReward:
    """Callable with GRPOTrainer's reward function signature:
    `(prompts, completions, completion_ids, **dataset_columns) -> list[float | None]`.

    Judges on the node's shared pool (`pool="node"`, the default: the first process on the
    machine starts it with `jobs` sandboxes, default one per core, and every training
    process uses it), on a pool of this process's own (`pool="process"`), or on the
    service at `url` (or $CODEFRONTIER_URL)."""

    def __init__(
        self,
        problems: Iterable[Problem] | Mapping[str, Problem] | None = None,
        *,
        benchmark: str | None = None,
        problems_file: str | Path | None = None,
        spec: RewardSpec | None = None,
        url: str | None = None,
        token: str | None = None,
        jobs: int | None = None,
        config: JudgeConfig | None = None,
        language: str = "python",
        problem_column: str = "problem_id",
        language_column: str = "language",
        name: str | None = None,
        pool: str = "node",
    ) -> None:
        self.spec = spec or RewardSpec()
        self.language = language
        self.problem_column = problem_column
        self.language_column = language_column
        level = f"_{self.spec.level}" if self.spec.level is not None else ""
        self.__name__ = name or f"codefrontier_{self.spec.kind.value}{level}"
        self._source_args: dict[str, Any] = dict(
            problems=problems,
            benchmark=benchmark,
            problems_file=problems_file,
            url=url,
            token=token,
            jobs=jobs,
            config=config,
            pool=pool,
        )
        self._source: RewardSource | None = None
        self.last_rewards: list[Reward] = []  # the details behind the values of the last call

    @property
    def source(self) -> RewardSource:
        if self._source is None:
            self._source = make_source(**self._source_args)
        return self._source

    def __call__(
        self,
        prompts: Sequence[Any] | None = None,
        completions: Sequence[Any] | None = None,
        completion_ids: Sequence[Any] | None = None,
        **kwargs: Any,
    ) -> list[float | None]:
        if completions is None:
            raise InputError("TRL passes `completions`; none were given", field="completions")
        problem_ids = kwargs.get(self.problem_column)
        if problem_ids is None:
            raise InputError(
                f"the training dataset needs a `{self.problem_column}` column naming each row's problem",
                field=self.problem_column,
            )
        languages = kwargs.get(self.language_column) or [self.language] * len(completions)
        items = [
            RewardItem(str(pid), completion_text(c), str(lang or self.language))
            for pid, c, lang in zip(problem_ids, completions, languages, strict=True)
        ]
        rewards = self.source.rewards(items, self.spec)
        self.last_rewards = rewards
        self._log(rewards, kwargs)
        missing = [i for i, r in enumerate(rewards) if r.value is None]
        if missing:
            others = _other_reward_functions(self)
            if others:
                first = rewards[missing[0]]
                raise RewardUnavailable(
                    f"{len(missing)} of {len(rewards)} rewards are missing (first: completion {missing[0]}, "
                    f"{first.problem_id}: {first.reason}); TRL would sum them as 0 next to the other reward "
                    f"functions ({', '.join(others)}), so the run stops. With {self.__name__} as the only "
                    "reward function, a missing reward leaves its completion out instead."
                )
        return [r.value for r in rewards]

    def _log(self, rewards: list[Reward], kwargs: Mapping[str, Any]) -> None:
        missing = [r for r in rewards if r.value is None]
        if missing:
            log.warning("%d of %d rewards are missing: %s", len(missing), len(rewards), missing[0].reason)
        log_metric = kwargs.get("log_metric")
        if callable(log_metric) and rewards:
            n = len(rewards)
            log_metric(f"{self.__name__}/missing_fraction", len(missing) / n)
            log_metric(f"{self.__name__}/passed_fraction", sum(r.passed for r in rewards) / n)
            log_metric(f"{self.__name__}/highest_level_mean", sum(r.highest_level for r in rewards) / n)
        log_extra = kwargs.get("log_extra")
        if callable(log_extra):
            log_extra(f"{self.__name__}/verdict", [r.verdict for r in rewards])

    def close(self) -> None:
        if self._source is not None:
            self._source.close()
            self._source = None


def _other_reward_functions(reward: CodeReward) -> list[str]:
    """The names of the trainer's other reward functions, when a TRL trainer is the caller.

    TRL hands a reward function no reference to its trainer; the trainer is the `self` of
    the frame that calls it (GRPOTrainer's and RLOOTrainer's `_calculate_rewards`), or a
    few frames up when the function is wrapped."""
    frame = sys._getframe(2)
    for _ in range(8):
        if frame is None:
            break
        funcs = getattr(frame.f_locals.get("self"), "reward_funcs", None)
        if isinstance(funcs, list):
            names = [getattr(f, "__name__", type(f).__name__) for f in funcs]
            return [n for n in names if n != reward.__name__] if len(funcs) > 1 else []
        frame = frame.f_back
    return []


def completion_text(completion: Any) -> str:
    """The text of a completion: a string, or (conversational datasets) the last
    assistant message's content."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Sequence) and completion and isinstance(completion[-1], Mapping):
        content = completion[-1].get("content", "")
        if isinstance(content, str):
            return content
        if isinstance(content, Sequence):  # content blocks: keep the text ones
            return "".join(str(b.get("text", "")) for b in content if isinstance(b, Mapping))
    raise InputError(f"cannot read a completion of type {type(completion).__name__}", field="completions")
