"""Bad input, whatever the format: each error names the record (file, line or row, id)
and why; `on_error="skip"` leaves bad records out and lists them; nothing is converted
approximately."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from importer_helpers import FIXTURES

from codefrontier.contracts import Problem
from codefrontier.errors import ConfigError, InputError
from codefrontier.problems.importers import IMPORTERS, DatasetFormat, ImportRun, import_dataset
from codefrontier.problems.importers._common import Record

FIXTURE_OF = {
    "livecodebench": FIXTURES / "livecodebench.jsonl",
    "codecontests": FIXTURES / "codecontests.jsonl",
    "apps": FIXTURES / "apps.jsonl",
    "taco": FIXTURES / "taco.jsonl",
    "mbpp": FIXTURES / "mbpp.jsonl",
}


def test_every_format_has_a_fixture() -> None:
    assert set(IMPORTERS) == set(FIXTURE_OF)


@pytest.mark.parametrize(
    ("fmt", "other"), [("codecontests", "mbpp"), ("livecodebench", "apps"), ("apps", "taco")]
)
@pytest.mark.parametrize("on_error", ["stop", "skip"])
def test_a_file_of_another_format_stops_at_its_first_record(fmt: str, other: str, on_error: str) -> None:
    with pytest.raises(InputError, match=f"looks like a '{other}' record") as info:
        import_dataset(fmt, FIXTURE_OF[other], on_error=on_error)  # type: ignore[arg-type]
    assert info.value.path == str(FIXTURE_OF[other]) and info.value.line == 1
    assert f"not a {IMPORTERS[fmt].title} record" in str(info.value)


@pytest.mark.parametrize("fmt", sorted(FIXTURE_OF))
def test_truncated_jsonl_names_the_cut_line_or_skips_it(fmt: str, tmp_path: Path) -> None:
    lines = FIXTURE_OF[fmt].read_text().splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])

    with pytest.raises(InputError, match="not valid JSON") as info:
        import_dataset(fmt, cut)
    assert (info.value.path, info.value.line) == (str(cut), len(lines))

    result = import_dataset(fmt, cut, on_error="skip")
    assert len(result.problems) == len(lines) - 1
    assert len(result.skipped) == 1
    where, reason = result.skipped[0]
    assert where == f"{cut}:{len(lines)}" and reason.startswith("not valid JSON")


def test_truncated_gzip_is_reported_after_the_last_good_line(tmp_path: Path) -> None:
    data = gzip.compress(FIXTURE_OF["apps"].read_bytes())
    cut = tmp_path / "apps.jsonl.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(InputError, match="truncated or corrupt") as info:
        import_dataset("apps", cut)
    assert info.value.path == str(cut)
    result = import_dataset("apps", cut, on_error="skip")  # what could be read, and why the rest was not
    assert result.skipped and "truncated or corrupt" in result.skipped[-1][1]


def test_whole_gzip_file_reads_like_the_plain_one(tmp_path: Path) -> None:
    (tmp_path / "apps.jsonl.gz").write_bytes(gzip.compress(FIXTURE_OF["apps"].read_bytes()))
    assert (
        import_dataset("apps", tmp_path / "apps.jsonl.gz").problems
        == import_dataset("apps", FIXTURE_OF["apps"]).problems
    )


def test_truncated_parquet_is_an_error(tmp_path: Path) -> None:
    data = (FIXTURES / "codecontests.parquet").read_bytes()
    cut = tmp_path / "train-00000-of-00001.parquet"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="Parquet file: truncated or corrupt") as info:
        import_dataset("codecontests", cut)
    assert info.value.path == str(cut)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"   \n\n", "file is empty"),
        (b"name,description\nx,y\n", "not a dataset file"),
        (b"[]", "holds no records"),
        (b'{"a": 1', "no record could be converted"),
    ],
)
def test_files_that_hold_no_dataset_records_are_an_error(
    content: bytes, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        import_dataset("mbpp", path, on_error="skip")


def test_skip_mode_counts_every_bad_record_with_its_location(tmp_path: Path) -> None:
    good = [json.loads(line) for line in FIXTURE_OF["apps"].read_text().splitlines()]
    missing_tests = dict(good[1], problem_id=10, input_output="")
    bad_json_tests = dict(good[2], problem_id=11, input_output="{not json")
    duplicate = dict(good[0])
    lines = [json.dumps(good[0]), json.dumps(missing_tests), "[1, 2]", json.dumps(bad_json_tests)]
    lines += [json.dumps(duplicate), json.dumps(good[3])]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n")

    with pytest.raises(InputError, match="no tests") as info:
        import_dataset("apps", path)
    assert info.value.line == 2

    result = import_dataset("apps", path, on_error="skip")
    assert [p.id for p in result.problems] == ["0", "3"]
    assert [where for where, _ in result.skipped] == [
        f"{path}:2 (record '10')",
        f"{path}:3",
        f"{path}:4 (record '11')",
        f"{path}:5 (record '0')",
    ]
    reasons = [reason for _, reason in result.skipped]
    assert reasons[0] == "field 'input_output': problem has no tests (input_output is empty)"
    assert reasons[1] == "a record must be a JSON object, got list"
    assert reasons[2].startswith("field 'input_output': does not decode as JSON")
    assert reasons[3] == f"duplicate problem id (first at {path}:1)"


def test_a_record_missing_a_required_field_is_skipped_not_guessed(tmp_path: Path) -> None:
    records = [json.loads(line) for line in FIXTURE_OF["codecontests"].read_text().splitlines()]
    del records[1]["generated_tests"]
    path = tmp_path / "cc.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = import_dataset("codecontests", path, on_error="skip")
    assert [p.id for p in result.problems] == ["9001_A. Count Odd Numbers", "9003_B. Mean Speed"]
    assert result.skipped == [
        (
            f"{path}:2 (record 'p09002 Reverse Words')",
            "not a CodeContests record: missing field(s) generated_tests",
        )
    ]


def test_parquet_errors_name_the_row(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [json.loads(line) for line in FIXTURE_OF["mbpp"].read_text().splitlines()]
    rows[2]["test_list"] = []
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "mbpp.parquet")
    with pytest.raises(InputError) as info:
        import_dataset("mbpp", tmp_path / "mbpp.parquet")
    assert str(info.value) == (
        f"{tmp_path / 'mbpp.parquet'}: field 'test_list': row 2, record '903': problem has no tests "
        "(test_list is empty)"
    )
    result = import_dataset("mbpp", tmp_path / "mbpp.parquet", on_error="skip")
    assert result.skipped[0][0] == f"{tmp_path / 'mbpp.parquet'} row 2 (record '903')"


def test_a_directory_reads_its_data_files_in_name_order(tmp_path: Path) -> None:
    shutil.copy(FIXTURE_OF["mbpp"], tmp_path / "b.jsonl")
    shutil.copy(FIXTURES / "codecontests.parquet", tmp_path / "README.md")  # not a data file: ignored
    (tmp_path / "a.json").write_text(json.dumps([{"task_id": 7, "text": "t", "code": "def f(): return 1",
                                                  "test_list": ["assert f() == 1"]}]))  # fmt: skip
    ids = [p.id for p in import_dataset("mbpp", tmp_path).problems]
    assert ids == ["7", "901", "902", "903"]


def test_missing_paths_and_empty_directories_are_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        import_dataset("mbpp", tmp_path / "nope.jsonl")
    with pytest.raises(InputError, match="no data files"):
        import_dataset("mbpp", tmp_path)


def test_limit_stops_after_n_problems() -> None:
    run = ImportRun("livecodebench", FIXTURE_OF["livecodebench"], limit=2)
    assert [p.id for p in run] == ["abc900_a", "3901"]
    assert (run.converted, run.tests) == (2, 8)


def test_bad_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="unknown dataset format 'humaneval'"):
        import_dataset("humaneval", FIXTURE_OF["mbpp"])
    with pytest.raises(ConfigError, match="on_error"):
        import_dataset("mbpp", FIXTURE_OF["mbpp"], on_error="ignore")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="limit"):
        import_dataset("mbpp", FIXTURE_OF["mbpp"], limit=0)


def test_native_and_humaneval_files_are_recognised_and_pointed_elsewhere(tmp_path: Path) -> None:
    native = tmp_path / "native.jsonl"
    native.write_text(json.dumps({"id": "a", "kind": "stdio", "tests": [{"input": "", "output": ""}]}) + "\n")
    with pytest.raises(InputError, match="looks like a codefrontier native record"):
        import_dataset("apps", native, on_error="skip")
    humaneval = tmp_path / "HumanEval.jsonl"
    record = {"task_id": "HumanEval/0", "prompt": "def f():\n", "canonical_solution": "  return 1\n"}
    humaneval.write_text(json.dumps(record | {"test": "def check(c): pass", "entry_point": "f"}) + "\n")
    with pytest.raises(InputError, match="looks like a HumanEval record"):
        import_dataset("mbpp", humaneval)


def test_an_unanticipated_record_layout_is_a_named_record_error_not_a_traceback() -> None:
    def convert(record: Record) -> Problem:
        return record.data["problem_id"].upper()  # AttributeError: APPS ids are ints

    fmt = DatasetFormat("apps", "APPS", IMPORTERS["apps"].signature, convert, IMPORTERS["apps"].record_id)
    records = FIXTURE_OF["apps"]
    with pytest.raises(InputError, match=r"unexpected record layout \(AttributeError") as info:
        list(ImportRun(fmt, records))
    assert (info.value.path, info.value.line) == (str(records), 1)


@pytest.mark.parametrize("fmt", sorted(FIXTURE_OF))
def test_a_byte_order_mark_and_crlf_lines_import_like_the_plain_file(fmt: str, tmp_path: Path) -> None:
    """Files saved by Windows tools: a UTF-8 BOM and CRLF line ends change nothing."""
    plain = import_dataset(fmt, FIXTURE_OF[fmt]).problems
    raw = FIXTURE_OF[fmt].read_bytes()
    for name, data in (("bom", b"\xef\xbb\xbf" + raw), ("crlf", raw.replace(b"\n", b"\r\n"))):
        path = tmp_path / f"{name}.jsonl"
        path.write_bytes(data)
        got = import_dataset(fmt, path).problems
        assert [p.id for p in got] == [p.id for p in plain], name
        assert [[t.input for t in p.tests] for p in got] == [[t.input for t in p.tests] for p in plain], name


@pytest.mark.parametrize("fmt", sorted(set(FIXTURE_OF) - {"taco"}))
def test_a_repeated_problem_id_names_both_lines(fmt: str, tmp_path: Path) -> None:
    first = FIXTURE_OF[fmt].read_text().splitlines(keepends=True)[0]
    path = tmp_path / "dup.jsonl"
    path.write_text(first + first)
    with pytest.raises(InputError, match="duplicate problem id") as info:
        import_dataset(fmt, path)
    assert info.value.line == 2 and f"{path}:1" in str(info.value)


def test_taco_records_have_no_ids_so_repeated_records_are_two_problems(tmp_path: Path) -> None:
    """TACO ships no ids: problems are numbered by position, and a repeated record is a second problem."""
    first = FIXTURE_OF["taco"].read_text().splitlines(keepends=True)[0]
    path = tmp_path / "dup.jsonl"
    path.write_text(first + first)
    ids = [p.id for p in import_dataset("taco", path).problems]
    assert len(ids) == 2 and len(set(ids)) == 2
