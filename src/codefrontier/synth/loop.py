"""The multi-turn teacher-student loop (docs/synth.md, "The multi-turn loop").

Turn 1: the teacher gets the environment's rules and a seed, and writes a problem. Its
answer is parsed and `f` is run in the sandbox (`teacher`, `execution`); a rejected
answer is recorded with its reason. An accepted problem is attempted M times by the
student (M independent requests, each with its own seed); the attempts are graded by
the judge (`grading`). At the next turn the teacher sees a summary — the pass rate and a
few solved and failed attempts — and the progression rule's instruction (`progression`).
Up to T turns per seed; every turn's problem, attempts, pass rate and rejection is kept
(`journal`), and every model answer is cached so a rerun pays for nothing twice.

Failures: a request that fails after the backend's retries ends that conversation for
this run (the error is reported, a rerun continues it); an endpoint that cannot be used
at all stops the run. Attempts the judge could not grade (IE) have no reward and do not
count; a turn none of whose attempts could be graded is not recorded (a rerun replays it
from the cached answers).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from codefrontier.errors import CodefrontierError
from codefrontier.sampling import Backend, GenerationParams, RequestFailed, Usage
from codefrontier.sampling.settings import sample_seed
from codefrontier.synth import prompts
from codefrontier.synth.envs import Environment
from codefrontier.synth.execution import ProgramRunner
from codefrontier.synth.grading import Grader, pass_rate
from codefrontier.synth.journal import Journal, TurnRecord
from codefrontier.synth.progression import Instruction, Progression
from codefrontier.synth.seeds import Seed
from codefrontier.synth.settings import LoopSettings
from codefrontier.synth.task import Draft, Reason, Rejection, SynthTask
from codefrontier.synth.teacher import parse_teacher_answer

Message = dict[str, Any]


class TurnUnfinished(CodefrontierError):
    """A turn could not be finished in this run (a failed request, an ungradable batch)."""


@dataclass
class Costs:
    """Tokens paid in this run, per role (cached answers cost nothing again)."""

    run: dict[str, Usage] = field(default_factory=lambda: {"teacher": Usage(), "student": Usage()})

    def add(self, role: str, usage: Usage) -> None:
        self.run[role] = self.run.get(role, Usage()) + usage

    def to_json(self) -> dict[str, dict[str, int]]:
        return {role: usage.to_json() for role, usage in self.run.items()}


class TurnEngine:
    """Plays single turns: one teacher answer, its checks, M student attempts, grading."""

    def __init__(
        self,
        env: Environment,
        teacher: Backend,
        student: Backend,
        journal: Journal,
        settings: LoopSettings,
        grader: Grader,
        runner: ProgramRunner,
        on_turn: Callable[[TurnRecord], None] | None = None,
    ) -> None:
        self.env = env
        self.teacher = teacher
        self.student = student
        self.journal = journal
        self.settings = settings
        self.grader = grader
        self.runner = runner
        self.on_turn = on_turn
        self.costs = Costs()

    async def ask(
        self, role: str, key: str, messages: list[Message], *, seed: int | None
    ) -> tuple[str, dict[str, int]]:
        """A model's answer: from the journal when already paid for, else from the backend."""
        cached = self.journal.calls.get(key)
        if cached is not None:
            return str(cached["text"]), dict(cached.get("usage") or {})
        backend, temperature, max_tokens = (
            (self.teacher, self.settings.teacher_temperature, self.settings.teacher_max_tokens)
            if role == "teacher"
            else (self.student, self.settings.student_temperature, self.settings.student_max_tokens)
        )
        params = GenerationParams(temperature=temperature, max_tokens=max_tokens, seed=seed)
        (completion,) = await backend.chat(messages, params)
        usage = completion.usage.to_json()
        self.journal.add_call(key, completion.text or "", usage, completion.finish_reason)
        self.costs.add(role, completion.usage)
        return completion.text or "", usage

    async def play(
        self, conversation: str, turn: int, messages: list[Message], instruction: str, meta: dict[str, Any]
    ) -> TurnRecord:
        """Turn `turn` of `conversation`, whose `messages` end with the teacher's request;
        appends the teacher's answer to `messages` and journals the turn."""
        prefix = f"{conversation}/{turn}"
        text, teacher_usage = await self.ask(
            "teacher",
            f"{prefix}/teacher",
            messages,
            seed=sample_seed(self.settings.seed, conversation, 0, turn),
        )
        messages.append({"role": "assistant", "content": text})
        usage = {"teacher": teacher_usage}
        checked = await self._check(text)
        if isinstance(checked, Rejection):
            record = TurnRecord(conversation, turn, str(instruction), text, rejection=checked, usage=usage)
            return self._finish(record)
        draft, outputs = checked
        task = SynthTask(
            id=f"{self.env.name}-{conversation}-t{turn}",
            env=self.env.name,
            program=draft.program,
            inputs=draft.inputs,
            outputs=outputs,
            message=draft.message,
            meta={**meta, "env": self.env.name, "conversation": conversation, "turn": turn},
        )
        prompt = [{"role": "user", "content": self.env.student_prompt(task)}]
        asked = await asyncio.gather(
            *(
                self.ask(
                    "student",
                    f"{prefix}/student/{j}",
                    prompt,
                    seed=sample_seed(self.settings.seed, task.id, j),
                )
                for j in range(self.settings.attempts)
            ),
            return_exceptions=True,
        )
        failed = [a for a in asked if isinstance(a, BaseException)]
        if failed:
            raise failed[0]
        answers = [a[0] for a in asked if not isinstance(a, BaseException)]
        usage["student"] = _summed(a[1] for a in asked if not isinstance(a, BaseException))
        results = await asyncio.to_thread(self.grader.grade, task, answers)
        rate = pass_rate(results)
        if rate is None:
            raise TurnUnfinished(f"{task.id}: the judge could not grade any attempt ({results[0].reason})")
        task.meta.update(pass_rate=rate, attempts=len([r for r in results if r.reward is not None]))
        if self.env.fuzzing:  # the teacher's data holds no failing input: keep the first one found
            task.meta["witness"] = next((answers[r.index] for r in results if r.reward == 1.0), None)
        record = TurnRecord(
            conversation,
            turn,
            str(instruction),
            text,
            task=task,
            answers=answers,
            attempts=results,
            pass_rate=rate,
            usage=usage,
        )
        return self._finish(record)

    async def _check(self, text: str) -> Rejection | tuple[Draft, list[Any]]:
        if not text.strip():
            return Rejection(Reason.NO_ANSWER, "the teacher returned nothing")
        draft = parse_teacher_answer(text, self.env.rules(self.settings.n_inputs))
        if isinstance(draft, Rejection):
            return draft
        outputs = await asyncio.to_thread(self.runner.outputs, draft, fuzzing=self.env.fuzzing)
        if isinstance(outputs, Rejection):
            return outputs
        return draft, outputs

    def _finish(self, record: TurnRecord) -> TurnRecord:
        self.journal.add_turn(record)
        if self.on_turn is not None:
            self.on_turn(record)
        return record


