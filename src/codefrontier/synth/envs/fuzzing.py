"""Fuzzing: find an input that passes `pre_test_f` and fails `test_f`.

The teacher's program defines `f`, a precondition `pre_test_f` (True for valid inputs)
and a test `test_f` (True when `f` behaves correctly on the input); its examples are
valid inputs on which the test passes, so the teacher's data holds no failing input: the
first student attempt that finds one is kept as the problem's reference (`meta.witness`).
Reward: the student's arguments `î` give
`pre_test_f(*î) == True` and `test_f(*î) == False`. Both are called in the sandbox on the
student's literal and their returned values compared in the judge with `[True, False]`.
"""

from __future__ import annotations

from codefrontier.problems import Problem
from codefrontier.synth.envs.base import ANSWER_ENTRY, Answer, Environment, function_problem
from codefrontier.synth.fences import blocks_tagged
from codefrontier.synth.literals import NotALiteral, call_text, parse_arguments, to_source
from codefrontier.synth.task import SynthTask


class Fuzzing(Environment):
    name = "fuzzing"
    fuzzing = True
    teacher_task = (
        "Besides f, the program must define pre_test_f (same arguments as f; returns True exactly when the "
        "arguments are a valid input) and test_f (same arguments; returns True when f is correct on them, "
        "False when it is not). f must be subtly wrong on some valid inputs. Your 5 inputs are valid examples "
        "on which test_f returns True. The student will see the program and your inputs and must find valid "
        "arguments on which test_f returns False."
    )

    def student_prompt(self, task: SynthTask) -> str:
        examples = "\n".join(f"- {call_text(args)}" for args in task.inputs)
        return (
            "Here is a Python program with a function `f`, a precondition `pre_test_f` and a test `test_f`:\n\n"
            f"```python\n{task.program.rstrip()}\n```\n\n"
            f"Hint: {task.message}\n\n"
            f"Valid inputs on which the test passes:\n{examples}\n\n"
            "Find arguments on which `pre_test_f` returns True and `test_f` returns False (an input that "
            "exposes a bug in `f`). Answer with one ```input block holding the arguments as you would write "
            "them between the parentheses of the call (several arguments separated by commas, strings quoted)."
        )

    def parse_answer(self, text: str, task: SynthTask) -> Answer:
        blocks = blocks_tagged(text, "input")
        if not blocks:
            return Answer(None, "no ```input block")
        try:
            found = parse_arguments(blocks[-1])
        except NotALiteral as exc:
            return Answer(None, f"the input is not a Python literal: {exc}")
        return Answer(check_program(found))

    def problem(self, task: SynthTask, *, time_limit_s: float = 1.0, memory_mb: int = 256) -> Problem:
        return function_problem(
            task,
            statement=self.student_prompt(task),
            entry_point=ANSWER_ENTRY,
            tests=[([], [True, False])],
            prelude=task.program,
            reference=self._witness(task),
            time_limit_s=time_limit_s,
            memory_mb=memory_mb,
        )

    def _witness(self, task: SynthTask) -> str | None:
        """The reference for `validate`: the first attempt that found a failing input
        (`meta.witness`, kept by the loop); the teacher's data holds none."""
        witness = task.meta.get("witness")
        if not isinstance(witness, str):
            return None
        return self.parse_answer(witness, task).code

    def correct_answer(self, task: SynthTask) -> str | None:
        witness = task.meta.get("witness")
        return witness if isinstance(witness, str) else None


def check_program(args: tuple) -> str:
    """`synth_answer()` returns what the precondition and the test say of the arguments."""
    return (
        f"_SYNTH_INPUT = {to_source(args)}\n\n\n"
        f"def {ANSWER_ENTRY}():\n"
        "    return [pre_test_f(*_SYNTH_INPUT), test_f(*_SYNTH_INPUT)]\n"
    )
