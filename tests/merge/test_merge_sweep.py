"""The promises of `merge_sweep`: what each output holds, bit for bit, and that it is a
checkpoint transformers loads as it is."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import blake3
import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, AutoTokenizer

from codefrontier.errors import ConfigError
from codefrontier.merge import engine, merge_sweep

from .tiny import Pair, interpolate, load_tensors, make_pair, nbytes, read_json, same_bits

SMALL_BLOCKS = 1000  # a few blocks per tensor, with a ragged last block


def test_alpha_zero_and_one_reproduce_the_inputs_bit_for_bit(pair: Pair, out: Path) -> None:
    result = merge_sweep(pair.low, pair.high, [0, 1], out, block_elements=SMALL_BLOCKS)

    low, high = load_tensors(pair.low), load_tensors(pair.high)
    at_zero, at_one = load_tensors(out / "alpha_0"), load_tensors(out / "alpha_1")
    assert at_zero.keys() == low.keys() and at_one.keys() == high.keys()
    assert all(same_bits(at_zero[name], low[name]) for name in low)
    assert all(same_bits(at_one[name], high[name]) for name in high)
    assert [o.copied_from for o in result.outputs] == ["low", "high"]


def test_alpha_half_equals_the_float32_reference_rounded_to_the_input_dtype(pair: Pair, out: Path) -> None:
    merge_sweep(pair.low, pair.high, [0.5], out, block_elements=SMALL_BLOCKS)

    low, high, merged = load_tensors(pair.low), load_tensors(pair.high), load_tensors(out / "alpha_0.5")
    assert merged.keys() == low.keys()
    for name in low:
        assert same_bits(merged[name], interpolate(low[name], high[name], 0.5)), name


def test_every_alpha_of_a_sweep_matches_its_reference(bf16_sharded: Pair, out: Path) -> None:
    alphas = [-0.5, 0.1, 0.25, 0.75, 1.25, 1.5, 3.0]
    result = merge_sweep(
        bf16_sharded.low, bf16_sharded.high, alphas, out, block_elements=SMALL_BLOCKS, workers=3
    )

    assert [o.name for o in result.outputs] == [
        "alpha_-0.5", "alpha_0.1", "alpha_0.25", "alpha_0.75", "alpha_1.25", "alpha_1.5", "alpha_3",
    ]  # fmt: skip
    low, high = load_tensors(bf16_sharded.low), load_tensors(bf16_sharded.high)
    for output, alpha in zip(result.outputs, alphas, strict=True):
        merged = load_tensors(output.path)
        assert all(same_bits(merged[n], interpolate(low[n], high[n], alpha)) for n in low), alpha


def test_each_input_tensor_is_read_once_however_many_alphas(
    bf16_sharded: Pair, out: Path, tmp_path: Path
) -> None:
    one = merge_sweep(bf16_sharded.low, bf16_sharded.high, [0.5], tmp_path / "one", input_hash=None)
    eight = merge_sweep(
        bf16_sharded.low, bf16_sharded.high, [-0.5, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5], out, input_hash=None
    )

    assert one.bytes_read == eight.bytes_read == 2 * nbytes(load_tensors(bf16_sharded.low))
    assert eight.bytes_written > 7 * one.bytes_written


def test_an_extrapolated_checkpoint_loads_with_transformers_and_generates(
    bf16_sharded: Pair, out: Path
) -> None:
    merge_sweep(bf16_sharded.low, bf16_sharded.high, [1.5], out)

    model = AutoModelForCausalLM.from_pretrained(out / "alpha_1.5")
    tokenizer = AutoTokenizer.from_pretrained(out / "alpha_1.5")
    prompt = tokenizer("t5 t6 t7", return_tensors="pt")
    generated = model.generate(**prompt, max_new_tokens=6, do_sample=False, pad_token_id=0)

    assert model.dtype == torch.bfloat16
    assert generated.shape == (1, 3 + 6)
    expected = interpolate(
        load_tensors(bf16_sharded.low)["model.norm.weight"],
        load_tensors(bf16_sharded.high)["model.norm.weight"],
        1.5,
    )
    assert same_bits(model.model.norm.weight.detach(), expected)


def test_outputs_are_sharded_at_the_size_the_user_sets(fp32_single: Pair, out: Path) -> None:
    cap = 40_000
    merge_sweep(fp32_single.low, fp32_single.high, [0.5], out, max_shard_size=cap)

    checkpoint = out / "alpha_0.5"
    index = read_json(checkpoint / "model.safetensors.index.json")
    shards = sorted(checkpoint.glob("*.safetensors"))
    assert len(shards) > 3 and set(index["weight_map"].values()) == {p.name for p in shards}
    for shard in shards:
        tensors = load_file(shard)
        assert nbytes(tensors) <= cap or len(tensors) == 1
    assert index["metadata"]["total_size"] == nbytes(load_tensors(checkpoint))
    assert AutoModelForCausalLM.from_pretrained(checkpoint).num_parameters() > 0


def test_one_output_shard_has_no_index_like_transformers(bf16_sharded: Pair, out: Path) -> None:
    merge_sweep(bf16_sharded.low, bf16_sharded.high, [0.5], out)

    assert sorted(p.name for p in (out / "alpha_0.5").glob("model*")) == ["model.safetensors"]


def test_tied_embeddings_are_written_as_the_input_stores_them(tmp_path: Path, out: Path) -> None:
    tied = make_pair(tmp_path, torch.bfloat16, sharded=True, tied=True)
    assert "lm_head.weight" not in load_tensors(tied.low)

    merge_sweep(tied.low, tied.high, [0.5], out)

    merged = load_tensors(out / "alpha_0.5")
    assert "lm_head.weight" not in merged
    model = AutoModelForCausalLM.from_pretrained(out / "alpha_0.5")
    assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
    assert same_bits(model.model.embed_tokens.weight.detach(), merged["model.embed_tokens.weight"])


def test_config_generation_config_and_tokenizer_are_copied_from_low(bf16_sharded: Pair, out: Path) -> None:
    merge_sweep(bf16_sharded.low, bf16_sharded.high, [0.5], out)

    for name in ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"):
        assert (out / "alpha_0.5" / name).read_bytes() == (bf16_sharded.low / name).read_bytes(), name


def test_a_tokenizer_that_differs_between_the_inputs_is_reported(bf16_single: Pair, tmp_path: Path) -> None:
    retokenized = tmp_path / "retokenized"
    shutil.copytree(bf16_single.high, retokenized)
    (retokenized / "tokenizer_config.json").write_text("{}")

    result = merge_sweep(bf16_single.low, retokenized, [0.5], tmp_path / "out")

    assert result.warnings == ["tokenizer_config.json differs between low and high; copied from low"]
    copied = (tmp_path / "out" / "alpha_0.5" / "tokenizer_config.json").read_bytes()
    assert copied == (bf16_single.low / "tokenizer_config.json").read_bytes()


def test_the_metadata_record_names_inputs_hashes_alpha_and_tool(bf16_sharded: Pair, out: Path) -> None:
    merge_sweep(bf16_sharded.low, bf16_sharded.high, [-0.5, 0.5], out)

    record = read_json(out / "alpha_-0.5" / "codefrontier_merge.json")
    assert record["format"] == "codefrontier-merge/1"
    assert record["tool"].startswith("codefrontier ")
    assert record["method"] == "interpolation" and record["alpha"] == -0.5
    assert record["sweep"] == ["alpha_-0.5", "alpha_0.5"]
    assert [i["role"] for i in record["inputs"]] == ["low", "high"]
    for entry, directory in zip(record["inputs"], (bf16_sharded.low, bf16_sharded.high), strict=True):
        assert entry["path"] == str(directory.resolve())
        files = sorted(directory.glob("*.safetensors"))
        assert [f["name"] for f in entry["files"]] == [p.name for p in files]
        assert [f["digest"] for f in entry["files"]] == [
            "blake3:" + blake3.blake3(p.read_bytes()).hexdigest() for p in files
        ]
        assert entry["config_sha256"] == hashlib.sha256((directory / "config.json").read_bytes()).hexdigest()
    assert record["dtypes"] == {
        "input": ["bfloat16"], "output": ["bfloat16"], "compute": ["float32"], "rounding": "nearest, ties to even",
    }  # fmt: skip


def test_hashes_are_right_when_the_inputs_are_sharded_differently(bf16_sharded: Pair, tmp_path: Path) -> None:
    """high is in one file, low in several: high's file is not streamed in its own order."""
    model = AutoModelForCausalLM.from_pretrained(bf16_sharded.high)
    high_single = tmp_path / "high_single"
    model.save_pretrained(high_single)

    result = merge_sweep(bf16_sharded.low, high_single, [0.5], tmp_path / "out", input_hash="sha256")

    high_files = result.inputs[1].files
    assert [f.digest for f in high_files] == [
        "sha256:" + hashlib.sha256((high_single / "model.safetensors").read_bytes()).hexdigest()
    ]
    assert [f.digest for f in result.inputs[0].files] == [
        "sha256:" + hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(bf16_sharded.low.glob("*.safetensors"))
    ]
    low, high = load_tensors(bf16_sharded.low), load_tensors(high_single)
    merged = load_tensors(tmp_path / "out" / "alpha_0.5")
    assert all(same_bits(merged[n], interpolate(low[n], high[n], 0.5)) for n in low)


