"""The progression rule: what the teacher is asked at the next turn, from the pass rate
the student reached on its last problem (docs/synth.md, "The multi-turn loop").

    p > 0.65        -> HARDER  (the student finds it too easy)
    p == 0          -> EASIER  (no attempt passed: no learning signal)
    otherwise       -> AIM     (tune it into the 0.35-0.65 band, or vary it within)
    rejected / None -> FIX     (the answer was not a usable problem)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Instruction(StrEnum):
    FIRST = "first"
    HARDER = "harder"
    EASIER = "easier"
    AIM = "aim"
    FIX = "fix"


@dataclass(frozen=True)
class Progression:
    harder_above: float = 0.65
    target_low: float = 0.35
    target_high: float = 0.65

    def next(self, pass_rate: float | None) -> Instruction:
        if pass_rate is None:
            return Instruction.FIX
        if pass_rate > self.harder_above:
            return Instruction.HARDER
        if pass_rate == 0:
            return Instruction.EASIER
        return Instruction.AIM

    def text(self, instruction: Instruction, pass_rate: float | None) -> str:
        band = f"{self.target_low:.2f}-{self.target_high:.2f}"
        if instruction is Instruction.HARDER:
            return (
                "This was too easy for the student. Write a harder variant of the problem (more steps, subtler "
                f"logic, trickier inputs), aiming at a pass rate of {band}."
            )
        if instruction is Instruction.EASIER:
            return (
                "No attempt passed: this was too hard. Write an easier variant of the problem (fewer steps, "
                f"clearer inputs, a more helpful message), aiming at a pass rate of {band}."
            )
        if instruction is Instruction.AIM:
            if pass_rate is not None and pass_rate < self.target_low:
                return (
                    f"This was a little too hard. Make it slightly easier, aiming at a pass rate of {band}."
                )
            return (
                f"The difficulty is about right (target {band}). Write a new variant of the problem at a similar "
                "difficulty, changing the task enough that it is not the same problem."
            )
        if instruction is Instruction.FIX:
            return "Write the problem again, following the required format exactly."
        return f"Write a first problem, aiming at a pass rate of {band}."


DEFAULT_PROGRESSION = Progression()
