"""TRL: a reward function for `GRPOTrainer(reward_funcs=...)` (docs/rewards.md, "TRL").

    from codefrontier.rewards import CodeReward, RewardSpec

    reward = CodeReward(benchmark="bundled", spec=RewardSpec("level", "small"))
    trainer = GRPOTrainer(model=..., reward_funcs=[reward], train_dataset=dataset, ...)

The dataset needs a `problem_id` column (and may have a `language` column); TRL passes
every dataset column to reward functions as a list, one entry per completion. A reward
the judge could not compute is None, which TRL turns into NaN and leaves out of the
group statistics; it is never 0. This module does not import TRL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from codefrontier.contracts import Problem
from codefrontier.errors import InputError
from codefrontier.judge.config import JudgeConfig
from codefrontier.rewards.rewarder import RewardItem
from codefrontier.rewards.sources import RewardSource, make_source
from codefrontier.rewards.spec import Reward, RewardSpec

log = logging.getLogger(__name__)


class CodeReward:
    """Callable with GRPOTrainer's reward function signature:
    `(prompts, completions, completion_ids, **dataset_columns) -> list[float | None]`.

    Judges in this process on `jobs` sandboxes (started on the first call), or on the
    service at `url` (or $CODEFRONTIER_URL) — the choice for multi-process training,
    where every process would otherwise start its own pool."""

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
