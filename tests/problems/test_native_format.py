"""The native problems format: round trips, and errors that name the file, line and field."""

from __future__ import annotations

import json

import pytest

from codefrontier.contracts import CheckerKind, ProblemKind
from codefrontier.errors import InputError
from codefrontier.problems.io import load_problems, save_problems


def write_lines(path, *records):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    return path


STDIO = {
    "id": "sum",
    "kind": "stdio",
    "statement": "add",
    "time_limit_s": 1.5,
    "memory_mb": 128,
    "checker": {"kind": "float", "abs_tol": 1e-3},
    "tiers": ["small", "large"],
    "tests": [
        {"id": "a", "input": "1 2\n", "output": "3\n", "tier": "small", "hidden": False},
        {"id": "b", "input": "10 20\n", "output": "30\n", "tier": "large"},
    ],
    "solutions": [{"name": "ref", "language": "python", "code": "print(3)", "expected": "AC"}],
}


def test_problems_round_trip_through_jsonl_and_gzip(tmp_path):
    problems = load_problems(write_lines(tmp_path / "p.jsonl", STDIO))
    (problem,) = problems
    assert problem.kind is ProblemKind.STDIO and problem.checker.kind is CheckerKind.FLOAT
    assert problem.checker.abs_tol == 1e-3 and problem.time_limit_s == 1.5 and problem.memory_mb == 128
    assert [t.size for t in problem.tests] == [4, 6]  # default size: input length in bytes
    assert [t.hidden for t in problem.tests] == [False, True]
    for name in ("again.jsonl", "again.jsonl.gz"):
        save_problems(tmp_path / name, problems)
        assert load_problems(tmp_path / name) == problems


def test_gzip_output_is_byte_for_byte_reproducible(tmp_path):
    problems = load_problems(write_lines(tmp_path / "p.jsonl", STDIO))
    save_problems(tmp_path / "a.jsonl.gz", problems)
    save_problems(tmp_path / "b.jsonl.gz", problems)
    assert (tmp_path / "a.jsonl.gz").read_bytes() == (tmp_path / "b.jsonl.gz").read_bytes()


@pytest.mark.parametrize(
    ("record", "where"),
    [
        ('{"id": "x", "kind": "stdio"', "line 2"),  # not JSON
        ({"kind": "stdio", "tests": [{"input": "", "output": ""}]}, "field 'id'"),
        ({"id": "x", "kind": "batch", "tests": []}, "field 'kind'"),
        ({"id": "x", "kind": "stdio", "tests": []}, "no tests"),
        ({"id": "x", "kind": "stdio", "tests": [{"id": "t", "output": "1"}]}, "tests[0].input"),
        (
            {
                "id": "x",
                "kind": "function",
                "entry_point": "f",
                "tests": [{"id": "t", "input": "1", "output": 1}],
            },
            "tests[0].input",
        ),
        ({"id": "x", "kind": "function", "tests": [{"id": "t", "input": [1], "output": 1}]}, "entry_point"),
        (
            {"id": "x", "kind": "stdio", "time_limit_s": -1, "tests": [{"input": "", "output": ""}]},
            "time_limit_s",
        ),
        (
            {"id": "x", "kind": "stdio", "checker": "fuzzy", "tests": [{"input": "", "output": ""}]},
            "checker.kind",
        ),
        (
            {
                "id": "x",
                "kind": "stdio",
                "tests": [{"id": "1", "input": "", "output": ""}, {"id": "1", "input": "", "output": ""}],
            },
            "duplicate test id",
        ),
    ],
)
def test_a_malformed_record_names_the_file_line_and_field(tmp_path, record, where):
    path = write_lines(tmp_path / "bad.jsonl", STDIO, record)
    with pytest.raises(InputError) as err:
        load_problems(path)
    message = str(err.value)
    assert message.startswith(f"{path}:2: ")
    assert where.replace("line 2", "") in message


