"""Deduction: predict the value `f` returns on each of the teacher's inputs.

Reward: every predicted output `ô_k` equals `o_k` as a Python value. The prediction is
graded by the judge like any function sample: the answer becomes a program whose `f`
returns the predicted value for each input (a table of literals, no computation), so the
comparison happens in the judge's process, on rebuilt values.
"""

from __future__ import annotations

from codefrontier.problems import Problem
from codefrontier.synth.envs.base import Answer, Environment, examples_problem
from codefrontier.synth.fences import blocks_tagged
from codefrontier.synth.literals import NotALiteral, call_text, parse_value, to_source
from codefrontier.synth.task import SynthTask

# Looks the arguments up with type-strict equality, so f(1) and f(True) stay apart.
TABLE_PROGRAM = """
def _synth_same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_synth_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_synth_same(a[k], b[k]) for k in a)
    return a == b


def f(*args):
    for inputs, output in _SYNTH_TABLE:
        if _synth_same(inputs, args):
            return output
    raise LookupError("no prediction for these arguments")
"""


class Deduction(Environment):
    name = "deduction"
    teacher_task = (
        "The student will see your program and your inputs and must predict, without running it, the exact "
        "value f returns on each input."
    )

    def student_prompt(self, task: SynthTask) -> str:
        calls = "\n".join(f"{k + 1}. {call_text(args)}" for k, args in enumerate(task.inputs))
        return (
            "Here is a Python program:\n\n"
            f"```python\n{task.program.rstrip()}\n```\n\n"
            f"Hint: {task.message}\n\n"
            f"Predict the exact value `f` returns on each of these {len(task.inputs)} calls:\n\n{calls}\n\n"
            f"Answer with {len(task.inputs)} ```output blocks, one per call in this order, each holding the "
            "returned value as a Python literal (e.g. `[1, 2]`, `'abc'`, `(3, None)`)."
        )

    def parse_answer(self, text: str, task: SynthTask) -> Answer:
        blocks = blocks_tagged(text, "output")
        if len(blocks) != len(task.inputs):
            return Answer(None, f"{len(blocks)} ```output blocks, {len(task.inputs)} expected")
        predicted = []
        for k, block in enumerate(blocks):
            try:
                predicted.append(parse_value(block))
            except NotALiteral as exc:
                return Answer(None, f"output {k + 1} is not a Python literal: {exc}")
        return Answer(table_program(task.inputs, predicted), info={"predicted": len(predicted)})

    def problem(self, task: SynthTask, *, time_limit_s: float = 1.0, memory_mb: int = 256) -> Problem:
        return examples_problem(self.student_prompt(task), task, time_limit_s, memory_mb)

    def correct_answer(self, task: SynthTask) -> str:
        return "\n".join(f"```output\n{to_source(out)}\n```" for out in task.outputs)


def table_program(inputs: list[tuple], outputs: list) -> str:
    rows = ",\n".join(
        f"    ({to_source(args)}, {to_source(out)})" for args, out in zip(inputs, outputs, strict=True)
    )
    return f"_SYNTH_TABLE = [\n{rows},\n]\n" + TABLE_PROGRAM