def test_without_hashing_the_record_says_so(bf16_single: Pair, out: Path) -> None:
    merge_sweep(bf16_single.low, bf16_single.high, [0.5], out, input_hash=None)

    record = read_json(out / "alpha_0.5" / "codefrontier_merge.json")
    files = [f for i in record["inputs"] for f in i["files"]]
    assert [f["name"] for f in files] == ["model.safetensors", "model.safetensors"]
    assert all(f["digest"] is None for f in files)


def test_an_unknown_hash_is_refused_before_anything_is_written(bf16_single: Pair, out: Path) -> None:
    with pytest.raises(ConfigError, match="unknown input hash 'md5'"):
        merge_sweep(bf16_single.low, bf16_single.high, [0.5], out, input_hash="md5")
    assert not out.exists()


def test_out_dtype_rounds_float32_to_bfloat16_to_nearest_even(fp32_sharded: Pair, out: Path) -> None:
    merge_sweep(
        fp32_sharded.low, fp32_sharded.high, [0, 0.5], out, out_dtype="bfloat16", block_elements=SMALL_BLOCKS
    )

    low, high = load_tensors(fp32_sharded.low), load_tensors(fp32_sharded.high)
    at_zero, at_half = load_tensors(out / "alpha_0"), load_tensors(out / "alpha_0.5")
    for name in low:
        assert same_bits(at_zero[name], low[name].to(torch.bfloat16)), name
        expected = ((1 - 0.5) * low[name] + 0.5 * high[name]).to(torch.bfloat16)
        assert same_bits(at_half[name], expected), name
    assert read_json(out / "alpha_0.5" / "config.json")["dtype"] == "bfloat16"
    assert AutoModelForCausalLM.from_pretrained(out / "alpha_0.5").dtype == torch.bfloat16


