"""Rollouts: the agent setting's trajectories (codefrontier.sampling, setting `agent`) as
records that selection methods read.

A rollout is one attempt at a task in a fresh environment: every step (the model's
reply as the action, the public-test feedback as the observation), the final program,
how it stopped, tokens in and out, wall time and the sandbox CPU its submissions used.
Rollouts of a refinement round also carry the refinement context they were conditioned
on and the ids of the rollouts that context was distilled from.

Trust: a rollout holds only what the agent saw (the public tests). Whether its final
program passes the hidden tests is the oracle's answer (`oracle.py`), kept apart and
never given to a summarizer, a judge or a refinement context.

A request that fails after every retry ends the rollout with status `failed` (and the
partial usage it paid for); the run goes on and the failed rollout stays a candidate
that has no program.
"""

from __future__ import annotations

import hashlib
import time
import zlib
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from codefrontier.problems import Problem
from codefrontier.scaling.accounting import Cost
from codefrontier.scaling.records import InFlight, RecordCache, digest

FAILED = "failed"
OK = "ok"


@dataclass(frozen=True)
class RefinementContext:
    """What a refinement rollout is told beyond the task: `text` (added after the task
    statement) and the ids of the rollouts it was distilled from."""

    text: str
    sources: tuple[str, ...] = ()


@dataclass
class Rollout:
    id: str  # content key: the agent, the task, the stage, the index and the context
    task: str
    stage: str  # "r0" for first-round rollouts; "<method>.r<k>" for refinement round k
    index: int
    status: str  # ok | failed
    stop: str  # the agent setting's stop reason (docs/sampling.md), or "failed"
    program: str
    language: str
    steps: list[dict[str, Any]] = field(default_factory=list)
    public: dict[str, Any] | None = None  # the final program's public-test record; None if never run
    cost: Cost = field(default_factory=Cost)
    context: str | None = None
    sources: list[str] = field(default_factory=list)
    prompt: list[dict[str, Any]] = field(default_factory=list)  # the messages the rollout started from
    error: str = ""
    model: str = ""

    @property
    def passed_public(self) -> bool | None:
        """Whether the final program passed every public test (None: never run on them)."""
        return None if self.public is None else bool(self.public.get("passed"))

    @property
    def public_score(self) -> tuple[int, int]:
        """(public tests passed, public tests run) of the final program."""
        if self.public is None:
            return 0, 0
        verdicts = self.public.get("verdicts", {})
        return sum(1 for v in verdicts.values() if v == "AC"), len(verdicts)

    @property
    def code_sha256(self) -> str:
        return hashlib.sha256(self.program.encode()).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.id,
            "task": self.task,
            "stage": self.stage,
            "index": self.index,
            "status": self.status,
            "stop": self.stop,
            "error": self.error,
            "model": self.model,
            "language": self.language,
            "program": self.program,
            "public": self.public,
            "cost": self.cost.to_json(),
            "context": self.context,
            "sources": self.sources,
            "prompt": self.prompt,
            "steps": self.steps,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rollout:
        return cls(
            id=data["key"],
            task=data["task"],
            stage=data["stage"],
            index=int(data["index"]),
            status=data["status"],
            stop=data.get("stop", ""),
            program=data.get("program", ""),
            language=data.get("language", "python"),
            steps=list(data.get("steps", [])),
            public=data.get("public"),
            cost=Cost.from_json(data.get("cost", {})),
            context=data.get("context"),
            sources=list(data.get("sources", [])),
            prompt=list(data.get("prompt", [])),
            error=data.get("error", ""),
            model=data.get("model", ""),
        )


class Agent(Protocol):
    """Draws one rollout of a task in a fresh environment."""

    def fingerprint(self) -> dict[str, Any]:
        """Everything that changes what a rollout is (model, settings, prompt version)."""
        ...

    async def rollout(
        self, task: Problem, stage: str, index: int, context: RefinementContext | None, key: str
    ) -> Rollout: ...


def rollout_key(agent: Agent, task: str, stage: str, index: int, context: RefinementContext | None) -> str:
    return digest("rollout", agent.fingerprint(), task, stage, index, context.text if context else None)


def stage_seed(seed: int | None, stage: str) -> int | None:
    """A seed per stage, so that refinement rollouts are not replays of round 0."""
    if seed is None:
        return None
    return (seed * 1_000_003 + zlib.crc32(stage.encode())) % (2**31 - 1)


