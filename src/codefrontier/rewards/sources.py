"""Where trainer adapters get rewards from: a `Rewarder` in this process, or the HTTP
service through a `RewardClient`. Both answer `rewards(items, spec) -> list[Reward]`."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from codefrontier.contracts import FailureClass, Problem, Verdict
from codefrontier.errors import ConfigError
from codefrontier.judge.config import JudgeConfig
from codefrontier.rewards.rewarder import RewardItem
from codefrontier.rewards.spec import Reward, RewardSpec

log = logging.getLogger(__name__)

URL_ENV = "CODEFRONTIER_URL"
TOKEN_ENV = "CODEFRONTIER_TOKEN"


class RewardSource(Protocol):
    def rewards(self, items: Sequence[RewardItem | Mapping[str, Any]], spec: RewardSpec) -> list[Reward]: ...

    def close(self) -> None: ...


def problems_from(
    problems: Iterable[Problem] | Mapping[str, Problem] | None = None,
    *,
    benchmark: str | None = None,
    problems_file: str | Path | None = None,
) -> tuple[str, list[Problem]]:
    """(benchmark name, problems) from exactly one of the three ways to name them."""
    from codefrontier.problems.registry import resolve_problems

    if problems is not None:
        if benchmark is not None or problems_file is not None:
            raise ConfigError("give problems, a benchmark name or a problems file, not several")
        values = list(problems.values()) if isinstance(problems, Mapping) else list(problems)
        return "", values
    if benchmark is None and problems_file is None:
        raise ConfigError(
            "name the problems to judge: problems=, benchmark= or problems_file= (or url= of a service)"
        )
    return resolve_problems(benchmark, problems_file)


def make_source(
    problems: Iterable[Problem] | Mapping[str, Problem] | None = None,
    *,
    benchmark: str | None = None,
    problems_file: str | Path | None = None,
    url: str | None = None,
    token: str | None = None,
    jobs: int | None = None,
    config: JudgeConfig | None = None,
) -> RewardSource:
    """The service at `url` (or $CODEFRONTIER_URL) if one is named, else a local pool."""
    url = url or os.environ.get(URL_ENV)
    if url:
        from codefrontier.rewards.client import RewardClient

        return RemoteSource(RewardClient(url, token=token or os.environ.get(TOKEN_ENV)))
    from codefrontier.rewards.rewarder import Rewarder

    name, loaded = problems_from(problems, benchmark=benchmark, problems_file=problems_file)
    return Rewarder(loaded, config=config, jobs=jobs, benchmark=name)


class RemoteSource:
    """Rewards from the service. A service that stays unreachable or failing after the
    client's retries gives missing rewards (None, with the reason), never zeros; a
    request the service refuses as wrong (4xx) raises."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def rewards(self, items: Sequence[RewardItem | Mapping[str, Any]], spec: RewardSpec) -> list[Reward]:
        from codefrontier.rewards.client import ServiceError

        try:
            return self.client.rewards(items, spec)
        except ServiceError as exc:
            if not exc.transient:
                raise
            log.warning("reward service failed; %d rewards are missing: %s", len(items), exc)
            return [missing_reward(spec, str(exc), _problem_id(i)) for i in items]

    def close(self) -> None:
        self.client.close()


def _problem_id(item: RewardItem | Mapping[str, Any]) -> str:
    return item.problem_id if isinstance(item, RewardItem) else str(item.get("problem_id", ""))


def missing_reward(spec: RewardSpec, reason: str, problem_id: str = "") -> Reward:
    return Reward(
        value=None,
        kind=spec.kind.value,
        level=spec.level,
        verdict=Verdict.IE.value,
        failure_class=FailureClass.INTERNAL.value,
        passed=False,
        tests_passed=0,
        tests_run=0,
        tests_in_level=0,
        highest_level=0.0,
        highest_tier=None,
        cpu_s=0.0,
        reason=reason,
        problem_id=problem_id,
    )
