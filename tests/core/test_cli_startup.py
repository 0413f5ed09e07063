"""`codefrontier --help` and `--version` import no command's module; each command still
gets its real parser, and the help line `--help` lists is the one its module declares."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from codefrontier import cli

HEAVY = ("pyarrow", "duckdb", "numpy", "torch", "rich", "fastapi", "transformers", "matplotlib")


def _registered() -> dict[str, tuple[str, str]]:
    """What every module of COMMAND_MODULES registers: command -> (module, help line)."""
    found: dict[str, tuple[str, str]] = {}
    for name in cli.COMMAND_MODULES:
        parser = argparse.ArgumentParser()
        subparsers = parser.add_subparsers()
        __import__(name, fromlist=["register"]).register(subparsers)
        for action in subparsers._choices_actions:
            found[action.dest] = (name, action.help or "")
    return found


def test_the_command_table_is_what_each_module_registers() -> None:
    """COMMANDS lists every command with its module and help line, in --help's order.
    A new command module: add a row per command it registers to cli.COMMANDS."""
    assert _registered() == cli.COMMANDS


def _modules_after(argv: list[str]) -> tuple[set[str], str]:
    """Run the CLI with `argv` in a fresh interpreter; the modules it had imported when it
    exited, and what it printed."""
    script = (
        "import json, sys\n"
        "from codefrontier.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(proc.stderr)), proc.stdout


def test_help_lists_every_command_without_importing_any() -> None:
    modules, out = _modules_after(["--help"])
    assert all(command in out for command in cli.COMMANDS)
    assert not modules & set(cli.COMMAND_MODULES)
    assert not {m.split(".")[0] for m in modules} & set(HEAVY)


def test_version_imports_nothing_heavy() -> None:
    modules, out = _modules_after(["--version"])
    assert out.startswith("codefrontier ")
    assert not modules & set(cli.COMMAND_MODULES)
    assert "importlib.metadata" not in modules
    assert not {m.split(".")[0] for m in modules} & set(HEAVY)


def test_a_command_gets_its_real_parser_and_only_its_module() -> None:
    modules, out = _modules_after(["summary", "--help"])
    assert "codefrontier summary" in out and "--by" in out  # the module's own parser
    assert "codefrontier.analysis.cli" in modules
    assert not modules & (set(cli.COMMAND_MODULES) - {"codefrontier.analysis.cli"})


def test_an_unknown_command_is_a_usage_error_naming_the_choices(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["no-such-command"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice" in err and "judge" in err


def test_judging_a_sample_imports_neither_pandas_nor_torch(tmp_path) -> None:
    """What one `codefrontier judge` run needs (pyarrow and duckdb for its tables); pandas
    alone costs 0.2 s of start-up, and pyarrow imports it on any array built from Python."""
    problems, samples = tmp_path / "problems.jsonl", tmp_path / "samples.jsonl"
    problems.write_text(
        json.dumps(
            {
                "id": "sum",
                "kind": "stdio",
                "statement": "a+b",
                "tests": [{"id": "0", "input": "2 3\n", "output": "5\n"}],
            }
        )
        + "\n"
    )
    samples.write_text(
        json.dumps({"problem_id": "sum", "policy": "p", "code": "print(sum(map(int, input().split())))\n"})
        + "\n"
    )
    argv = ["judge", "--problems", str(problems), "--samples", str(samples), "--out", str(tmp_path / "out")]
    modules, out = _modules_after([*argv, "--jobs", "1", "--no-progress"])
    assert "judged 1 samples" in out
    assert "pyarrow" in modules  # the run did write its tables
    assert not {m.split(".")[0] for m in modules} & {"pandas", "torch", "transformers", "matplotlib"}
