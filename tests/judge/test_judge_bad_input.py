"""Bad input to `codefrontier judge`: one line that names the file (and line, and field),
a non-zero exit status, and no results store created."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codefrontier.cli import main

GOOD_PROBLEM = {
    "id": "sum",
    "kind": "stdio",
    "statement": "a + b",
    "tests": [{"id": "0", "input": "2 3\n", "output": "5\n"}],
}
GOOD_SAMPLE = {"problem_id": "sum", "policy": "p", "sample": 0, "language": "python", "code": "print(5)"}


def jsonl(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def judge_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], problems: str, samples: str
) -> tuple[int, str, Path, Path, Path]:
    problems_file, samples_file, out = (
        tmp_path / "problems.jsonl",
        tmp_path / "samples.jsonl",
        tmp_path / "out",
    )
    problems_file.write_text(problems)
    samples_file.write_text(samples)
    code = main(
        [
            "judge",
            "--problems",
            str(problems_file),
            "--samples",
            str(samples_file),
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    err = capsys.readouterr().err
    return code, err, problems_file, samples_file, out


def assert_one_line_error(code: int, err: str, out: Path, *fragments: str) -> None:
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("codefrontier judge: error: ")
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert not out.exists()  # nothing was written, not even an empty store


def test_malformed_samples_line_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err, _, samples, out = judge_cli(
        tmp_path, capsys, jsonl(GOOD_PROBLEM), jsonl(GOOD_SAMPLE, '{"problem_id": "sum", "code": ')
    )
    assert_one_line_error(code, err, out, f"{samples}:2:", "not valid JSON")


def test_malformed_problems_line_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err, problems, _, out = judge_cli(
        tmp_path, capsys, "\n" + jsonl(GOOD_PROBLEM, "[1, 2"), jsonl(GOOD_SAMPLE)
    )
    assert_one_line_error(code, err, out, f"{problems}:3:", "not valid JSON")


def test_unknown_problem_id_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err, _, samples, out = judge_cli(
        tmp_path, capsys, jsonl(GOOD_PROBLEM), jsonl(GOOD_SAMPLE, {**GOOD_SAMPLE, "problem_id": "nope"})
    )
    assert_one_line_error(code, err, out, f"{samples}:2:", "problem_id", "'nope'")


def test_unknown_language_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err, _, samples, out = judge_cli(
        tmp_path, capsys, jsonl(GOOD_PROBLEM), jsonl({**GOOD_SAMPLE, "language": "cobol"})
    )
    assert_one_line_error(code, err, out, f"{samples}:1:", "language", "'cobol'")


def test_missing_sample_field_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = {k: v for k, v in GOOD_SAMPLE.items() if k != "code"}
    code, err, _, samples, out = judge_cli(tmp_path, capsys, jsonl(GOOD_PROBLEM), jsonl(sample))
    assert_one_line_error(code, err, out, f"{samples}:1:", "'code'", "missing")


def test_missing_problem_field_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    problem = {k: v for k, v in GOOD_PROBLEM.items() if k != "kind"}
    code, err, problems, _, out = judge_cli(tmp_path, capsys, jsonl(problem), jsonl(GOOD_SAMPLE))
    assert_one_line_error(code, err, out, f"{problems}:1:", "'kind'", "missing")


def test_missing_test_output_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    problem = {**GOOD_PROBLEM, "tests": [{"id": "0", "input": "2 3\n"}]}
    code, err, problems, _, out = judge_cli(tmp_path, capsys, jsonl(problem), jsonl(GOOD_SAMPLE))
    assert_one_line_error(code, err, out, f"{problems}:1:", "tests[0].output")


@pytest.mark.parametrize("which", ["problems", "samples"])
def test_empty_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], which: str) -> None:
    problems = "" if which == "problems" else jsonl(GOOD_PROBLEM)
    samples = "\n\n" if which == "samples" else jsonl(GOOD_SAMPLE)
    code, err, problems_file, samples_file, out = judge_cli(tmp_path, capsys, problems, samples)
    named = problems_file if which == "problems" else samples_file
    assert_one_line_error(code, err, out, str(named), "empty")


def test_problem_with_no_tests_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err, problems, _, out = judge_cli(
        tmp_path, capsys, jsonl({**GOOD_PROBLEM, "tests": []}), jsonl(GOOD_SAMPLE)
    )
    assert_one_line_error(code, err, out, f"{problems}:1:", "'tests'", "no tests")


def test_missing_samples_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    problems_file, out = tmp_path / "problems.jsonl", tmp_path / "out"
    problems_file.write_text(jsonl(GOOD_PROBLEM))
    missing = tmp_path / "nowhere.jsonl"
    code = main(["judge", "--problems", str(problems_file), "--samples", str(missing), "--out", str(out)])
    assert_one_line_error(code, capsys.readouterr().err, out, str(missing), "not found")
