"""Merge never writes a broken checkpoint and exits 0: overflowing coefficients, impossible
shapes, an output it cannot write, and two merges into the same directory at once."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from codefrontier.cli import main
from codefrontier.errors import ConfigError, InputError
from codefrontier.merge import MergeOverflowError, merge_sweep

from .tiny import Pair, interpolate, load_tensors, paused_merge, same_bits


def nothing_written(out: Path) -> bool:
    return not out.exists() and not list(out.parent.glob(f".{out.name}*"))


def checkpoint(path: Path, values: dict[str, torch.Tensor]) -> Path:
    path.mkdir(parents=True)
    save_file(values, str(path / "model.safetensors"))
    (path / "config.json").write_text(
        json.dumps({"architectures": ["LlamaForCausalLM"], "model_type": "llama"})
    )
    return path


def pair(tmp_path: Path, dtype: torch.dtype, scale: float) -> tuple[Path, Path]:
    generator = torch.Generator().manual_seed(0)
    low = torch.randn(3000, generator=generator) * scale
    high = low + torch.randn(3000, generator=generator) * scale
    return (
        checkpoint(tmp_path / "low", {"w": low.to(dtype), "b": torch.ones(5, dtype=dtype)}),
        checkpoint(tmp_path / "high", {"w": high.to(dtype), "b": torch.ones(5, dtype=dtype)}),
    )


@pytest.mark.parametrize("kernel", ["c", "torch"])
def test_an_alpha_that_overflows_the_weights_is_refused_and_nothing_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel: str
) -> None:
    if kernel == "torch":
        monkeypatch.setenv("CODEFRONTIER_MERGE_KERNEL", "torch")
    low, high = pair(tmp_path, torch.bfloat16, 10.0)
    out = tmp_path / "out"

    with pytest.raises(MergeOverflowError, match=r"alpha_1e\+38: tensor 'w' overflows bfloat16") as caught:
        merge_sweep(low, high, [0.5, 1e38], out, block_elements=1000)

    assert (caught.value.output, caught.value.tensor) == ("alpha_1e+38", "w")
    assert nothing_written(out)


def test_the_command_reports_an_overflow_in_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    low, high = pair(tmp_path, torch.bfloat16, 10.0)
    out = tmp_path / "out"

    code = main(
        ["merge", "--low", str(low), "--high", str(high), "--alpha", "1e38", "--out", str(out), "--quiet"]
    )

    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "overflows bfloat16" in err
    assert nothing_written(out)


def test_a_coefficient_beyond_float32_is_refused_before_reading(bf16_single: Pair, out: Path) -> None:
    with pytest.raises(ConfigError, match=r"alpha 1e\+39 is beyond float32's range"):
        merge_sweep(bf16_single.low, bf16_single.high, [1e39], out)
    assert nothing_written(out)


def test_float16_extrapolation_past_65504_is_refused(tmp_path: Path) -> None:
    low, high = pair(tmp_path, torch.float16, 1000.0)

    with pytest.raises(MergeOverflowError, match="alpha_200: tensor 'w' overflows float16"):
        merge_sweep(low, high, [200.0], tmp_path / "out")
    assert nothing_written(tmp_path / "out")


def test_a_copy_converted_past_the_output_dtypes_range_is_refused(tmp_path: Path) -> None:
    low, high = pair(tmp_path, torch.float32, 1e5)

    with pytest.raises(MergeOverflowError, match="alpha_0: tensor 'w' overflows float16"):
        merge_sweep(low, high, [0.0], tmp_path / "out", out_dtype="float16")
    assert nothing_written(tmp_path / "out")


def test_infinities_already_in_the_inputs_are_merged_not_refused(tmp_path: Path) -> None:
    values = torch.tensor([float("inf"), 1.0, 2.0], dtype=torch.bfloat16)
    low = checkpoint(tmp_path / "low", {"w": values})
    high = checkpoint(tmp_path / "high", {"w": values})

    merge_sweep(low, high, [0.5, 1.5], tmp_path / "out")

    for name in ("alpha_0.5", "alpha_1.5"):  # inf, and inf - inf = nan: what the inputs make
        merged = load_tensors(tmp_path / "out" / name)["w"]
        assert not torch.isfinite(merged[0]) and merged[1:].tolist() == [1.0, 2.0]


def test_a_negative_shape_whose_size_matches_its_bytes_is_refused(bf16_single: Pair, tmp_path: Path) -> None:
    """[-8, -4] has 32 elements, as many as the 128 bytes of float32 it claims."""
    body = json.dumps({"w": {"dtype": "F32", "shape": [-8, -4], "data_offsets": [0, 128]}}).encode()
    forged = checkpoint(tmp_path / "forged", {"w": torch.zeros(32)})
    (forged / "model.safetensors").write_bytes(len(body).to_bytes(8, "little") + body + bytes(128))

    with pytest.raises(InputError, match=r"tensor 'w': shape \[-8, -4\] has a negative dimension") as caught:
        merge_sweep(forged, forged, [0.5], tmp_path / "out")
    assert caught.value.path == str(forged / "model.safetensors")
    assert nothing_written(tmp_path / "out")


@contextmanager
def read_only_directory(path: Path) -> Iterator[Path]:
    """A directory nobody can create files in: mode 0555, and immutable as well when we are
    root (whom modes do not stop)."""
    path.mkdir()
    path.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    immutable = os.geteuid() == 0 and shutil.which("chattr") is not None
    if immutable:
        subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        with pytest.raises(OSError):
            (path / "probe").mkdir()
        yield path
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o755)


def test_an_output_in_a_read_only_directory_is_one_line_and_exit_2(
    bf16_single: Pair, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with read_only_directory(tmp_path / "readonly") as readonly:
        out = readonly / "sweep"
        code = main(["merge", "--low", str(bf16_single.low), "--high", str(bf16_single.high), "--alpha", "0.5",
                     "--out", str(out), "--quiet"])  # fmt: skip

        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1
        assert err.startswith(f"codefrontier merge: error: --out {out}: cannot write in {readonly}")
        assert list(readonly.iterdir()) == []


def test_an_output_under_a_file_is_one_line_and_exit_2(
    bf16_single: Pair, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    out = tmp_path / "notes.txt" / "sweep"

    code = main(["merge", "--low", str(bf16_single.low), "--high", str(bf16_single.high), "--alpha", "0.5",
                 "--out", str(out), "--quiet"])  # fmt: skip

    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "cannot write in" in err
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_second_merge_into_the_same_output_refuses_and_the_first_completes(
    bf16_sharded: Pair, out: Path
) -> None:
    first = paused_merge(bf16_sharded, out, [0.5, 1.5])
    try:
        assert first.stdin is not None and first.stdout is not None
        with pytest.raises(
            ConfigError, match=f"being written by another codefrontier merge \\(process {first.pid}"
        ):
            merge_sweep(bf16_sharded.low, bf16_sharded.high, [0.25], out, overwrite=True)

        first.stdin.write("go on\n")
        first.stdin.flush()
        assert first.stdout.readline() == "done\n"
    finally:
        first.kill()
        first.wait()

    assert sorted(p.name for p in out.iterdir()) == ["alpha_0.5", "alpha_1.5", "codefrontier_sweep.json"]
    low, high = load_tensors(bf16_sharded.low), load_tensors(bf16_sharded.high)
    merged = load_tensors(out / "alpha_1.5")
    assert all(same_bits(merged[n], interpolate(low[n], high[n], 1.5)) for n in low)
    assert not list(out.parent.glob(f".{out.name}.*"))


def test_an_output_that_appears_during_the_merge_is_left_alone(bf16_single: Pair, out: Path) -> None:
    def someone_else_writes_out(done: int, total: int) -> None:
        if not out.exists():
            out.mkdir()
            (out / "notes.txt").write_text("mine")

    with pytest.raises(ConfigError, match="appeared while merging"):
        merge_sweep(bf16_single.low, bf16_single.high, [0.5], out, progress=someone_else_writes_out)

    assert [p.name for p in out.iterdir()] == ["notes.txt"] and (out / "notes.txt").read_text() == "mine"
    assert not list(out.parent.glob(f".{out.name}.*"))
