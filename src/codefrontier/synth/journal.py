"""A generation run's directory: what makes it resumable (docs/synth.md, "Output").

    OUT/run.json       the settings and the seeds (a rerun must match them)
    OUT/calls.jsonl    every model answer, keyed by conversation, turn, role and attempt
    OUT/turns.jsonl    every finished turn: the teacher's answer, the problem or why it was
                       rejected, the student's attempts, their rewards and the pass rate

Both JSONL files are append-only and fsync'ed line by line; a torn last line (an
interrupted write) is cut off on the next run. A rerun reads them back: a finished turn
is never played again, and a model answer already paid for is never asked again, so an
interrupted turn resumes with only its missing calls.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codefrontier.errors import ConfigError, InputError
from codefrontier.sampling.samplefile import read_records, write_json_atomic
from codefrontier.synth.grading import AttemptResult
from codefrontier.synth.task import Rejection, SynthTask

FORMAT = "codefrontier-synth/1"


@dataclass
class TurnRecord:
    """One turn of one conversation (a seed's, or a chain's)."""

    conversation: str
    turn: int  # from 1
    instruction: str
    teacher: str  # the teacher's whole answer
    rejection: Rejection | None = None
    task: SynthTask | None = None
    answers: list[str] = field(default_factory=list)  # the student's answers, in attempt order
    attempts: list[AttemptResult] = field(default_factory=list)
    pass_rate: float | None = None
    usage: dict[str, dict[str, int]] = field(default_factory=dict)  # role -> token counts

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "conversation": self.conversation,
            "turn": self.turn,
            "instruction": self.instruction,
            "teacher": self.teacher,
            "rejection": self.rejection.to_json() if self.rejection else None,
            "task": self.task.to_json() if self.task else None,
            "pass_rate": self.pass_rate,
            "answers": self.answers,
            "attempts": [a.to_json() for a in self.attempts],
            "usage": self.usage,
        }
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TurnRecord:
        return cls(
            conversation=str(data["conversation"]),
            turn=int(data["turn"]),
            instruction=str(data["instruction"]),
            teacher=str(data["teacher"]),
            rejection=Rejection.from_json(data["rejection"]) if data.get("rejection") else None,
            task=SynthTask.from_json(data["task"]) if data.get("task") else None,
            answers=list(data.get("answers") or []),
            attempts=[
                AttemptResult(
                    index=int(a["index"]),
                    reward=a.get("reward"),
                    verdict=str(a.get("verdict", "")),
                    reason=str(a.get("reason", "")),
                    info=dict(a.get("info") or {}),
                )
                for a in data.get("attempts") or []
            ],
            pass_rate=data.get("pass_rate"),
            usage=dict(data.get("usage") or {}),
        )


class Journal:
    """The run directory: settings, cached model answers, finished turns."""

    def __init__(self, out: str | Path) -> None:
        self.out = Path(out)
        self.run_path = self.out / "run.json"
        self.calls_path = self.out / "calls.jsonl"
        self.turns_path = self.out / "turns.jsonl"
        self.calls: dict[str, dict[str, Any]] = {}
        self.turns: dict[str, list[TurnRecord]] = {}
        self._calls_fh: Any = None
        self._turns_fh: Any = None

    # -- opening ----------------------------------------------------------------------
    def open(self, settings: dict[str, Any], fixed: tuple[str, ...]) -> dict[str, Any]:
        """Start a run here or resume the one here. `fixed` names the settings a rerun
        must repeat (those that change what a turn means); the others may change (more
        turns, another endpoint for the same model). Returns the run record."""
        self.out.mkdir(parents=True, exist_ok=True)
        record: dict[str, Any] = {"format": FORMAT, "settings": settings}
        if self.run_path.exists():
            try:
                earlier = json.loads(self.run_path.read_text())
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"not valid JSON ({exc.msg}); remove it to start over", path=self.run_path
                ) from None
            old = earlier.get("settings", {})
            for key in fixed:
                if key in old and old[key] != settings.get(key):
                    raise ConfigError(
                        f"{self.out} was generated with {key}={old[key]!r}, this run asks for "
                        f"{settings.get(key)!r}; use the same value or another --out"
                    )
            record = {**earlier, "settings": {**old, **settings}}
        write_json_atomic(self.run_path, record)
        for _, data in read_records(self.calls_path, repair=True):
            self.calls[str(data["key"])] = data
        for _, data in read_records(self.turns_path, repair=True):
            turn = TurnRecord.from_json(data)
            kept = self.turns.setdefault(turn.conversation, [])
            if all(t.turn != turn.turn for t in kept):
                kept.append(turn)
        for kept in self.turns.values():
            kept.sort(key=lambda t: t.turn)
        self._calls_fh = open(self.calls_path, "ab")  # noqa: SIM115 - closed in close()
        self._turns_fh = open(self.turns_path, "ab")  # noqa: SIM115
        return record

    def close(self) -> None:
        for fh in (self._calls_fh, self._turns_fh):
            if fh is not None:
                fh.close()
        self._calls_fh = self._turns_fh = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------
    def add_call(self, key: str, text: str, usage: dict[str, int], finish_reason: str) -> None:
        record = {"key": key, "text": text, "usage": usage, "finish_reason": finish_reason}
        self.calls[key] = record
        _append(self._calls_fh, record)

    def add_turn(self, turn: TurnRecord) -> None:
        self.turns.setdefault(turn.conversation, []).append(turn)
        _append(self._turns_fh, turn.to_json())

    def all_turns(self) -> list[TurnRecord]:
        return [t for conversation in sorted(self.turns) for t in self.turns[conversation]]


def _append(fh: Any, record: dict[str, Any]) -> None:
    fh.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
    fh.flush()
    os.fsync(fh.fileno())
