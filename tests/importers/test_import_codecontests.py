"""CodeContests importer: test groups, limits as given, solutions by language."""

from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import FIXTURES, problems_by_id, read_records, write_records

from codefrontier.contracts import CheckerKind, ProblemKind
from codefrontier.errors import InputError
from codefrontier.problems.importers import import_dataset
from codefrontier.problems.io import load_problems, save_problems

CC_JSONL = FIXTURES / "codecontests.jsonl"
CC_PARQUET = FIXTURES / "codecontests.parquet"


def _by_id(path: Path = CC_JSONL) -> dict:
    return problems_by_id("codecontests", path)


def test_hf_parquet_and_jsonl_give_the_same_problems() -> None:
    assert (
        import_dataset("codecontests", CC_PARQUET).problems
        == import_dataset("codecontests", CC_JSONL).problems
    )


def test_public_tests_stay_public_and_private_and_generated_are_hidden() -> None:
    p = _by_id()["9001_A. Count Odd Numbers"]
    assert p.kind is ProblemKind.STDIO
    assert [(t.id, t.hidden) for t in p.tests] == [
        ("public-0", False),
        ("private-0", True),
        ("private-1", True),
        ("generated-0", True),
        ("generated-1", True),
        ("generated-2", True),
    ]
    assert p.tests[0].input == "3\n1 2 3\n" and p.tests[0].output == "2\n"
    assert all(t.size == len(t.input.encode()) for t in p.tests)


def test_time_and_memory_limits_are_kept_as_given() -> None:
    problems = _by_id()
    odd, speed = problems["9001_A. Count Odd Numbers"], problems["9003_B. Mean Speed"]
    assert (odd.time_limit_s, odd.memory_mb) == (1.5, 256)
    assert (speed.time_limit_s, speed.memory_mb) == (2.0, 512)
    assert "as given" in odd.limits_note


def test_missing_limits_use_defaults_and_say_so() -> None:
    p = _by_id()["p09002 Reverse Words"]
    assert (p.time_limit_s, p.memory_mb) == (2.0, 256)
    assert "no time limit given" in p.limits_note and "no memory limit given" in p.limits_note


def test_enums_map_to_names() -> None:
    problems = _by_id()
    odd, words = problems["9001_A. Count Odd Numbers"], problems["p09002 Reverse Words"]
    assert odd.difficulty == "A" and odd.metadata["platform"] == "codeforces"
    assert odd.metadata["cf_rating"] == 800 and odd.metadata["cf_tags"] == ["implementation", "math"]
    assert words.difficulty == "UNKNOWN_DIFFICULTY" and words.metadata["platform"] == "aizu"
    assert "cf_rating" not in words.metadata  # 0 means "not a Codeforces problem"


def test_python3_and_cpp_solutions_are_imported_expected_ac() -> None:
    p = _by_id()["9001_A. Count Odd Numbers"]
    assert [(s.name, s.language, s.expected) for s in p.solutions] == [
        ("python-0", "python", "AC"),
        ("cpp-1", "cpp", "AC"),
    ]
    assert "#include <cstdio>" in p.solutions[1].code
    assert p.metadata["solutions_not_imported"] == {"solutions": {"python2": 1, "java": 1}}


def test_incorrect_solutions_go_to_metadata_not_solutions() -> None:
    p = _by_id()["9001_A. Count Odd Numbers"]
    incorrect = p.metadata["incorrect_solutions"]
    assert [(s["name"], s["language"]) for s in incorrect] == [
        ("incorrect-python-0", "python"),
        ("incorrect-cpp-1", "cpp"),
    ]
    assert not any(s.name.startswith("incorrect") for s in p.solutions)


def test_decimal_answers_get_the_float_checker() -> None:
    problems = _by_id()
    assert problems["9003_B. Mean Speed"].checker.kind is CheckerKind.FLOAT
    assert problems["p09002 Reverse Words"].checker.kind is CheckerKind.TOKENS


def test_native_jsonl_round_trip_is_lossless(tmp_path: Path) -> None:
    problems = import_dataset("codecontests", CC_PARQUET).problems
    save_problems(tmp_path / "cc.jsonl.gz", problems)
    assert load_problems(tmp_path / "cc.jsonl.gz") == problems


def test_problem_without_any_tests_is_an_error(tmp_path: Path) -> None:
    records = read_records(CC_JSONL)
    for group in ("public_tests", "private_tests", "generated_tests"):
        records[1][group] = {"input": [], "output": []}
    with pytest.raises(InputError, match="no tests") as info:
        import_dataset("codecontests", write_records(tmp_path / "bad.jsonl", records))
    assert info.value.line == 2 and "'p09002 Reverse Words'" in str(info.value)


def test_inputs_and_outputs_of_different_lengths_are_an_error(tmp_path: Path) -> None:
    records = read_records(CC_JSONL)
    records[0]["private_tests"]["output"].pop()
    with pytest.raises(InputError, match="2 inputs but 1 outputs") as info:
        import_dataset("codecontests", write_records(tmp_path / "bad.jsonl", records))
    assert info.value.field == "private_tests"


def test_problem_reading_a_named_file_instead_of_stdin_is_refused(tmp_path: Path) -> None:
    records = read_records(CC_JSONL)
    records[2]["input_file"] = "input.txt"
    result = import_dataset("codecontests", write_records(tmp_path / "files.jsonl", records), on_error="skip")
    assert len(result.problems) == 2
    assert result.skipped == [
        (
            f"{tmp_path / 'files.jsonl'}:3 (record '9003_B. Mean Speed')",
            "field 'input_file': the problem reads or writes the file 'input.txt' instead of standard "
            "input/output, which the judge does not provide",
        )
    ]