def test_empty_file_and_duplicate_ids_are_errors(tmp_path):
    (tmp_path / "empty.jsonl").write_text("\n\n")
    with pytest.raises(InputError, match="empty"):
        load_problems(tmp_path / "empty.jsonl")
    with pytest.raises(InputError, match="duplicate problem id 'sum'"):
        load_problems(write_lines(tmp_path / "dup.jsonl", STDIO, STDIO))
    with pytest.raises(InputError, match="file not found"):
        load_problems(tmp_path / "missing.jsonl")


def test_large_tests_can_live_in_files_read_only_when_needed(tmp_path):
    (tmp_path / "in.txt").write_text("5 6\n")
    (tmp_path / "out.txt").write_text("11\n")
    record = {
        "id": "f",
        "kind": "stdio",
        "tests": [{"id": "big", "input_file": "in.txt", "output_file": "out.txt"}],
    }
    (problem,) = load_problems(write_lines(tmp_path / "p.jsonl", record))
    test = problem.tests[0]
    assert test.input is None and test.input_bytes() == b"5 6\n" and test.output_bytes() == b"11\n"
    assert test.size == 4


def _file_test(name: str, field: str = "input_file") -> dict:
    test = {"id": "t", "input": "1\n", "output": "1\n"}
    test.pop("input" if field == "input_file" else "output")
    return {"id": "f", "kind": "stdio", "tests": [test | {field: name}]}


@pytest.mark.parametrize("field", ["input_file", "output_file"])
def test_a_problems_file_may_name_only_files_inside_its_directory(tmp_path, field):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret\n")
    folder = tmp_path / "problems"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "ok.txt").write_text("1\n")
    (folder / "data" / "link.txt").symlink_to(outside)
    (folder / "dirlink").symlink_to(tmp_path)
    for name, reason in [
        (str(outside), "absolute"),
        ("../secret.txt", "outside"),
        ("data/../../secret.txt", "outside"),
        ("data/link.txt", "outside"),
        ("dirlink/secret.txt", "outside"),
        ("", "relative"),
    ]:
        path = write_lines(folder / "p.jsonl", _file_test(name, field))
        with pytest.raises(InputError, match=reason) as info:
            load_problems(path)
        assert info.value.field == f"tests[0].{field}" and info.value.line == 1, name
    (problem,) = load_problems(write_lines(folder / "p.jsonl", _file_test("data/../data/ok.txt", field)))
    assert (
        problem.tests[0].input_bytes() if field == "input_file" else problem.tests[0].output_bytes()
    ) == b"1\n"


def test_an_inline_problem_names_no_file():
    from codefrontier.problems.io import problem_from_json

    with pytest.raises(InputError, match="inline problem may not name files") as info:
        problem_from_json(_file_test("in.txt"))
    assert info.value.field == "tests[0].input_file"


def test_saving_elsewhere_keeps_file_tests_loadable(tmp_path):
    """A test read from a file keeps naming it when saved beside it, and is written inline
    when saved in a directory the file is not in (no absolute or `..` paths written)."""
    (tmp_path / "in.txt").write_text("5 6\n")
    (tmp_path / "out.txt").write_text("11\n")
    record = {
        "id": "f",
        "kind": "stdio",
        "tests": [{"id": "big", "input_file": "in.txt", "output_file": "out.txt"}],
    }
    problems = load_problems(write_lines(tmp_path / "p.jsonl", record))
    save_problems(tmp_path / "same.jsonl", problems)
    assert '"input_file":"in.txt"' in (tmp_path / "same.jsonl").read_text()
    (tmp_path / "other").mkdir()
    save_problems(tmp_path / "other" / "moved.jsonl", problems)
    assert "input_file" not in (tmp_path / "other" / "moved.jsonl").read_text()
    for saved in (tmp_path / "same.jsonl", tmp_path / "other" / "moved.jsonl"):
        (loaded,) = load_problems(saved)
        assert loaded.tests[0].input_bytes() == b"5 6\n" and loaded.tests[0].output_bytes() == b"11\n"