def test_conversion_to_bfloat16_rounds_ties_to_even_and_does_not_truncate() -> None:
    """The rounding the merge relies on (torch's conversion), on values chosen to show it:
    bf16 keeps 8 significant bits, so 1 + 2^-8 is a tie between 1 and 1 + 2^-7."""
    from codefrontier.merge.engine import Scratch, convert
    from codefrontier.merge.safetensors_io import OUTPUT_DTYPES

    values = torch.tensor([1 + 2**-8, 1 + 3 * 2**-8, 1 + 2**-8 + 2**-20, 1 + 2**-9], dtype=torch.float32)
    data = convert(Scratch(), values, OUTPUT_DTYPES["bfloat16"], 4)
    rounded = torch.frombuffer(bytearray(data), dtype=torch.bfloat16).float()

    assert rounded.tolist() == [1.0, 1 + 4 * 2**-8, 1 + 2 * 2**-8, 1.0]


def test_results_do_not_depend_on_block_chunk_or_worker_count(
    bf16_sharded: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alphas = [-0.5, 0.3, 1.5]
    merge_sweep(bf16_sharded.low, bf16_sharded.high, alphas, tmp_path / "b", workers=1)
    monkeypatch.setattr(engine, "COMPUTE_CHUNK", 333)  # blocks of 777 compute as 333 + 333 + 111
    merge_sweep(bf16_sharded.low, bf16_sharded.high, alphas, tmp_path / "a", block_elements=777, workers=4)

    for name in ("alpha_-0.5", "alpha_0.3", "alpha_1.5"):
        assert (tmp_path / "a" / name / "model.safetensors").read_bytes() == (
            tmp_path / "b" / name / "model.safetensors"
        ).read_bytes()


def test_elements_equal_in_both_inputs_come_out_unchanged_in_bfloat16(
    bf16_single: Pair, tmp_path: Path
) -> None:
    """A frozen tensor stays bit-identical at any alpha, although it goes through the arithmetic."""
    frozen = tmp_path / "frozen_high"
    shutil.copytree(bf16_single.high, frozen)
    model = AutoModelForCausalLM.from_pretrained(frozen)
    low_model = AutoModelForCausalLM.from_pretrained(bf16_single.low)
    with torch.no_grad():
        model.model.embed_tokens.weight.copy_(low_model.model.embed_tokens.weight)
    model.save_pretrained(frozen)

    result = merge_sweep(bf16_single.low, frozen, [-2.0, 0.3, 0.7, 1.5, 4.0], tmp_path / "out")

    embed = load_tensors(bf16_single.low)["model.embed_tokens.weight"]
    for output in result.outputs:
        assert same_bits(load_tensors(output.path)["model.embed_tokens.weight"], embed), output.name


def test_progress_reports_bytes_up_to_the_total(bf16_sharded: Pair, out: Path) -> None:
    calls: list[tuple[int, int]] = []
    merge_sweep(
        bf16_sharded.low,
        bf16_sharded.high,
        [0.5],
        out,
        block_elements=SMALL_BLOCKS,
        progress=lambda d, t: calls.append((d, t)),
    )

    done = [d for d, _ in calls]
    assert done == sorted(done) and len(calls) > 10
    assert calls[-1] == (2 * nbytes(load_tensors(bf16_sharded.low)),) * 2


def test_the_summary_reports_bytes_and_throughput(bf16_single: Pair, out: Path) -> None:
    result = merge_sweep(bf16_single.low, bf16_single.high, [0.25, 0.5], out)

    assert result.bytes_read > 0 and result.bytes_written > 0 and result.seconds > 0
    assert result.write_throughput == result.bytes_written / result.seconds
    summary = result.summary()
    assert (
        summary.startswith(f"wrote 2 checkpoints to {out.absolute()}")
        and "read" in summary
        and "/s" in summary
    )
    assert result.paths == [out.absolute() / "alpha_0.25", out.absolute() / "alpha_0.5"]
