"""Program extraction from model answers, typed JSON across the sandbox, output comparison."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codefrontier.contracts import Checker, CheckerKind, Problem, ProblemKind, TestCase
from codefrontier.errors import InputError, UnknownProblemError
from codefrontier.judge.compare import compare_output, tokens_equal, values_equal
from codefrontier.judge.samples import CompletionMode, extract_program, sample_from_json
from codefrontier.sandbox.runtime import values


def test_the_last_block_in_the_language_is_the_program():
    text = "First try:\n```python\nprint(1)\n```\nC++:\n```cpp\nint main(){}\n```\nFinal:\n```py\nprint(2)\n```\n"
    assert extract_program(text, "python") == ("print(2)\n", True)
    assert extract_program(text, "cpp") == ("int main(){}\n", True)


def test_untagged_blocks_are_taken_when_no_block_names_the_language():
    assert extract_program("```\nx = 1\n```\n```java\nclass A{}\n```", "python") == ("x = 1\n", True)
    assert extract_program("print(3)", "python") == ("print(3)", False)


PROBLEM = Problem(
    id="p", kind=ProblemKind.FUNCTION, statement="def f(x):\n", tests=[TestCase("0", [1], 1)], entry_point="f"
)


def test_completion_mode_append_continues_the_prompt():
    sample = sample_from_json(
        {"task_id": "p", "completion": "    return x\n"}, {"p": PROBLEM}, mode=CompletionMode.APPEND
    )
    assert (
        sample.code == "def f(x):\n    return x\n" and sample.raw == "    return x\n" and not sample.extracted
    )


def test_samples_written_by_the_sampler_keep_their_extraction_record():
    answer = "Here:\n```python\ndef f(x):\n    return x\n```\n"
    record = {"problem_id": "p", "code": "def f(x):\n    return x\n", "raw": answer, "extracted": True}
    sample = sample_from_json(record, {"p": PROBLEM})
    assert (sample.code, sample.extracted, sample.raw) == (record["code"], True, answer)


def test_sample_errors_name_the_field():
    with pytest.raises(UnknownProblemError, match="problem_id"):
        sample_from_json({"problem_id": "nope", "code": ""}, {"p": PROBLEM})
    with pytest.raises(InputError, match="language"):
        sample_from_json({"problem_id": "p", "code": "", "language": "cobol"}, {"p": PROBLEM})
    with pytest.raises(InputError, match="cpp cannot be judged on function"):
        sample_from_json({"problem_id": "p", "code": "", "language": "cpp"}, {"p": PROBLEM})


plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text() | st.binary(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
        | st.dictionaries(st.integers(), inner, max_size=3)
        | st.frozensets(st.integers(), max_size=4)
    ),
    max_leaves=20,
)


@given(plain)
def test_typed_json_round_trips_plain_python_data(value):
    assert values.loads(values.dumps(value)) == value


def test_typed_json_keeps_special_floats_and_rejects_objects():
    assert math.isnan(values.loads(values.dumps(float("nan"))))
    assert values.loads(values.dumps([float("inf"), {"__tuple__": 1}])) == [float("inf"), {"__tuple__": 1}]

    class AlwaysEqual:
        def __eq__(self, other):
            return True

    with pytest.raises(values.UnsupportedValue):
        values.dumps(AlwaysEqual())


def test_subclasses_cross_as_their_base_values_so_forged_eq_cannot():
    class Sneaky(int):
        def __eq__(self, other):
            return True

    decoded = values.loads(values.dumps(Sneaky(3)))
    assert type(decoded) is int and decoded == 3 and decoded != 4


def test_function_results_compare_as_json_unless_exact():
    assert values_equal(Checker(CheckerKind.TOKENS), (1, 2), [1, 2])
    assert not values_equal(Checker(CheckerKind.EXACT), (1, 2), [1, 2])
    assert values_equal(Checker(CheckerKind.FLOAT, abs_tol=1e-6), [0.1 + 0.2], [0.3])
    assert not values_equal(Checker(CheckerKind.TOKENS), [0.1 + 0.2], [0.3])


def test_stdio_checkers():
    assert compare_output(Checker(CheckerKind.TOKENS), b"1  2\n3", b"1 2 3\n")[0]
    ok, reason = compare_output(Checker(CheckerKind.TOKENS), b"1 2 4", b"1 2 3")
    assert not ok and "token 3" in reason
    assert compare_output(Checker(CheckerKind.EXACT), b"a b\n", b"a b")[0]
    assert not compare_output(Checker(CheckerKind.EXACT), b"a  b\n", b"a b\n")[0]
    assert compare_output(Checker(CheckerKind.FLOAT, abs_tol=1e-6), b"0.3333333", b"0.33333333")[0]
    assert not compare_output(
        Checker(CheckerKind.FLOAT, abs_tol=1e-9, rel_tol=1e-9), b"0.3333", b"0.33333333"
    )[0]


def test_token_comparison_of_large_outputs_streams_in_chunks():
    big = b" ".join(str(i).encode() for i in range(1_500_000))
    assert len(big) > 4 << 20
    assert tokens_equal(big.replace(b" ", b"\n"), big)
    assert not tokens_equal(big + b" 1", big)
