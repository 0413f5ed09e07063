"""What the teacher is told: the rules of the environment and the answer format (system
message), the seed (turn 1), and at each later turn a summary of the student's attempts
with the progression rule's instruction (docs/synth.md, "The multi-turn loop")."""

from __future__ import annotations

from collections.abc import Sequence

from codefrontier.synth.envs import Environment
from codefrontier.synth.grading import AttemptResult
from codefrontier.synth.progression import Instruction, Progression
from codefrontier.synth.seeds import Seed
from codefrontier.synth.task import Rejection
from codefrontier.synth.teacher import PURE_MODULES

PROMPT_VERSION = 1
SHOWN_ATTEMPTS = 2  # solved and failed attempts shown to the teacher, each
ATTEMPT_CHARS = 1_200


def teacher_system(env: Environment, n_inputs: int = 5) -> str:
    modules = ", ".join(sorted(m for m in PURE_MODULES if not m.startswith("_")))
    return (
        "You write Python programming problems for a student model, to train it with reinforcement learning. "
        f"Environment: {env.name}. {env.teacher_task}\n\n"
        "Answer in exactly this format:\n"
        "1. The program in one ```python block: a top-level function named `f` that returns its result. It "
        "must not print, read input or files, use the clock or randomness; it may import only these modules: "
        f"{modules}. It must be deterministic: the outputs are computed by running your f on your inputs.\n"
        f"2. Exactly {n_inputs} different inputs, each in its own ```input block, written as the arguments of "
        "a call to f: several arguments separated by commas, strings quoted, each a Python literal, e.g.\n"
        "```input\n[3, 1, 2], 'abc'\n```\n"
        "3. A hint for the student in one ```message block, in words. It must not contain the code.\n"
        "Each call of f on one input must finish well within one second."
    )


def first_turn(seed: Seed, progression: Progression) -> str:
    shown = (
        f"Here is a solved programming problem for inspiration:\n\n{seed.statement}\n\nIts solution:\n"
        if seed.kind == "solved"
        else "Here is a snippet of real code for inspiration:\n"
    )
    return (
        f"{shown}\n```python\n{seed.text.rstrip()}\n```\n\n"
        "Write a problem inspired by it (it need not reuse its code). "
        + progression.text(Instruction.FIRST, None)
    )


def summary(results: Sequence[AttemptResult], answers: Sequence[str], pass_rate: float | None) -> str:
    """The student's performance on the last problem, as the teacher sees it."""
    graded = [r for r in results if r.reward is not None]
    solved = [r for r in graded if r.reward == 1.0]
    failed = [r for r in graded if r.reward != 1.0]
    parts = [
        f"The student attempted your problem {len(graded)} times and solved it {len(solved)} times "
        f"(pass rate {pass_rate:.2f})."
        if pass_rate is not None
        else "The student's attempts could not be graded."
    ]
    if solved:
        parts.append("Solved attempts:")
        parts += [_attempt(answers[r.index], "") for r in solved[:SHOWN_ATTEMPTS]]
    if failed:
        parts.append("Failed attempts, with why they failed:")
        parts += [_attempt(answers[r.index], f"{r.verdict}: {r.reason}") for r in failed[:SHOWN_ATTEMPTS]]
    return "\n\n".join(parts)


def _attempt(text: str, why: str) -> str:
    body = text.strip() or "(empty answer)"
    if len(body) > ATTEMPT_CHARS:
        body = body[:ATTEMPT_CHARS] + "\n[...]"
    return f"--- attempt{f' ({why[:300]})' if why else ''}:\n{body}"


def rejected(rejection: Rejection) -> str:
    return f"Your answer could not be used as a problem: {rejection}."


def next_turn(body: str, instruction: Instruction, pass_rate: float | None, progression: Progression) -> str:
    return f"{body}\n\n{progression.text(instruction, pass_rate)}"
