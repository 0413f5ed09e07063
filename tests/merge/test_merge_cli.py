"""`codefrontier merge`: the command line over the Python API."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from codefrontier.cli import main
from codefrontier.errors import ConfigError
from codefrontier.merge.cli import register

from .tiny import Pair, interpolate, load_tensors, same_bits


def run_merge(*argv: str) -> int:
    """Parse and run `codefrontier merge ARGV` with the merge sub-command alone."""
    parser = argparse.ArgumentParser(prog="codefrontier")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["merge", *argv])
    return args.func(args)


def test_a_sweep_with_negative_alphas_writes_one_checkpoint_per_alpha(
    bf16_sharded: Pair, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_merge(
        "--low", str(bf16_sharded.low), "--high", str(bf16_sharded.high),
        "--alpha", "-0.5", "0", "0.25", "1.5", "--out", str(out), "--quiet",
    )  # fmt: skip

    assert code == 0
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [
        "alpha_-0.5",
        "alpha_0",
        "alpha_0.25",
        "alpha_1.5",
    ]
    low, high = load_tensors(bf16_sharded.low), load_tensors(bf16_sharded.high)
    merged = load_tensors(out / "alpha_-0.5")
    assert all(same_bits(merged[n], interpolate(low[n], high[n], -0.5)) for n in low)
    printed = capsys.readouterr().out
    assert f"{out.absolute() / 'alpha_0'}  (= low, bit for bit)" in printed
    assert "wrote 4 checkpoints" in printed and "read" in printed and "/s)" in printed


def test_task_arithmetic_takes_one_lambda_per_task_and_repeats_for_more_outputs(
    bf16_sharded: Pair, out: Path
) -> None:
    code = run_merge(
        "--base", str(bf16_sharded.low), "--task", str(bf16_sharded.high), "--task", str(bf16_sharded.high),
        "--lambda", "0.5", "0.5", "--lambda", "-1", "2", "--out", str(out), "--quiet",
    )  # fmt: skip

    assert code == 0
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["lambda_-1_2", "lambda_0.5_0.5"]


def test_out_dtype_and_shard_size_reach_the_output(fp32_single: Pair, out: Path) -> None:
    run_merge(
        "--low", str(fp32_single.low), "--high", str(fp32_single.high), "--alpha", "0.5",
        "--out", str(out), "--out-dtype", "bfloat16", "--max-shard-size", "50KB", "--no-hash", "--quiet",
    )  # fmt: skip

    checkpoint = out / "alpha_0.5"
    assert (checkpoint / "model.safetensors.index.json").exists()
    assert {str(t.dtype) for t in load_tensors(checkpoint).values()} == {"torch.bfloat16"}
    record = json.loads((checkpoint / "codefrontier_merge.json").read_text())
    assert record["max_shard_size"] == 50_000
    assert record["inputs"][0]["files"][0]["digest"] is None


def test_inspect_prints_a_table_with_the_lost_fractions(
    bf16_sharded: Pair, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_merge(
        "--inspect",
        "--low",
        str(bf16_sharded.low),
        "--high",
        str(bf16_sharded.high),
        "--alpha",
        "0.5",
        "1.5",
        "--quiet",
    )

    printed = capsys.readouterr().out
    assert code == 0
    assert "lost α=0.5" in printed and "lost α=1.5" in printed
    assert "model.layers.0.mlp.up_proj.weight" in printed and "total" in printed
    assert "changed elements round back to low" in printed


def test_inspect_json_is_machine_readable(bf16_sharded: Pair, capsys: pytest.CaptureFixture[str]) -> None:
    run_merge(
        "--inspect", "--json", "--low", str(bf16_sharded.low), "--high", str(bf16_sharded.high),
        "--out-dtype", "bfloat16", "--quiet",
    )  # fmt: skip

    report = json.loads(capsys.readouterr().out)
    assert report["out_dtype"] == "bfloat16"
    assert report["alphas"] == [0.25, 0.5, 0.75, 1.0, 1.5]
    assert {"name", "diff_norm", "relative_change", "changed", "lost_fraction"} <= report["tensors"][0].keys()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--out", "x"], "give either --low, --high and --alpha, or --base, --task and --lambda"),
        (["--low", "a", "--base", "b", "--out", "x"], "give either"),
        (["--low", "a", "--alpha", "0.5", "--out", "x"], "missing --high"),
        (["--base", "a", "--task", "b", "--out", "x"], "missing --lambda"),
        (["--low", "a", "--high", "b", "--alpha", "0.5"], "--out DIR is required"),
        (["--inspect", "--low", "a"], "--inspect needs --low and --high"),
        (["--inspect", "--low", "a", "--high", "b", "--out", "x"], "writes nothing"),
    ],
)
def test_inconsistent_options_are_refused(argv: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        run_merge(*argv)


def test_through_the_codefrontier_command_an_error_is_one_line_and_exit_2(
    bf16_single: Pair, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["merge", "--low", str(bf16_single.low), "--high", str(tmp_path / "missing"), "--alpha", "0.5",
                 "--out", str(tmp_path / "out")])  # fmt: skip

    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("codefrontier merge: error: ")
    assert str(tmp_path / "missing") in err


def test_the_command_offers_the_dtypes_and_digests_the_api_accepts() -> None:
    """The command's choices are the library's: one list each, in `merge.settings`."""
    from codefrontier.merge.safetensors_io import OUTPUT_DTYPES
    from codefrontier.merge.stream import HASH_ALGORITHMS

    parser = argparse.ArgumentParser(prog="codefrontier")
    subparsers = parser.add_subparsers(dest="command")
    register(subparsers)
    choices = {a.dest: a.choices for a in subparsers.choices["merge"]._actions if a.choices}
    assert tuple(choices["out_dtype"]) == tuple(OUTPUT_DTYPES)
    assert tuple(choices["input_hash"]) == (*HASH_ALGORITHMS, "none")