class EpisodeAgent:
    """The agent setting of `codefrontier.sampling`: every reply is a submission judged on
    the public tests, with feedback, up to `max_turns` submissions."""

    def __init__(self, backend: Any, config: Any, public_judge: Any) -> None:
        from codefrontier.sampling import Setting

        if config.setting is not Setting.AGENT:
            raise ValueError("rollouts are drawn in the agent setting")
        self.backend = backend
        self.config = config
        self.public_judge = public_judge

    def fingerprint(self) -> dict[str, Any]:
        return {"model": self.backend.model, **self.config.fingerprint()}

    async def rollout(
        self, task: Problem, stage: str, index: int, context: RefinementContext | None, key: str
    ) -> Rollout:
        from codefrontier.sampling import Episode, RequestFailed, Resources

        config = replace(self.config, seed=stage_seed(self.config.seed, stage))
        episode = Episode(
            self.backend,
            config,
            Resources(judge=self.public_judge),
            task,
            "agent",
            index,
            context=context.text if context else None,
        )
        started = time.perf_counter()
        try:
            trajectory = await episode.run()
            status, error = OK, ""
        except RequestFailed as exc:  # retries ran out: recorded as failed, the run goes on
            trajectory = episode.trajectory
            status, error = FAILED, str(exc)
        record = trajectory.to_json()
        public = _last_submission(record["steps"])
        sandbox_cpu = sum(
            sum(s.get("cpu_s", {}).values()) for s in record["steps"] if s.get("type") == "submission"
        )
        calls = sum(1 for s in record["steps"] if s.get("type") == "completion")
        usage = record["usage"]
        return Rollout(
            id=key,
            task=task.id,
            stage=stage,
            index=index,
            status=status,
            stop=record["stop"] if status == OK else FAILED,
            program=record["program"]["code"] if status == OK else "",
            language=config.language,
            steps=trajectory_steps(record),
            public=public if status == OK else None,
            cost=Cost.of(
                "generator",
                prompt_tokens=usage["prompt_tokens"],
                completion_tokens=usage["completion_tokens"],
                calls=calls,
                wall_s=time.perf_counter() - started,
                sandbox_cpu_s=sandbox_cpu,
            ),
            context=context.text if context else None,
            sources=list(context.sources) if context else [],
            prompt=record["messages"][:2],
            error=error,
            model=record["model"],
        )


def _last_submission(steps: list[dict[str, Any]]) -> dict[str, Any] | None:
    submissions = [s for s in steps if s.get("type") == "submission"]
    if not submissions:
        return None
    last = submissions[-1]
    return {"passed": last["passed"], "verdicts": last["verdicts"], "submission": last["submission"]}


def trajectory_steps(trajectory: dict[str, Any]) -> list[dict[str, Any]]:
    """The trajectory as (action, observation) steps: each reply of the model, then what it
    was told back (its submission's public-test verdicts and the feedback message)."""
    messages = trajectory["messages"][2:]
    submissions = {s["turn"]: s for s in trajectory["steps"] if s.get("type") == "submission"}
    completions = [s for s in trajectory["steps"] if s.get("type") == "completion"]
    steps: list[dict[str, Any]] = []
    replies = [i for i, m in enumerate(messages) if m.get("role") == "assistant"]
    for number, position in enumerate(replies):
        turn = completions[number]["turn"] if number < len(completions) else number + 1
        following = messages[position + 1 : replies[number + 1] if number + 1 < len(replies) else None]
        observation: dict[str, Any] = {"messages": [m.get("content") or "" for m in following]}
        submission = submissions.get(turn)
        if submission is not None:
            observation["public"] = {"passed": submission["passed"], "verdicts": submission["verdicts"]}
        steps.append(
            {
                "turn": turn,
                "action": {"type": "reply", "text": messages[position].get("content") or ""},
                "observation": observation,
            }
        )
    return steps


class CachedAgent:
    """An agent whose rollouts are kept in a `RecordCache`: a rollout already on disk is
    never drawn again (a failed one is drawn again only with `retry_failed`)."""

    def __init__(self, agent: Agent, cache: RecordCache, *, retry_failed: bool = False) -> None:
        self.agent = agent
        self.cache = cache
        self.retry_failed = retry_failed
        self.drawn = 0
        self.failed = 0
        self._in_flight = InFlight()

    def fingerprint(self) -> dict[str, Any]:
        return self.agent.fingerprint()

    async def rollout(
        self, task: Problem, stage: str, index: int, context: RefinementContext | None
    ) -> Rollout:
        key = rollout_key(self.agent, task.id, stage, index, context)
        cached = self.cache.get(key)
        if cached is not None and not (self.retry_failed and cached["status"] == FAILED):
            return Rollout.from_json(cached)
        return await self._in_flight.run(key, lambda: self._draw(task, stage, index, context, key))

    async def _draw(
        self, task: Problem, stage: str, index: int, context: RefinementContext | None, key: str
    ) -> Rollout:
        rollout = await self.agent.rollout(task, stage, index, context, key)
        self.drawn += 1
        self.failed += rollout.status == FAILED
        self.cache.put(rollout.to_json())
        return rollout
