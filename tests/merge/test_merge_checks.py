"""What is refused before anything is written, and how the refusal reads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import torch
from safetensors.torch import load_file, save_file

from codefrontier.errors import CodefrontierError, ConfigError, InputError
from codefrontier.merge import CheckpointMismatchError, merge_sweep, merge_task_arithmetic

from .tiny import Pair, make_pair, random_model, save, tiny_config


def nothing_written(out: Path) -> bool:
    """Neither the output nor a partial directory beside it exists."""
    return not out.exists() and not list(out.parent.glob(f".{out.name}*"))


def variant(tmp_path: Path, name: str, **config: Any) -> Path:
    """A bf16 sharded checkpoint like the shared pairs' but for `config`."""
    return save(random_model(tiny_config(**config), 0, torch.bfloat16), tmp_path / name, sharded=True)


@pytest.fixture
def bf16_fp32(tmp_path: Path) -> tuple[Path, Path]:
    config = tiny_config()
    low = save(random_model(config, 0, torch.bfloat16), tmp_path / "bf16", sharded=True)
    high = save(random_model(config, 1, torch.float32), tmp_path / "fp32", sharded=True)
    return low, high


def test_a_different_architecture_is_refused_with_the_differences_and_nothing_written(
    bf16_sharded: Pair, tmp_path: Path, out: Path
) -> None:
    deeper = variant(tmp_path, "deeper", num_hidden_layers=3)

    with pytest.raises(CheckpointMismatchError) as caught:
        merge_sweep(bf16_sharded.low, deeper, [0.5], out)

    differences = caught.value.differences
    assert differences[0] == "config 'num_hidden_layers': low 2 vs high 3"
    assert "tensor 'model.layers.2.mlp.up_proj.weight' only in high" in differences
    assert nothing_written(out)


def test_different_shapes_are_refused_with_each_tensor_listed(
    bf16_sharded: Pair, tmp_path: Path, out: Path
) -> None:
    wider = variant(tmp_path, "wider", intermediate_size=96)

    with pytest.raises(CheckpointMismatchError) as caught:
        merge_sweep(bf16_sharded.low, wider, [0.5], out)

    differences = caught.value.differences
    assert "config 'intermediate_size': low 128 vs high 96" in differences
    assert "tensor 'model.layers.0.mlp.up_proj.weight' shape [128, 64] vs [96, 64]" in differences
    assert len([d for d in differences if " shape " in d]) == 6  # gate, up, down in 2 layers
    assert nothing_written(out)


def test_different_tensor_names_are_refused(bf16_single: Pair, tmp_path: Path, out: Path) -> None:
    renamed = tmp_path / "renamed"
    shutil.copytree(bf16_single.high, renamed)
    tensors = load_file(renamed / "model.safetensors")
    tensors["model.final_norm.weight"] = tensors.pop("model.norm.weight")
    save_file(tensors, renamed / "model.safetensors", metadata={"format": "pt"})

    with pytest.raises(CheckpointMismatchError) as caught:
        merge_sweep(bf16_single.low, renamed, [0.5], out)

    assert caught.value.differences == [
        "tensor 'model.norm.weight' only in low",
        "tensor 'model.final_norm.weight' only in high",
    ]
    assert nothing_written(out)


def test_different_dtypes_are_refused_showing_the_first_ten_and_a_count(
    bf16_fp32: tuple[Path, Path], out: Path
) -> None:
    low, high = bf16_fp32

    with pytest.raises(CheckpointMismatchError) as caught:
        merge_sweep(low, high, [0.5], out)

    differences = caught.value.differences
    assert len(differences) == 21  # every tensor of the tiny model
    assert all(d.endswith("dtype bfloat16 vs float32") for d in differences)
    message = str(caught.value)
    assert message.count("dtype bfloat16 vs float32") == 10
    assert "21 differences" in message and "and 11 more" in message and "Nothing was written" in message
    assert "\n" not in message
    assert nothing_written(out)


def test_a_vocabulary_size_mismatch_is_reported_as_such(
    bf16_sharded: Pair, tmp_path: Path, out: Path
) -> None:
    bigger = variant(tmp_path, "vocab", vocab_size=130)

    with pytest.raises(CheckpointMismatchError) as caught:
        merge_sweep(bf16_sharded.low, bigger, [0.5], out)

    first = caught.value.differences[0]
    assert first.startswith("vocabulary size differs: low has 128 tokens, high has 130")
    assert "resize the embeddings" in first
    assert "vocabulary size differs" in str(caught.value)


def test_task_checkpoints_are_each_checked_against_the_base(
    bf16_sharded: Pair, tmp_path: Path, out: Path
) -> None:
    wider = variant(tmp_path, "wider", intermediate_size=96)

    with pytest.raises(CheckpointMismatchError, match="task 2"):
        merge_task_arithmetic(bf16_sharded.low, [bf16_sharded.high, wider], [[0.5, 0.5]], out)
    assert nothing_written(out)


def test_config_keys_about_saving_not_architecture_are_ignored(
    bf16_single: Pair, tmp_path: Path, out: Path
) -> None:
    trained = tmp_path / "trained"
    shutil.copytree(bf16_single.high, trained)
    config = json.loads((trained / "config.json").read_text())
    config.update(use_cache=False, transformers_version="4.57.0", _name_or_path="/scratch/run-17")
    (trained / "config.json").write_text(json.dumps(config))

    merge_sweep(bf16_single.low, trained, [0.5], out)

    assert (out / "alpha_0.5" / "model.safetensors").exists()


