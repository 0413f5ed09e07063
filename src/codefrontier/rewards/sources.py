"""Where trainer adapters get rewards from: the node's shared pool (`node_pool`, the
default), a `Rewarder` in this process, or a service named by URL. All answer
`rewards(items, spec) -> list[Reward]`."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from codefrontier.errors import ConfigError
from codefrontier.judge import FailureClass, JudgeConfig, Verdict
from codefrontier.problems import Problem
from codefrontier.rewards.rewarder import RewardItem
from codefrontier.rewards.spec import Reward, RewardSpec

log = logging.getLogger(__name__)

URL_ENV = "CODEFRONTIER_URL"
TOKEN_ENV = "CODEFRONTIER_TOKEN"
POOLS = ("node", "process")  # where local judging happens: the node's shared pool, or this process


class RewardUnavailable(BaseException):  # noqa: N818 - the name trainers' tracebacks show
    """A reward is missing (the judge's internal error, after its retries) where the
    trainer has no way to leave a sample out, so the run must stop with the reason.

    A BaseException, not an Exception, on purpose: trainers wrap reward functions in
    `except Exception` and turn what they catch into a score (verl's `rate_limited`
    manager into 0.0) or a None that fails later far from the cause (OpenRLHF); neither
    may swallow this. Ray and asyncio carry it to the caller like any error."""


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
    pool: str = "node",
) -> RewardSource:
    """The service at `url` (or $CODEFRONTIER_URL) if one is named; else the node's shared
    pool (`pool="node"`: one pool for every process on this machine that judges the same
    problems with the same settings), or a pool of this process's own (`pool="process"`)."""
    if pool not in POOLS:
        raise ConfigError(f"pool must be one of {', '.join(POOLS)}, got {pool!r}")
    url = url or os.environ.get(URL_ENV)
    if url:
        from codefrontier.rewards.client import RewardClient

        return RemoteSource(RewardClient(url, token=token or os.environ.get(TOKEN_ENV)))
    if pool == "node":
        from codefrontier.rewards import node_pool

        shared = node_pool.acquire(
            problems, benchmark=benchmark, problems_file=problems_file, jobs=jobs, config=config
        )
        return RemoteSource(shared.client(), shared)
    from codefrontier.rewards.rewarder import Rewarder

    name, loaded = problems_from(problems, benchmark=benchmark, problems_file=problems_file)
    return Rewarder(loaded, config=config, jobs=jobs, benchmark=name)


class RemoteSource:
    """Rewards from the service. A service that stays unreachable or failing after the
    client's retries gives missing rewards (None, with the reason), never zeros; a
    request the service refuses as wrong (4xx) raises."""

    def __init__(self, client: Any, node: Any = None) -> None:
        self.client = client
        self.node = node  # the node pool this process uses, released on close()

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
        if self.node is not None:
            self.node.close()


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
