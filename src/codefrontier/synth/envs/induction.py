"""Induction: write `f` from input/output examples and the teacher's hint.

Reward: the student's `f̂` returns `o_k` for every example input `i_k` (all of them),
judged as a function problem whose tests are the examples.
"""

from __future__ import annotations

from codefrontier.judge import extract_program
from codefrontier.problems import Problem
from codefrontier.synth.envs.base import MAX_ANSWER_CHARS, Answer, Environment, examples_problem
from codefrontier.synth.literals import call_text, to_source
from codefrontier.synth.task import SynthTask


class Induction(Environment):
    name = "induction"
    teacher_task = (
        "The student will see only your inputs, the outputs f returns on them, and your message, "
        "and must write a function f that returns the same output on every one of your inputs."
    )

    def student_prompt(self, task: SynthTask) -> str:
        pairs = "\n".join(
            f"{call_text(args)} == {to_source(out)}"
            for args, out in zip(task.inputs, task.outputs, strict=True)
        )
        return (
            "Write a Python function `f` that returns these outputs on these inputs:\n\n"
            f"{pairs}\n\n"
            f"Hint: {task.message}\n\n"
            "Answer with the function in a ```python block. It must return its result (not print it) and use "
            "only the standard library."
        )

    def parse_answer(self, text: str, task: SynthTask) -> Answer:
        code, _ = extract_program(text, "python")
        if not code.strip():
            return Answer(None, "empty answer")
        if len(code) > MAX_ANSWER_CHARS:
            return Answer(None, f"the program is over {MAX_ANSWER_CHARS} characters")
        return Answer(code)

    def problem(self, task: SynthTask, *, time_limit_s: float = 1.0, memory_mb: int = 256) -> Problem:
        return examples_problem(self.student_prompt(task), task, time_limit_s, memory_mb)

    def correct_answer(self, task: SynthTask) -> str:
        return f"```python\n{task.program.rstrip()}\n```"