def test_differing_integer_tensors_are_refused_and_equal_ones_copied(tmp_path: Path) -> None:
    pair = make_pair(tmp_path, torch.bfloat16, sharded=False)
    for side, positions in (("low", [0, 1, 2]), ("high", [0, 1, 2])):
        path = getattr(pair, side) / "model.safetensors"
        tensors = load_file(path)
        tensors["model.position_ids"] = torch.tensor(positions, dtype=torch.int64)
        save_file(tensors, path, metadata={"format": "pt"})

    merge_sweep(pair.low, pair.high, [0.5], tmp_path / "equal")
    copied = load_file(tmp_path / "equal" / "alpha_0.5" / "model.safetensors")["model.position_ids"]
    assert copied.tolist() == [0, 1, 2] and copied.dtype == torch.int64

    path = pair.high / "model.safetensors"
    tensors = load_file(path)
    tensors["model.position_ids"] = torch.tensor([0, 1, 3], dtype=torch.int64)
    save_file(tensors, path, metadata={"format": "pt"})
    with pytest.raises(CheckpointMismatchError, match="integer tensor 'model.position_ids' differs"):
        merge_sweep(pair.low, pair.high, [0.5], tmp_path / "differing")
    assert nothing_written(tmp_path / "differing")


def test_an_existing_output_is_refused_unless_overwrite(bf16_single: Pair, out: Path) -> None:
    merge_sweep(bf16_single.low, bf16_single.high, [0.5], out)
    before = (out / "alpha_0.5" / "model.safetensors").read_bytes()

    with pytest.raises(ConfigError, match="exists; use --overwrite"):
        merge_sweep(bf16_single.low, bf16_single.high, [0.25], out)
    assert sorted(p.name for p in out.iterdir()) == ["alpha_0.5", "codefrontier_sweep.json"]

    merge_sweep(bf16_single.low, bf16_single.high, [0.25], out, overwrite=True)
    assert sorted(p.name for p in out.iterdir()) == ["alpha_0.25", "codefrontier_sweep.json"]
    assert before != (out / "alpha_0.25" / "model.safetensors").read_bytes()
    assert not list(out.parent.glob(f".{out.name}*"))


def test_overwrite_never_replaces_a_directory_merge_did_not_write(bf16_single: Pair, out: Path) -> None:
    out.mkdir()
    (out / "notes.txt").write_text("mine")

    with pytest.raises(ConfigError, match="was not written by codefrontier merge"):
        merge_sweep(bf16_single.low, bf16_single.high, [0.5], out, overwrite=True)
    assert (out / "notes.txt").read_text() == "mine"


def test_an_empty_existing_output_directory_is_used(bf16_single: Pair, out: Path) -> None:
    out.mkdir()

    merge_sweep(bf16_single.low, bf16_single.high, [0.5], out)

    assert (out / "alpha_0.5" / "model.safetensors").exists()


def test_an_output_inside_an_input_is_refused(bf16_single: Pair) -> None:
    with pytest.raises(ConfigError, match="overlaps the input checkpoint"):
        merge_sweep(bf16_single.low, bf16_single.high, [0.5], bf16_single.low / "sweep")


@pytest.mark.parametrize(
    ("alphas", "message"),
    [
        ([], "at least one --alpha"),
        ([0.5, 0.5], "alpha_0.5 is given twice"),
        ([float("nan")], "not a finite number"),
    ],
)
def test_bad_alpha_lists_are_refused(bf16_single: Pair, out: Path, alphas: list[float], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        merge_sweep(bf16_single.low, bf16_single.high, alphas, out)
    assert nothing_written(out)


def test_an_unknown_out_dtype_is_refused(bf16_single: Pair, out: Path) -> None:
    with pytest.raises(ConfigError, match="choose one of float32, bfloat16, float16"):
        merge_sweep(bf16_single.low, bf16_single.high, [0.5], out, out_dtype="int8")


def test_a_missing_checkpoint_names_the_path(bf16_single: Pair, tmp_path: Path, out: Path) -> None:
    with pytest.raises(InputError, match="not a directory") as caught:
        merge_sweep(bf16_single.low, tmp_path / "nowhere", [0.5], out)
    assert caught.value.path == str(tmp_path / "nowhere")


def test_a_pytorch_bin_checkpoint_is_refused_with_a_hint(
    bf16_single: Pair, tmp_path: Path, out: Path
) -> None:
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    shutil.copy(bf16_single.high / "config.json", legacy)
    (legacy / "pytorch_model.bin").write_bytes(b"")

    with pytest.raises(InputError, match="convert it to safetensors first"):
        merge_sweep(bf16_single.low, legacy, [0.5], out)


def test_a_truncated_shard_is_refused_before_writing(bf16_single: Pair, tmp_path: Path, out: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(bf16_single.high, broken)
    data = (broken / "model.safetensors").read_bytes()
    (broken / "model.safetensors").write_bytes(data[: len(data) // 2])

    with pytest.raises(InputError, match="truncated"):
        merge_sweep(bf16_single.low, broken, [0.5], out)
    assert nothing_written(out)


def test_too_little_disk_space_is_refused_before_writing(
    bf16_single: Pair, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        shutil, "disk_usage", lambda path: SimpleNamespace(total=10**9, used=10**9 - 2000, free=2000)
    )

    with pytest.raises(CodefrontierError, match=r"the merge needs [\d.]+ KB and the disk has 2\.00 KB free"):
        merge_sweep(bf16_single.low, bf16_single.high, [0.25, 0.5], out)
    assert nothing_written(out)
