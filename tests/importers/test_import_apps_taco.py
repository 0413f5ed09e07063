"""APPS and TACO importers: stdio tests (strings or lists of lines), call-based tests and
the wrapped-output convention, TACO's limits and tags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_helpers import FIXTURES, problems_by_id, read_records, write_records

from codefrontier.contracts import ProblemKind
from codefrontier.errors import InputError
from codefrontier.problems.importers import apps, import_dataset
from codefrontier.problems.io import load_problems, save_problems

APPS = FIXTURES / "apps.jsonl"
TACO = FIXTURES / "taco.jsonl"


def test_apps_stdio_problem_has_hidden_text_tests_and_the_evaluator_header() -> None:
    p = problems_by_id("apps", APPS)["0"]
    assert p.kind is ProblemKind.STDIO and p.entry_point is None
    assert [(t.id, t.input, t.output, t.hidden) for t in p.tests] == [
        ("0", "abc\n", "cba\n", True),
        ("1", "racecar\n", "racecar\n", True),
        ("2", "ab\n", "ba\n", True),
    ]
    assert p.prelude == apps.APPS_PRELUDE and "numpy" not in p.prelude
    assert (p.time_limit_s, p.memory_mb, p.difficulty, p.source) == (4.0, 1024, "introductory", "apps")
    assert p.metadata["url"] == "https://example.org/apps/reverse-string"
    assert [(s.name, s.language, s.expected) for s in p.solutions] == [("solution-0", "python", "AC")]


def test_tests_stored_as_lists_of_lines_are_joined_with_newlines() -> None:
    p = problems_by_id("apps", APPS)["1"]
    assert [(t.input, t.output) for t in p.tests] == [("2\n1 2", "3"), ("3\n1 1 1", "3")]


def test_wrapped_call_based_outputs_are_unwrapped() -> None:
    p = problems_by_id("apps", APPS)["2"]
    assert p.kind is ProblemKind.FUNCTION and p.entry_point == "digit_sum"
    assert [(t.input, t.output) for t in p.tests] == [([123], 6), ([0], 0), ([9001], 10)]
    assert p.metadata["outputs_unwrapped"] is True
    assert p.tests[0].size == len("[123]")


def test_outputs_of_a_problem_that_does_not_wrap_are_kept_as_stored() -> None:
    p = problems_by_id("apps", APPS)["3"]
    assert p.entry_point == "Solution.runningSum"
    assert [t.output for t in p.tests] == [[1, 3, 6], [5], [2, 2]]  # [5] is a list return value
    assert p.metadata["outputs_unwrapped"] is False


@pytest.mark.parametrize(
    ("outputs", "expected", "unwrapped"),
    [
        ([[1], [2]], [1, 2], True),
        ([[[1, 2]], [[]]], [[1, 2], []], True),
        ([[1, 2], [3]], [[1, 2], [3]], False),
        ([1, [2]], [1, [2]], False),
        ([[]], [[]], False),
    ],
)
def test_unwrapping_is_all_or_nothing_per_problem(outputs: list, expected: list, unwrapped: bool) -> None:
    assert apps._unwrap_outputs(outputs) == (expected, unwrapped)


def test_int_keyed_dicts_cannot_be_expressed_and_are_an_error(tmp_path: Path) -> None:
    records = read_records(APPS)
    records[2]["input_output"] = json.dumps(
        {"inputs": [[1]], "outputs": [[{"1": 2}]], "fn_name": "digit_sum"}
    )
    with pytest.raises(InputError, match="converts to int") as info:
        import_dataset("apps", write_records(tmp_path / "bad.jsonl", records))
    assert info.value.field == "input_output.outputs[0]" and info.value.line == 3


def test_apps_record_without_tests_is_an_error(tmp_path: Path) -> None:
    records = read_records(APPS)
    records[1]["input_output"] = ""
    with pytest.raises(InputError, match="no tests") as info:
        import_dataset("apps", write_records(tmp_path / "bad.jsonl", records))
    assert (info.value.line, info.value.field) == (2, "input_output") and "record '1'" in str(info.value)


def test_apps_tests_that_do_not_decode_are_an_error(tmp_path: Path) -> None:
    records = read_records(APPS)
    records[0]["input_output"] = '{"inputs": ["1\\n"], "outputs": '
    with pytest.raises(InputError, match="does not decode as JSON"):
        import_dataset("apps", write_records(tmp_path / "bad.jsonl", records))


def test_call_based_input_that_is_not_an_argument_list_is_an_error(tmp_path: Path) -> None:
    records = read_records(APPS)
    records[2]["input_output"] = json.dumps({"inputs": [5], "outputs": [[5]], "fn_name": "digit_sum"})
    with pytest.raises(InputError, match="must be a list of arguments"):
        import_dataset("apps", write_records(tmp_path / "bad.jsonl", records))


def test_taco_ids_are_positions_and_limits_come_from_the_record() -> None:
    problems = import_dataset("taco", TACO).problems
    assert [p.id for p in problems] == ["0", "1", "2"]
    first = problems[0]
    assert (first.time_limit_s, first.memory_mb) == (2.0, 256)
    assert first.limits_note == "time limit '2 seconds' from TACO; memory limit '256 megabytes' from TACO"
    assert (
        first.metadata["raw_tags"] == ["math", "implementation"]
        and first.metadata["platform"] == "codeforces"
    )
    assert first.metadata["name"] == "Twice the Larger" and first.source == "taco"


def test_taco_without_limits_uses_the_evaluator_timeout() -> None:
    p = import_dataset("taco", TACO).problems[1]
    assert (p.time_limit_s, p.memory_mb) == (4.0, 1024)
    assert "no usable time limit" in p.limits_note
    assert p.entry_point == "Solution.sumOfSquares"  # GeeksforGeeks' `class Solution` starter
    assert [t.output for t in p.tests] == [14, 1, 385]
    assert p.metadata["Expected Time Complexity"] == "O(N)"


def test_taco_wrapped_list_return_values_unwrap_to_lists() -> None:
    p = import_dataset("taco", TACO).problems[2]
    assert p.entry_point == "double_list"
    assert [(t.input, t.output) for t in p.tests] == [([[1, 2]], [2, 4]), ([[]], []), ([[-3]], [-6])]


def test_taco_ids_continue_across_the_shards_of_a_directory(tmp_path: Path) -> None:
    records = read_records(TACO)
    write_records(tmp_path / "train-00000-of-00002.jsonl", records[:2])
    write_records(tmp_path / "train-00001-of-00002.jsonl", records[2:])
    problems = import_dataset("taco", tmp_path).problems
    assert [p.id for p in problems] == ["0", "1", "2"]
    assert problems == import_dataset("taco", TACO).problems


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1 second", 1.0),
        ("2.5 seconds", 2.5),
        ("500 ms", 0.5),
        ("3.0 Seconds", 3.0),
        (None, None),
        ("nan", None),
    ],
)
def test_taco_time_limit_text(text: str | None, seconds: float | None) -> None:
    assert apps.parse_seconds(text) == seconds


@pytest.mark.parametrize(
    ("text", "megabytes"),
    [("256 megabytes", 256), ("256.0 megabytes", 256), ("1 GB", 1024), ("65536 kilobytes", 64), ("?", None)],
)
def test_taco_memory_limit_text(text: str, megabytes: int | None) -> None:
    assert apps.parse_megabytes(text) == megabytes


@pytest.mark.parametrize(("fmt", "path"), [("apps", APPS), ("taco", TACO)])
def test_native_jsonl_round_trip_is_lossless(fmt: str, path: Path, tmp_path: Path) -> None:
    problems = import_dataset(fmt, path).problems
    save_problems(tmp_path / "native.jsonl", problems)
    assert load_problems(tmp_path / "native.jsonl") == problems
