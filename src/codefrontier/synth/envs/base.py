"""What an execution environment is: the student's view of a task, the parser of the
student's answer, and the program the judge runs to grade it (docs/synth.md,
"Environments").

Every environment grades through the judge's function problems: an answer becomes a
sample program, the environment's native problem supplies the tests, and
`codefrontier.judge` runs it in the sandbox and compares the returned values with the
expected ones in its own process (`values_equal`, the exact checker: Python equality of
the rebuilt values). So `codefrontier judge`, `validate`, `reward` and `report` work on
the problems this package writes, with the samples it writes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from codefrontier.problems import Checker, CheckerKind, Problem, ProblemKind, Solution, TestCase
from codefrontier.sandbox import values
from codefrontier.synth.literals import encode_arguments
from codefrontier.synth.task import SynthTask
from codefrontier.synth.teacher import TeacherRules

ANSWER_ENTRY = "synth_answer"  # the function the programs built from answers define
MAX_ANSWER_CHARS = 20_000


@dataclass
class Answer:
    """A student's answer read by its environment: `code` is the program to judge, or
    None when the answer could not be read (its reward is 0 and `reason` says why)."""

    code: str | None
    reason: str = ""
    info: dict[str, Any] = field(default_factory=dict)  # e.g. abduction: which inputs equal the teacher's


class Environment(ABC):
    name: ClassVar[str]
    fuzzing: ClassVar[bool] = False
    # What the teacher must write, beyond the common format (shown in its system prompt).
    teacher_task: ClassVar[str]

    def rules(self, n_inputs: int = 5) -> TeacherRules:
        return TeacherRules(n_inputs=n_inputs, fuzzing=self.fuzzing)

    @abstractmethod
    def student_prompt(self, task: SynthTask) -> str:
        """What the student sees."""

    @abstractmethod
    def parse_answer(self, text: str, task: SynthTask) -> Answer:
        """The student's answer as a program to judge (never run here)."""

    @abstractmethod
    def problem(self, task: SynthTask, *, time_limit_s: float = 1.0, memory_mb: int = 256) -> Problem:
        """The task in the native problems format (a `function` problem)."""

    def correct_answer(self, task: SynthTask) -> str | None:
        """A student answer (in the student's format) that must earn reward 1, built from
        the teacher's own data; None where the teacher's data gives none (fuzzing)."""
        return None


def function_problem(
    task: SynthTask,
    *,
    statement: str,
    entry_point: str,
    tests: list[tuple[list[Any], Any]],
    prelude: str = "",
    reference: str | None,
    time_limit_s: float,
    memory_mb: int,
) -> Problem:
    """A native function problem: tests are (typed-JSON argument list, typed-JSON
    expected value) pairs; the task record rides along in `metadata.synth.task`."""
    return Problem(
        id=task.id,
        kind=ProblemKind.FUNCTION,
        statement=statement,
        tests=[
            TestCase(id=str(k), input=args, output=values.encode(want), size=k, hidden=False)
            for k, (args, want) in enumerate(tests)
        ],
        time_limit_s=time_limit_s,
        memory_mb=memory_mb,
        checker=Checker(CheckerKind.EXACT),
        entry_point=entry_point,
        prelude=prelude,
        source="synth",
        difficulty=task.meta.get("bin"),
        solutions=[Solution("teacher", "python", reference, "AC")] if reference is not None else [],
        metadata={"synth": {**{k: v for k, v in task.meta.items() if k != "task"}, "task": task.to_json()}},
    )


def example_tests(task: SynthTask) -> list[tuple[list[Any], Any]]:
    """(arguments, output) of every example: the tests of induction and deduction."""
    return [(encode_arguments(args), out) for args, out in zip(task.inputs, task.outputs, strict=True)]


def examples_problem(statement: str, task: SynthTask, time_limit_s: float, memory_mb: int) -> Problem:
    """Induction's and deduction's problem: `f` on the examples, the teacher's `f` the reference."""
    return function_problem(
        task,
        statement=statement,
        entry_point="f",
        tests=example_tests(task),
        reference=task.program,
        time_limit_s=time_limit_s,
        memory_mb=memory_mb,
    )
