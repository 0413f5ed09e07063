"""Each environment's reward, computed by execution in the sandbox, on hand-made correct
and wrong answers; values are compared in the judge, never inside the untrusted process."""

from __future__ import annotations

import pytest

from codefrontier.synth.envs import ENVIRONMENTS, get_environment
from codefrontier.synth.task import SynthTask

PROGRAM = "def f(xs, k):\n    return sorted(xs)[:k]\n"
FUZZ = (
    PROGRAM
    + "\n\ndef pre_test_f(xs, k):\n    return isinstance(k, int) and 0 <= k <= len(xs)\n"
    + "\n\ndef test_f(xs, k):\n    return len(xs) < 4\n"
)
INPUTS = [([3, 1, 2], 2), ([5], 1), ([], 0), ([9, 8, 7], 3), ([1, 1], 1)]
OUTPUTS = [sorted(xs)[:k] for xs, k in INPUTS]


def task(env: str) -> SynthTask:
    return SynthTask(
        f"t-{env}", env, FUZZ if env == "fuzzing" else PROGRAM, INPUTS, OUTPUTS, "sort, then cut"
    )


def rewards(grader, env: str, answers: list[str]) -> list[float | None]:
    return [r.reward for r in grader.grade(task(env), answers)]


def outputs_block(values: list[str]) -> str:
    return "\n".join(f"```output\n{v}\n```" for v in values)


def inputs_block(values: list[str]) -> str:
    return "\n".join(f"```input\n{v}\n```" for v in values)


def test_induction_rewards_a_program_that_matches_every_example(grader):
    right = "```python\ndef f(a, n):\n    return sorted(a)[:n]\n```"
    wrong = "```python\ndef f(a, n):\n    return a[:n]\n```"  # right on 3 of 5 examples
    crash = "```python\ndef f(a, n):\n    return a[n]\n```"
    assert rewards(grader, "induction", [right, wrong, crash, "no code here, sorry"]) == [1.0, 0.0, 0.0, 0.0]


def test_induction_gives_nothing_for_an_object_that_claims_equality(grader):
    forged = (
        "```python\nclass Yes(list):\n    def __eq__(self, other):\n        return True\n\n"
        "def f(a, n):\n    return Yes([0])\n```"
    )
    hostile = "```python\nimport builtins\nbuiltins.sorted = lambda *a: []\ndef f(a, n):\n    return []\n```"
    assert rewards(grader, "induction", [forged, hostile]) == [0.0, 0.0]


def test_deduction_rewards_predictions_equal_as_values(grader):
    right = outputs_block(["[1, 2]", "[5]", "[]", "[7, 8, 9]", "[1]"])
    spaced = outputs_block(["[ 1,2 ]", "[5,]", "list()", "[7, 8, 9]", "[1]"])  # not literal: list()
    as_tuple = outputs_block(["(1, 2)", "[5]", "[]", "[7, 8, 9]", "[1]"])  # a tuple is not a list
    off = outputs_block(["[1, 2]", "[5]", "[]", "[9, 8, 7]", "[1]"])
    too_few = outputs_block(["[1, 2]"])
    assert rewards(grader, "deduction", [right, spaced, as_tuple, off, too_few]) == [1.0, 0.0, 0.0, 0.0, 0.0]


def test_abduction_rewards_inputs_that_give_the_outputs_and_records_whether_they_are_the_teachers(grader):
    teachers = inputs_block(["[3, 1, 2], 2", "[5], 1", "[], 0", "[9, 8, 7], 3", "[1, 1], 1"])
    others = inputs_block(["[2, 1], 2", "[5, 6], 1", "[4], 0", "[7, 9, 8, 10], 3", "[1], 1"])
    wrong = inputs_block(["[2, 1], 1", "[5, 6], 1", "[4], 0", "[7, 9, 8, 10], 3", "[1], 1"])
    results = grader.grade(task("abduction"), [teachers, others, wrong, inputs_block(["1, 2, 3"] * 5)])
    assert [r.reward for r in results] == [1.0, 1.0, 0.0, 0.0]  # the last one makes f raise
    assert results[0].info["same_as_teacher"] == [True] * 5
    assert results[1].info["same_as_teacher"] == [False] * 5


def test_fuzzing_rewards_a_valid_input_on_which_the_test_fails(grader):
    found = inputs_block(["[4, 3, 2, 1], 2"])
    passes_test = inputs_block(["[4, 3], 2"])
    invalid = inputs_block(["[4, 3, 2, 1], 9"])  # pre_test_f is False
    assert rewards(grader, "fuzzing", [found, passes_test, invalid, "```input\nnot a literal(\n```"]) == [
        1.0,
        0.0,
        0.0,
        0.0,
    ]


@pytest.mark.parametrize("env", sorted(set(ENVIRONMENTS) - {"fuzzing"}))
def test_the_teachers_own_answer_earns_the_reward(grader, env):
    answer = get_environment(env).correct_answer(task(env))
    assert answer is not None and rewards(grader, env, [answer]) == [1.0]


def test_the_native_problem_of_each_environment_is_a_function_problem_with_the_task_inside():
    for env in ENVIRONMENTS.values():
        problem = env.problem(task(env.name))
        assert problem.kind.value == "function" and problem.id == f"t-{env.name}"
        assert problem.metadata["synth"]["task"]["program"] == task(env.name).program
    induction = get_environment("induction").problem(task("induction"))
    assert [t.input for t in induction.tests][0] == [[3, 1, 2], 2] and induction.tests[0].output == [1, 2]
