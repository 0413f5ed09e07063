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


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_limit_s", 1e9, "at most 600 seconds"),
        ("time_limit_s", "NaN", "finite"),
        ("time_limit_s", -1, "more than 0"),
        ("memory_mb", 1e12, "between 1 and 65536"),
        ("memory_mb", "Infinity", "finite"),
    ],
)
def test_limits_out_of_their_range_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, value: object, message: str
) -> None:
    """A 1e9 s or NaN limit used to load, then every sample was IE and judge exited 0."""
    record = json.dumps({**GOOD_PROBLEM, field: 0.5}).replace("0.5", str(value))
    code, err, problems, _, out = judge_cli(tmp_path, capsys, record + "\n", jsonl(GOOD_SAMPLE))
    assert_one_line_error(code, err, out, f"{problems}:1:", f"'{field}'", message)


@pytest.mark.parametrize(
    ("test", "field"),
    [
        ({"id": "0", "input": "2 3\n", "output": "5\n", "size": -4}, "tests[0].size"),
        ({"id": "0", "input": "2 3\n", "output": "5\n", "size": 10**30}, "tests[0].size"),
    ],
)
def test_test_sizes_that_do_not_fit_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], test: dict, field: str
) -> None:
    code, err, problems, _, out = judge_cli(
        tmp_path, capsys, jsonl({**GOOD_PROBLEM, "tests": [test]}), jsonl(GOOD_SAMPLE)
    )
    assert_one_line_error(code, err, out, f"{problems}:1:", f"'{field}'")


def test_float_tolerances_must_be_finite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = json.dumps({**GOOD_PROBLEM, "checker": {"kind": "float", "abs_tol": 0.5}}).replace("0.5", "NaN")
    code, err, problems, _, out = judge_cli(tmp_path, capsys, record + "\n", jsonl(GOOD_SAMPLE))
    assert_one_line_error(code, err, out, f"{problems}:1:", "'checker.abs_tol'", "finite")


@pytest.mark.parametrize("index", [10**30, 2**63, -1])
def test_sample_indices_the_store_cannot_hold_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], index: int
) -> None:
    """10**30 used to crash judge with a traceback and leave a partial results directory."""
    code, err, _, samples, out = judge_cli(
        tmp_path, capsys, jsonl(GOOD_PROBLEM), jsonl({**GOOD_SAMPLE, "sample": index})
    )
    assert_one_line_error(code, err, out, f"{samples}:1:", "'sample'", "64-bit")


def test_text_that_is_not_utf8_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A JSON escape of a lone surrogate ("\\ud800") parses, but no store can write it: it
    used to reach the results writer and end the run with a traceback."""
    lone = "\\ud800"  # as it is written in the file
    bad_policy = json.dumps(GOOD_SAMPLE).replace('"policy": "p"', f'"policy": "p{lone}"')
    code, err, _, samples_file, out = judge_cli(tmp_path, capsys, jsonl(GOOD_PROBLEM), jsonl(bad_policy))
    assert_one_line_error(code, err, out, f"{samples_file.name}:1", "policy", "not UTF-8")

    bad_id = json.dumps(GOOD_PROBLEM).replace('"id": "sum"', f'"id": "sum{lone}"', 1)
    code, err, problems_file, _, out = judge_cli(tmp_path, capsys, jsonl(bad_id), jsonl(GOOD_SAMPLE))
    assert_one_line_error(code, err, out, f"{problems_file.name}:1", "'id'", "not UTF-8")


def test_a_program_over_the_code_size_limit_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = {**GOOD_SAMPLE, "code": "print(5)\n" + "#" * 300_000}
    code, err, _, samples, out = judge_cli(tmp_path, capsys, jsonl(GOOD_PROBLEM), jsonl(big))
    assert_one_line_error(code, err, out, f"{samples}:1:", "'code'", "limit is 262144", "--max-code-bytes")
    (tmp_path / "problems.jsonl").write_text(jsonl(GOOD_PROBLEM))
    code = main(
        [
            "judge",
            "--problems",
            str(tmp_path / "problems.jsonl"),
            "--samples",
            str(samples),
            "--out",
            str(out),
            "--no-progress",
            "--max-code-bytes",
            "400000",
        ]
    )
    assert code == 0 and (out / "samples.parquet").exists()


def test_a_second_judge_writing_the_same_store_is_refused(tmp_path: Path) -> None:
    """One must refuse while the other writes; the first finishes with an intact store."""
    import subprocess
    import sys
    import time

    import pyarrow.parquet as pq

    problems_file, samples_file, out = (
        tmp_path / "problems.jsonl",
        tmp_path / "samples.jsonl",
        tmp_path / "out",
    )
    problems_file.write_text(jsonl(GOOD_PROBLEM))
    slow = "import time\nt = time.time()\nwhile time.time() - t < 0.3:\n    pass\nprint(5)\n"
    samples_file.write_text(jsonl(*[{**GOOD_SAMPLE, "sample": i, "code": slow} for i in range(8)]))
    command = [
        sys.executable,
        "-m",
        "codefrontier.cli",
        "judge",
        "--problems",
        str(problems_file),
        "--samples",
        str(samples_file),
        "--out",
        str(out),
        "--no-progress",
        "--jobs",
        "1",
    ]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not (out / ".lock").exists() or not (out / ".lock").read_text().strip():
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)
    second = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert (
        second.returncode == 2 and "another process" in second.stderr and f"pid {first.pid}" in second.stderr
    )
    assert first.wait(timeout=300) == 0
    table = pq.read_table(out / "samples.parquet")
    assert sorted(table.column("sample").to_pylist()) == list(range(8))
