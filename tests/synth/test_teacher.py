"""The teacher's answer format: every rejection reason, each with its detail recorded.
Static reasons are decided by parsing alone; the others by running f in the sandbox."""

from __future__ import annotations

import pytest

from codefrontier.synth.task import Draft, Reason, Rejection
from codefrontier.synth.teacher import TeacherRules, parse_teacher_answer

GOOD_PROGRAM = "def f(xs, k):\n    return sorted(xs)[:k]\n"
GOOD_INPUTS = ["[3, 1, 2], 2", "[5], 1", "[], 0", "[9, 8, 7], 3", "[1, 1], 1"]


def answer(
    program: str = GOOD_PROGRAM, inputs: list[str] = GOOD_INPUTS, message: str | None = "Order first."
) -> str:
    parts = [f"```python\n{program}```"] + [f"```input\n{i}\n```" for i in inputs]
    if message is not None:
        parts.append(f"```message\n{message}\n```")
    return "Here is my problem.\n\n" + "\n\n".join(parts)


def reason(text: str, rules: TeacherRules | None = None) -> Reason:
    parsed = parse_teacher_answer(text, rules)
    assert isinstance(parsed, Rejection), parsed
    assert parsed.detail  # every rejection says what exactly was wrong
    return parsed.reason


def test_a_well_formed_answer_parses_into_program_inputs_and_message():
    draft = parse_teacher_answer(answer(inputs=[*GOOD_INPUTS[:4], "'a, b', 2"]))
    assert isinstance(draft, Draft)
    assert draft.inputs[0] == ([3, 1, 2], 2) and draft.inputs[4] == ("a, b", 2)  # strings quoted
    assert draft.message == "Order first."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sort the list, then keep the first k elements.", Reason.NO_F),
        (answer(program="def g(x):\n    return x\n"), Reason.NO_F),
        (answer(program="def f(x:\n    return x\n"), Reason.SYNTAX_ERROR),
        (answer(program="def f(x):\n    print(x)\n    return x\n"), Reason.PRINTS),
        (answer(program="import os\n\ndef f(x):\n    return os.getpid()\n"), Reason.IMPURE),
        (answer(program="import time\n\ndef f(x):\n    time.sleep(9)\n    return x\n"), Reason.IMPURE),
        (answer(program="def f(x):\n    return open('/etc/hostname').read()\n"), Reason.IMPURE),
        (answer(program="def f(x):\n    return x\n" + "# pad\n" * 4000), Reason.OVERSIZED_PROGRAM),
        (answer(inputs=GOOD_INPUTS[:4]), Reason.WRONG_INPUT_COUNT),
        (answer(inputs=[*GOOD_INPUTS, "[2], 1"]), Reason.WRONG_INPUT_COUNT),
        (answer(inputs=[*GOOD_INPUTS[:4], "sorted([1])"]), Reason.INPUT_NOT_LITERAL),
        (answer(inputs=[*GOOD_INPUTS[:4], "[1, 2"]), Reason.INPUT_NOT_LITERAL),
        (answer(inputs=[*GOOD_INPUTS[:4], "[" + "1, " * 1500 + "1], 1"]), Reason.OVERSIZED_INPUT),
        (answer(inputs=["[1], 1"] * 5), Reason.DUPLICATE_INPUTS),
        (answer(message=None), Reason.NO_MESSAGE),
        (answer(message="   "), Reason.NO_MESSAGE),
        (answer(message="Just do: def f(xs, k): return sorted(xs)[:k]"), Reason.MESSAGE_LEAKS_CODE),
        (answer(message="It is `return sorted(xs)[:k]` basically."), Reason.MESSAGE_LEAKS_CODE),
        (answer(message="```python\nsorted\n```"), Reason.MESSAGE_LEAKS_CODE),
    ],
)
def test_a_static_rejection_names_its_reason(text, expected):
    assert reason(text) is expected


def test_fuzzing_needs_the_precondition_and_the_test():
    assert reason(answer(), TeacherRules(fuzzing=True)) is Reason.MISSING_CHECKS


def test_integers_and_booleans_are_different_inputs():
    draft = parse_teacher_answer(answer(inputs=["1", "True", "1.0", "'1'", "(1,)"]))
    assert isinstance(draft, Draft)


def outputs(runner, program: str, inputs: list[str] = GOOD_INPUTS, fuzzing: bool = False):
    draft = parse_teacher_answer(answer(program=program, inputs=inputs), TeacherRules(fuzzing=fuzzing))
    assert isinstance(draft, Draft), draft
    return runner.outputs(draft, fuzzing=fuzzing)


def test_outputs_are_computed_by_running_f_in_the_sandbox(runner):
    assert outputs(runner, GOOD_PROGRAM) == [[1, 2], [5], [], [7, 8, 9], [1]]


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        (
            "def f(xs, k):\n    return xs[k]\n",
            Reason.EXCEPTION,
        ),  # IndexError: [3, 1, 2][2] is fine, [5][1] is not
        ("def f(xs, k):\n    return [0] * (10 ** 10)\n", Reason.EXCEPTION),  # MemoryError
        ("def f(xs, k):\n    while True:\n        pass\n", Reason.TIMEOUT),
        (
            "_seen = []\n\ndef f(xs, k):\n    _seen.append(k)\n    return len(_seen)\n",
            Reason.NONDETERMINISTIC,
        ),
        ("def f(xs, k):\n    return id(object()) % 1000 + len(xs)\n", Reason.NONDETERMINISTIC),
        (
            "def f(xs, k):\n    return list({'apple', 'banana', 'cherry', 'date', 'elder', 'fig'})\n",
            Reason.NONDETERMINISTIC,
        ),
        ("def f(xs, k):\n    return object()\n", Reason.UNHASHABLE_OUTPUT),
        ("def f(xs, k):\n    return (lambda: k)\n", Reason.UNHASHABLE_OUTPUT),
        ("def f(xs, k):\n    return 'x' * 5000\n", Reason.OVERSIZED_OUTPUT),
    ],
)
def test_a_dynamic_rejection_names_its_reason(runner, program, expected):
    rejected = outputs(runner, program)
    assert isinstance(rejected, Rejection) and rejected.reason is expected, rejected


def test_a_nan_output_is_a_value_the_judge_accepts(runner):
    # The judge's comparison takes NaN as equal to NaN (docs/verdicts.md), so a task
    # whose answer holds a NaN can be passed and is not rejected.
    got = outputs(runner, "def f(xs, k):\n    return [float('nan')]\n")
    assert isinstance(got, list) and len(got) == 5
    assert all(len(v) == 1 and v[0] != v[0] for v in got)


def test_fuzzing_examples_must_be_valid_and_pass_the_test(runner):
    checks = "\n\ndef pre_test_f(xs, k):\n    return k <= len(xs)\n\n\ndef test_f(xs, k):\n    return len(xs) != 3\n"
    rejected = outputs(runner, GOOD_PROGRAM + checks, fuzzing=True)  # [9, 8, 7], 3 fails test_f
    assert isinstance(rejected, Rejection) and rejected.reason is Reason.INVALID_EXAMPLE
    passing = checks.replace("len(xs) != 3", "len(xs) < 9")
    assert outputs(runner, GOOD_PROGRAM + passing, fuzzing=True) == [[1, 2], [5], [], [7, 8, 9], [1]]
