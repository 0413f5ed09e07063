"""Merge methods are classes in a registry: a third one is one file, and it runs in the
same single streaming pass, every alpha of a sweep from one read of the inputs."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from codefrontier.errors import ConfigError
from codefrontier.merge import Interpolation, merge, merge_sweep, method_names, register_method
from codefrontier.merge.cli import register
from codefrontier.merge.methods import unregister_method

from . import slerp as slerp_module
from .tiny import Pair, interpolate, load_tensors, read_json, same_bits

BLOCK = 1000  # several blocks (and statistics chunks) per tensor, with a ragged last one
ALPHAS = [-0.5, 0.0, 0.3, 0.5, 1.0, 1.5]


@pytest.fixture
def slerp() -> Iterator[type[slerp_module.Slerp]]:
    """The method of tests/merge/slerp.py, registered (by its module) for this test only."""
    register_method(slerp_module.Slerp)
    yield slerp_module.Slerp
    unregister_method("slerp")


def reference(low: torch.Tensor, high: torch.Tensor, alpha: float) -> torch.Tensor:
    """SLERP of one tensor written out with torch: statistics over the same chunks, then the
    two-term formula in float32, rounded once to the input dtype."""
    a, b = low.reshape(-1).double(), high.reshape(-1).double()
    dot = low_sq = high_sq = 0.0
    for i in range(0, a.numel(), BLOCK):
        x, y = a[i : i + BLOCK], b[i : i + BLOCK]
        dot, low_sq, high_sq = dot + float(x @ y), low_sq + float(x @ x), high_sq + float(y @ y)
    if alpha in (0.0, 1.0):  # an input itself, bit for bit (the arithmetic would turn -0.0 into 0.0)
        return low if alpha == 0.0 else high
    w0, w1 = slerp_module.slerp_weights(alpha, dot, low_sq, high_sq)
    return (w0 * low.float() + w1 * high.float()).to(low.dtype)


def test_a_method_in_one_file_runs_a_whole_sweep_in_the_single_pass(
    slerp: type[slerp_module.Slerp], bf16_sharded: Pair, tmp_path: Path
) -> None:
    assert "slerp" in method_names()

    one = merge(slerp([0.5]), [bf16_sharded.low, bf16_sharded.high], tmp_path / "one", input_hash=None,
                block_elements=BLOCK)  # fmt: skip
    sweep = merge(slerp(ALPHAS), [bf16_sharded.low, bf16_sharded.high], tmp_path / "sweep", input_hash=None,
                  block_elements=BLOCK, workers=3)  # fmt: skip

    # Statistics and blocks: the reads do not grow with the number of alphas.
    assert sweep.bytes_read == one.bytes_read
    low, high = load_tensors(bf16_sharded.low), load_tensors(bf16_sharded.high)
    for output, alpha in zip(sweep.outputs, ALPHAS, strict=True):
        merged = load_tensors(output.path)
        assert all(same_bits(merged[n], reference(low[n], high[n], alpha)) for n in low), alpha
    assert [o.copied_from for o in sweep.outputs] == [None, "low", None, None, "high", None]


def test_slerp_is_not_linear_interpolation_where_the_tensors_are_at_an_angle(
    slerp: type[slerp_module.Slerp], bf16_single: Pair, tmp_path: Path
) -> None:
    merge(slerp([0.5]), [bf16_single.low, bf16_single.high], tmp_path / "out", block_elements=BLOCK)

    name = "model.layers.0.mlp.up_proj.weight"
    low, high = load_tensors(bf16_single.low)[name], load_tensors(bf16_single.high)[name]
    merged = load_tensors(tmp_path / "out" / "alpha_0.5")[name]
    assert same_bits(merged, reference(low, high, 0.5))
    assert not same_bits(merged, interpolate(low, high, 0.5))
    # Nearly parallel tensors (a norm's weights near 1) fall back to the linear formula.
    norm = "model.norm.weight"
    low_n, high_n = load_tensors(bf16_single.low)[norm], load_tensors(bf16_single.high)[norm]
    assert same_bits(load_tensors(tmp_path / "out" / "alpha_0.5")[norm], interpolate(low_n, high_n, 0.5))


def test_the_record_names_the_method_its_formula_and_its_paper(
    slerp: type[slerp_module.Slerp], bf16_single: Pair, out: Path
) -> None:
    merge(slerp([1.5]), [bf16_single.low, bf16_single.high], out)
    merge_sweep(bf16_single.low, bf16_single.high, [1.5], out.parent / "linear")

    record = read_json(out / "alpha_1.5" / "codefrontier_merge.json")
    assert record["method"] == "slerp" and record["alpha"] == 1.5
    assert record["formula"] == slerp.formula and record["reference"] == slerp.reference_url()
    linear = read_json(out.parent / "linear" / "alpha_1.5" / "codefrontier_merge.json")
    assert linear["method"] == "interpolation" and linear["formula"] == "(1 - alpha) * low + alpha * high"
    assert linear["reference"] == Interpolation.reference_url() == "https://arxiv.org/abs/2203.05482"


def test_the_command_offers_every_registered_method(
    slerp: type[slerp_module.Slerp], bf16_single: Pair, out: Path
) -> None:
    parser = argparse.ArgumentParser(prog="codefrontier")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["merge", "--method", "slerp", "--low", str(bf16_single.low), "--high",
                              str(bf16_single.high), "--alpha", "0.5", "--out", str(out), "--quiet"])  # fmt: skip

    assert args.func(args) == 0
    assert read_json(out / "alpha_0.5" / "codefrontier_merge.json")["method"] == "slerp"


def test_a_method_takes_the_inputs_its_roles_name(bf16_single: Pair, out: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"the interpolation merge takes 2 checkpoints \(low, high\), not 3"
    ):
        merge(Interpolation([0.5]), [bf16_single.low, bf16_single.high, bf16_single.high], out)
    assert not out.exists()


def test_a_name_is_registered_once() -> None:
    class Impostor(Interpolation):
        pass

    with pytest.raises(ValueError, match="'interpolation' is already registered"):
        register_method(Impostor)
    assert register_method(Interpolation) is Interpolation  # the same class again is fine