def _summed(usages: Any) -> dict[str, int]:
    total: dict[str, int] = {}
    for usage in usages:
        for key, value in usage.items():
            total[key] = total.get(key, 0) + int(value)
    return total


def after_turn(record: TurnRecord, progression: Progression) -> tuple[Instruction, str]:
    """The instruction for the next turn and the teacher's next message."""
    if record.rejection is not None:
        return Instruction.FIX, prompts.rejected(record.rejection) + "\n\n" + progression.text(
            Instruction.FIX, None
        )
    instruction = progression.next(record.pass_rate)
    body = prompts.summary(record.attempts, record.answers, record.pass_rate)
    return instruction, prompts.next_turn(body, instruction, record.pass_rate, progression)


def seed_messages(env: Environment, seed: Seed, settings: LoopSettings) -> list[Message]:
    return [
        {"role": "system", "content": prompts.teacher_system(env, settings.n_inputs)},
        {"role": "user", "content": prompts.first_turn(seed, settings.progression)},
    ]


async def run_seed(engine: TurnEngine, seed: Seed) -> list[TurnRecord]:
    """Every turn of one seed's conversation: those in the journal are replayed into the
    conversation (no model call), the rest are played."""
    settings = engine.settings
    messages = seed_messages(engine.env, seed, settings)
    records = list(engine.journal.turns.get(seed.id, []))
    instruction = Instruction.FIRST
    for record in records:
        messages.append({"role": "assistant", "content": record.teacher})
        instruction, text = after_turn(record, settings.progression)
        messages.append({"role": "user", "content": text})
    meta = {"seed": seed.id, "seed_kind": seed.kind, "seed_source": seed.source}
    for turn in range(len(records) + 1, settings.turns + 1):
        record = await engine.play(seed.id, turn, messages, instruction, meta)
        records.append(record)
        instruction, text = after_turn(record, settings.progression)
        messages.append({"role": "user", "content": text})
    return records


async def run_all(
    items: Sequence[Any],
    play: Callable[[Any], Awaitable[Any]],
    parallel: int,
    errors: list[str],
    name: Callable[[Any], str],
) -> None:
    """`play` every item, at most `parallel` at once. A failed request or an unfinished
    turn is recorded in `errors` and ends only that item; any other error stops the run."""
    gate = asyncio.Semaphore(parallel)

    async def one(item: Any) -> None:
        async with gate:
            try:
                await play(item)
            except (RequestFailed, TurnUnfinished) as exc:
                errors.append(f"{name(item)}: {exc}")

    await asyncio.gather(*(one(item) for item in items))
