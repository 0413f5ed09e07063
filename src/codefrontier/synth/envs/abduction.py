"""Abduction: find inputs on which `f` returns given outputs.

Reward: for every output `o_k`, the student's arguments `î_k` make `f(*î_k) == o_k`
(compared in the judge as values). Whether `î_k` equals the teacher's own `i_k` is
recorded, not rewarded. The answer becomes a program that calls the teacher's `f` (the
problem's prelude) on the student's literals; `f` runs in the sandbox, its returned value
is compared in the judge.
"""

from __future__ import annotations

from codefrontier.problems import Problem
from codefrontier.synth.envs.base import ANSWER_ENTRY, Answer, Environment, function_problem
from codefrontier.synth.fences import blocks_tagged
from codefrontier.synth.literals import NotALiteral, arguments_text, parse_arguments, same_value, to_source
from codefrontier.synth.task import SynthTask


class Abduction(Environment):
    name = "abduction"
    teacher_task = (
        "The student will see your program and the outputs f returns on your inputs (not the inputs) and "
        "must find, for each output, arguments on which f returns exactly that output."
    )

    def student_prompt(self, task: SynthTask) -> str:
        outs = "\n".join(f"{k + 1}. {to_source(out)}" for k, out in enumerate(task.outputs))
        return (
            "Here is a Python program:\n\n"
            f"```python\n{task.program.rstrip()}\n```\n\n"
            f"Hint: {task.message}\n\n"
            f"For each of these {len(task.outputs)} values, find arguments on which `f` returns exactly that "
            f"value:\n\n{outs}\n\n"
            f"Answer with {len(task.outputs)} ```input blocks, one per value in this order, each holding the "
            "arguments of the call as you would write them between the parentheses (several arguments "
            "separated by commas, strings quoted), e.g. `[3, 1, 2], 'abc'`."
        )

    def parse_answer(self, text: str, task: SynthTask) -> Answer:
        blocks = blocks_tagged(text, "input")
        if len(blocks) != len(task.outputs):
            return Answer(None, f"{len(blocks)} ```input blocks, {len(task.outputs)} expected")
        found = []
        for k, block in enumerate(blocks):
            try:
                found.append(parse_arguments(block))
            except NotALiteral as exc:
                return Answer(None, f"input {k + 1} is not a Python literal: {exc}")
        same = [same_value(got, want) for got, want in zip(found, task.inputs, strict=True)]
        return Answer(calls_program(found), info={"same_as_teacher": same})

    def problem(self, task: SynthTask, *, time_limit_s: float = 1.0, memory_mb: int = 256) -> Problem:
        return function_problem(
            task,
            statement=self.student_prompt(task),
            entry_point=ANSWER_ENTRY,
            tests=[([k], out) for k, out in enumerate(task.outputs)],
            prelude=task.program,
            reference=calls_program(task.inputs),
            time_limit_s=time_limit_s,
            memory_mb=memory_mb,
        )

    def correct_answer(self, task: SynthTask) -> str:
        return "\n".join(f"```input\n{arguments_text(args)}\n```" for args in task.inputs)


def calls_program(inputs: list[tuple]) -> str:
    """`synth_answer(k)` calls the teacher's f (defined by the prelude) on the k-th arguments."""
    rows = ",\n".join(f"    {to_source(args)}" for args in inputs)
    return f"_SYNTH_INPUTS = [\n{rows},\n]\n\n\ndef {ANSWER_ENTRY}(k):\n    return f(*_SYNTH_INPUTS[k])\n"
