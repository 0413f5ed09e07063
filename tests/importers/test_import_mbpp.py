"""MBPP importer: original and sanitized layouts, assert tests, entry point from the asserts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_helpers import FIXTURES, problems_by_id

from codefrontier.contracts import ProblemKind
from codefrontier.errors import InputError
from codefrontier.problems.importers import import_dataset, mbpp
from codefrontier.problems.importers._common import RecordError
from codefrontier.problems.io import load_problems, save_problems

MBPP = FIXTURES / "mbpp.jsonl"
SANITIZED = FIXTURES / "sanitized-mbpp.json"


def _by_id(path: Path = MBPP) -> dict:
    return problems_by_id("mbpp", path)


def test_each_assert_is_one_test_of_an_assert_problem() -> None:
    p = _by_id()["901"]
    assert p.kind is ProblemKind.ASSERT and p.entry_point == "count_vowels"
    assert [(t.id, t.input, t.output, t.hidden) for t in p.tests] == [
        ("0", 'assert count_vowels("hello") == 2', None, False),
        ("1", 'assert count_vowels("xyz") == 0', None, False),
        ("2", 'assert count_vowels("AEIOU") == 5', None, False),
    ]
    assert p.tests[0].size == len('assert count_vowels("hello") == 2')
    assert p.statement.startswith("Write a function to count the vowels in a given string.\n")
    assert 'assert count_vowels("AEIOU") == 5' in p.statement  # the tests name the function
    assert (p.time_limit_s, p.memory_mb, p.source) == (3.0, 1024, "mbpp")


def test_reference_code_becomes_the_ac_solution_with_unix_newlines() -> None:
    p = _by_id()["901"]
    assert [(s.name, s.language, s.expected) for s in p.solutions] == [("reference", "python", "AC")]
    assert "\r" not in p.solutions[0].code and p.solutions[0].code.startswith("def count_vowels(s):\n")


def test_entry_point_is_the_tested_function_not_a_helper_or_builtin() -> None:
    problems = _by_id()
    assert problems["902"].entry_point == "circle_area"  # not math.isclose
    assert problems["903"].entry_point == "shared_items"  # not set


def test_setup_code_runs_before_each_assert_and_challenge_tests_are_kept_aside() -> None:
    problems = _by_id()
    # MBPP execs code, test_setup_code and the asserts in one namespace: the setup is
    # part of each test's code, and its imports are the prelude the solution sees too.
    assert [t.input for t in problems["902"].tests][0] == (
        "import math\nassert math.isclose(circle_area(1), 3.141592653589793)"
    )
    assert problems["902"].prelude == "import math\n" and problems["901"].prelude == ""
    assert problems["902"].metadata["challenge_test_list"] == [
        "assert math.isclose(circle_area(10), 314.1592653589793)"
    ]
    assert len(problems["902"].tests) == 3


def test_setup_code_that_builds_objects_stays_in_the_tests_only(tmp_path: Path) -> None:
    record = {
        "task_id": 7,
        "text": "Height of a tree.",
        "code": "class Node:\n    def __init__(self, d):\n        self.left = None\ndef height(n):\n    return 0",
        "test_setup_code": "import math\nroot = Node(1)\nroot.left = Node(2)",
        "test_list": ["assert height(root) == 2"],
        "challenge_test_list": [],
    }
    path = tmp_path / "mbpp.jsonl"
    path.write_text(json.dumps(record) + "\n")
    (problem,) = import_dataset("mbpp", path).problems
    assert problem.prelude == "import math\n"  # the solution may not see `root`: only the imports
    assert (
        problem.tests[0].input == "import math\nroot = Node(1)\nroot.left = Node(2)\nassert height(root) == 2"
    )
    assert problem.entry_point == "height"


def test_sanitized_json_array_layout() -> None:
    problems = _by_id(SANITIZED)
    assert list(problems) == ["901", "902"]
    assert problems["901"].statement.startswith("Write a function to count the vowels (a, e, i, o, u")
    assert problems["902"].prelude == "import math\n"
    assert problems["902"].entry_point == "circle_area"
    assert problems["902"].metadata["source_file"] == "Benchmark Questions Verification V2.ipynb"


@pytest.mark.parametrize("path", [MBPP, SANITIZED])
def test_native_jsonl_round_trip_is_lossless(path: Path, tmp_path: Path) -> None:
    problems = import_dataset("mbpp", path).problems
    save_problems(tmp_path / "native.jsonl", problems)
    assert load_problems(tmp_path / "native.jsonl") == problems


def test_entry_point_without_reference_code_is_the_only_non_builtin_called() -> None:
    assert mbpp.find_entry_point(["assert len(f(1)) == 2", "assert f(2) == [1]"], "") == "f"


def test_ambiguous_entry_point_is_an_error() -> None:
    with pytest.raises(RecordError, match="cannot tell which function"):
        mbpp.find_entry_point(["assert f(1) == g(1)"], "")


def test_assert_that_is_not_python_is_an_error(tmp_path: Path) -> None:
    record = json.loads(MBPP.read_text().splitlines()[0])
    record["test_list"][1] = "assert count_vowels(== 0"
    (tmp_path / "bad.jsonl").write_text(json.dumps(record) + "\n")
    with pytest.raises(InputError, match="not valid Python") as info:
        import_dataset("mbpp", tmp_path / "bad.jsonl")
    assert info.value.field == "test_list[1]" and "record '901'" in str(info.value)


def test_record_without_tests_is_an_error(tmp_path: Path) -> None:
    record = json.loads(MBPP.read_text().splitlines()[0])
    record["test_list"] = []
    (tmp_path / "bad.jsonl").write_text(json.dumps(record) + "\n")
    with pytest.raises(InputError, match="no tests") as info:
        import_dataset("mbpp", tmp_path / "bad.jsonl")
    assert info.value.field == "test_list"
