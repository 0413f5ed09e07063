"""`codefrontier import FORMAT PATH --out FILE`, through its argparse registration."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from importer_helpers import FIXTURES

from codefrontier.errors import InputError
from codefrontier.problems.importers import cli as import_cli
from codefrontier.problems.importers import import_dataset
from codefrontier.problems.io import load_problems


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="codefrontier")
    import_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_import_writes_native_jsonl_and_prints_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "lcb.jsonl"
    src = FIXTURES / "livecodebench.jsonl"
    assert _run(["import", "livecodebench", str(src), "--out", str(out)]) == 0
    assert load_problems(out) == import_dataset("livecodebench", src).problems
    stdout = capsys.readouterr().out
    assert stdout == f"imported 4 livecodebench problems (17 tests) from {src} to {out}; skipped 0 records\n"


def test_skip_lists_each_skipped_record_and_counts_them(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    lines = (FIXTURES / "apps.jsonl").read_text().splitlines()
    bad = json.loads(lines[1]) | {"input_output": ""}
    src = tmp_path / "apps.jsonl"
    src.write_text("\n".join([lines[0], json.dumps(bad), lines[2], "{truncated"]) + "\n")
    out = tmp_path / "apps-native.jsonl.gz"
    assert _run(["import", "apps", str(src), "--out", str(out), "--on-error", "skip"]) == 0
    assert [p.id for p in load_problems(out)] == ["0", "2"]
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"codefrontier import: warning: skipped {src}:2 (record '1'): "
        "field 'input_output': problem has no tests (input_output is empty)",
        f"codefrontier import: warning: skipped {src}:4: not valid JSON (Expecting property name enclosed "
        "in double quotes at column 2): the line is truncated or not a JSON record",
    ]
    summary = captured.out.strip()
    assert summary.startswith(f"imported 2 apps problems (6 tests) from {src} to {out}; skipped 2 records (")
    assert f"{src}:2 (record '1'): field 'input_output'" in summary and "\n" not in summary


def test_a_stopped_import_leaves_no_output_file(tmp_path: Path) -> None:
    lines = (FIXTURES / "mbpp.jsonl").read_text().splitlines()
    src = tmp_path / "mbpp.jsonl"
    src.write_text("\n".join([*lines[:2], '{"task_id": 5, "text": "t", "test_list": []}']) + "\n")
    out = tmp_path / "out.jsonl"
    with pytest.raises(InputError, match="no tests"):
        _run(["import", "mbpp", str(src), "--out", str(out)])
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]  # no temporary file left behind either

    out.write_text("previous contents\n")
    with pytest.raises(InputError):
        _run(["import", "mbpp", str(src), "--out", str(out)])
    assert out.read_text() == "previous contents\n"


def test_limit_caps_the_number_of_problems(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "cc.jsonl"
    assert (
        _run(
            [
                "import",
                "codecontests",
                str(FIXTURES / "codecontests.parquet"),
                "--out",
                str(out),
                "--limit",
                "1",
            ]
        )
        == 0
    )
    assert [p.id for p in load_problems(out)] == ["9001_A. Count Odd Numbers"]
    assert "stopped at --limit 1" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["import", "humaneval", "x.jsonl", "--out", "o.jsonl"],
        ["import", "mbpp", "x.jsonl"],
        ["import", "mbpp", "x.jsonl", "--out", "o.jsonl", "--limit", "0"],
        ["import", "mbpp", "x.jsonl", "--out", "o.jsonl", "--on-error", "ignore"],
    ],
)
def test_bad_arguments_are_usage_errors(argv: list[str], capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as info:
        _run(argv)
    assert info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_through_the_codefrontier_command_a_bad_record_is_a_one_line_error_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from codefrontier import cli as main_cli

    monkeypatch.setattr(main_cli, "COMMAND_MODULES", ["codefrontier.problems.importers.cli"])
    src = tmp_path / "apps.jsonl"
    src.write_text('{"problem_id": 4, "question": "q", "input_output": ""}\n')
    assert main_cli.main(["import", "apps", str(src), "--out", str(tmp_path / "o.jsonl")]) == 2
    assert capsys.readouterr().err == (
        f"codefrontier import: error: {src}:1: field 'input_output': record '4': "
        "problem has no tests (input_output is empty)\n"
    )
    ok = main_cli.main(["import", "mbpp", str(FIXTURES / "mbpp.jsonl"), "--out", str(tmp_path / "m.jsonl")])
    assert ok == 0 and len(load_problems(tmp_path / "m.jsonl")) == 3
