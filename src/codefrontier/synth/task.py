"""The task record: one synthetic problem as the teacher wrote it and the sandbox measured
it, and the reasons a teacher's answer is rejected (docs/synth.md, "Teacher output").

A `SynthTask` holds the teacher's program, its inputs (parsed argument tuples), the
outputs computed by running `f` on them in the sandbox, and the teacher's hint message.
Every environment reads the same record; what differs is what the student is shown and
what it must answer (`codefrontier.synth.envs`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from codefrontier.sandbox import values
from codefrontier.synth.literals import decode_arguments, encode_arguments


class Reason(StrEnum):
    """Why a teacher's answer is not a problem. Each is recorded with a detail."""

    NO_F = "no_f"  # no fenced python block defining a top-level function `f`
    SYNTAX_ERROR = "syntax_error"  # the program does not parse
    OVERSIZED_PROGRAM = "oversized_program"
    PRINTS = "prints"  # the program calls print (f must return its answer)
    IMPURE = "impure"  # imports or calls outside the pure subset (files, processes, time, eval)
    MISSING_CHECKS = "missing_checks"  # fuzzing: no pre_test_f or test_f
    WRONG_INPUT_COUNT = "wrong_input_count"
    INPUT_NOT_LITERAL = "input_not_literal"
    OVERSIZED_INPUT = "oversized_input"
    DUPLICATE_INPUTS = "duplicate_inputs"
    NO_MESSAGE = "no_message"
    MESSAGE_LEAKS_CODE = "message_leaks_code"
    EXCEPTION = "exception"  # f raised (or ran out of memory) on an input
    TIMEOUT = "timeout"  # f ran past its CPU or wall-clock limit on an input
    NONDETERMINISTIC = "nondeterministic"  # two runs (the second in reverse order) differ
    UNHASHABLE_OUTPUT = "unhashable_output"  # not plain data that equals itself (objects, NaN)
    OVERSIZED_OUTPUT = "oversized_output"
    INVALID_EXAMPLE = "invalid_example"  # fuzzing: an input fails pre_test_f or test_f
    NO_ANSWER = "no_answer"  # the teacher's request failed or returned nothing
    INTERNAL = "internal"  # the sandbox failed (the judge's fault, not the teacher's)


@dataclass(frozen=True)
class Rejection:
    reason: Reason
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {"reason": self.reason.value, "detail": self.detail}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rejection:
        return cls(Reason(data["reason"]), str(data.get("detail", "")))

    def __str__(self) -> str:
        return f"{self.reason.value}: {self.detail}" if self.detail else self.reason.value


@dataclass
class Draft:
    """A teacher's answer that passed the static checks: not yet run."""

    program: str
    inputs: list[tuple[Any, ...]]
    message: str


@dataclass
class SynthTask:
    """One verified synthetic problem (what every environment builds its view from)."""

    id: str
    env: str
    program: str
    inputs: list[tuple[Any, ...]]
    outputs: list[Any]
    message: str
    meta: dict[str, Any] = field(default_factory=dict)  # seed, turn, chain, bin, ...

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "env": self.env,
            "program": self.program,
            "inputs": [encode_arguments(args) for args in self.inputs],
            "outputs": [values.encode(o) for o in self.outputs],
            "message": self.message,
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SynthTask:
        return cls(
            id=str(data["id"]),
            env=str(data["env"]),
            program=str(data["program"]),
            inputs=[decode_arguments(a) for a in data["inputs"]],
            outputs=[values.decode(o) for o in data["outputs"]],
            message=str(data.get("message", "")),
            meta=dict(data.get("meta") or {}),
        )
