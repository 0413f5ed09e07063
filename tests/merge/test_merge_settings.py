"""Merge settings are declared once: the class checks its values (so the Python API
refuses what the command refuses), and the command's flags come from its fields."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from codefrontier.cli import main
from codefrontier.errors import ConfigError
from codefrontier.merge import MergeSettings, merge_sweep
from codefrontier.merge.cli import register
from codefrontier.merge.settings import BLOCK_ELEMENTS

from .tiny import Pair


def merge_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codefrontier")
    subparsers = parser.add_subparsers(dest="command")
    register(subparsers)
    return subparsers.choices["merge"]


@pytest.mark.parametrize(
    ("field", "value", "flags", "message"),
    [
        ("out_dtype", "int8", ["--out-dtype", "int8"], "choose one of float32, bfloat16, float16"),
        ("max_shard_size", "5 parsecs", ["--max-shard-size", "5 parsecs"], "not a size like 5GB"),
        ("max_shard_size", "0", ["--max-shard-size", "0"], "must be positive"),
        ("input_hash", "md5", ["--hash", "md5"], "unknown input hash 'md5'"),
        ("block_elements", 0, ["--block-elements", "0"], "must be a positive number of elements"),
        ("workers", 0, ["--workers", "0"], "must be at least 1"),
    ],
)
def test_the_api_refuses_what_the_command_refuses(
    bf16_single: Pair,
    out: Path,
    capsys: pytest.CaptureFixture[str],
    field: str,
    value: Any,
    flags: list[str],
    message: str,
) -> None:
    with pytest.raises(ConfigError, match=message):
        MergeSettings(**{field: value})
    with pytest.raises(ConfigError, match=message):
        merge_sweep(bf16_single.low, bf16_single.high, [0.5], out, **{field: value})

    argv = ["merge", "--low", str(bf16_single.low), "--high", str(bf16_single.high), "--alpha", "0.5",
            "--out", str(out), *flags]  # fmt: skip
    try:
        code = main(argv)
    except SystemExit as exc:  # a value outside the flag's choices: argparse refuses it first
        code = exc.code
    assert code == 2 and not out.exists()
    assert flags[0] in capsys.readouterr().err


def test_every_setting_is_a_flag_with_the_fields_help() -> None:
    actions = {a.dest: a for a in merge_parser()._actions}

    for f in dataclasses.fields(MergeSettings):
        assert f.name in actions, f.name
        helps = {a.help for a in merge_parser()._actions if a.dest == f.name}
        assert f.metadata["help"] in helps, f.name
    assert actions["out_dtype"].choices == ("float32", "bfloat16", "float16")


def test_no_flags_give_the_default_settings_with_a_progress_bar() -> None:
    args = merge_parser().parse_args(["--low", "a", "--high", "b", "--alpha", "0.5", "--out", "x"])

    assert MergeSettings.from_args(args) == MergeSettings(progress=True)
    assert MergeSettings().block_elements == BLOCK_ELEMENTS and MergeSettings().input_hash == "blake3"


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--hash", "none"], {"input_hash": None}),
        (["--no-hash"], {"input_hash": None}),
        (["--hash", "sha256", "--quiet", "--fsync", "--overwrite"], {"input_hash": "sha256", "progress": False,
                                                                     "fsync": True, "overwrite": True}),
        (["--out-dtype", "bfloat16", "--max-shard-size", "2GiB", "--workers", "2", "--block-elements", "4096"],
         {"out_dtype": "bfloat16", "max_shard_size": "2GiB", "workers": 2, "block_elements": 4096}),
    ],
)  # fmt: skip
def test_flags_become_the_settings_they_name(flags: list[str], expected: dict[str, Any]) -> None:
    args = merge_parser().parse_args(["--low", "a", "--high", "b", "--alpha", "0.5", "--out", "x", *flags])

    assert MergeSettings.from_args(args) == MergeSettings(**{"progress": True, **expected})


def test_an_unknown_setting_is_refused_by_name(bf16_single: Pair, out: Path) -> None:
    with pytest.raises(ConfigError, match="unknown merge setting 'shard_size'"):
        merge_sweep(bf16_single.low, bf16_single.high, [0.5], out, shard_size="1GB")
    assert MergeSettings(max_shard_size="2GiB").max_shard_bytes == 2**31
