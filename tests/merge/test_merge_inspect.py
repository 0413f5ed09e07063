"""`inspect_merge`: how far apart two checkpoints are, and what rounding to the output
dtype loses of the difference at each alpha."""

from __future__ import annotations

import math

import pytest
import torch
from transformers import AutoModelForCausalLM

from codefrontier.merge import inspect_merge

from .tiny import Pair, load_tensors, save


@pytest.fixture(scope="module")
def tiny_update(tmp_path_factory: pytest.TempPathFactory, fp32_single: Pair) -> Pair:
    """An fp32 pair whose difference is a relative 1e-5: far below bfloat16's resolution
    (2^-8), as after a few RL steps with fp32 master weights."""
    root = tmp_path_factory.mktemp("tiny_update")
    model = AutoModelForCausalLM.from_pretrained(fp32_single.low)
    low = save(model, root / "low", sharded=False)
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(1 + 1e-5)
    high = save(model, root / "high", sharded=False)
    return Pair(low, high, torch.float32, sharded=False)


def test_inspect_reports_the_norm_of_each_tensors_change(bf16_sharded: Pair) -> None:
    report = inspect_merge(bf16_sharded.low, bf16_sharded.high, [0.5], block_elements=1000)

    low, high = load_tensors(bf16_sharded.low), load_tensors(bf16_sharded.high)
    assert [t.name for t in report.tensors] == list(low)  # in storage order, which is the index order
    for drift in report.tensors:
        diff = high[drift.name].double() - low[drift.name].double()
        assert math.isclose(drift.diff_norm, float(diff.norm()), rel_tol=1e-6)
        assert math.isclose(drift.low_norm, float(low[drift.name].double().norm()), rel_tol=1e-6)
        assert drift.max_abs_diff == float(diff.abs().max())
        assert drift.changed == int((low[drift.name] != high[drift.name]).sum())
    total = math.sqrt(sum(float((high[n].double() - low[n].double()).norm()) ** 2 for n in low))
    assert math.isclose(report.diff_norm, total, rel_tol=1e-6)


def test_an_update_below_bfloat16_resolution_is_shown_lost_in_bfloat16(tiny_update: Pair) -> None:
    report = inspect_merge(tiny_update.low, tiny_update.high, [0.5, 1.0, 1.5], out_dtype="bfloat16")

    assert report.changed > 0.99 * report.numel
    for alpha in (0.5, 1.0, 1.5):
        fraction = report.lost_fraction(alpha)
        assert fraction is not None and fraction > 0.97, alpha


def test_the_same_update_survives_in_float32(tiny_update: Pair) -> None:
    report = inspect_merge(tiny_update.low, tiny_update.high, [0.5, 1.0, 1.5])

    assert report.out_dtype is None
    assert report.lost_fraction(1.0) == 0.0
    assert report.lost_fraction(1.5) == 0.0
    assert report.lost_fraction(0.5) < 0.01


def test_lost_counts_match_a_reference_computed_with_torch(bf16_sharded: Pair) -> None:
    report = inspect_merge(bf16_sharded.low, bf16_sharded.high, [0.1, 0.5], block_elements=1000)

    low, high = load_tensors(bf16_sharded.low), load_tensors(bf16_sharded.high)
    for drift in report.tensors:
        x, y = low[drift.name], high[drift.name]
        for alpha in (0.1, 0.5):
            merged = ((1 - alpha) * x.float() + alpha * y.float()).to(torch.bfloat16)
            assert drift.lost[alpha] == int(((x != y) & (merged == x)).sum()), (drift.name, alpha)


def test_alpha_zero_has_no_lost_fraction_and_the_report_serialises(bf16_single: Pair) -> None:
    files_before = sorted(bf16_single.low.parent.rglob("*"))

    report = inspect_merge(bf16_single.low, bf16_single.high, [0, 1])

    assert report.lost_fraction(0.0) is None
    as_json = report.to_json()
    assert as_json["total"]["lost_fraction"] == {"0.0": None, "1.0": 0.0}
    assert len(as_json["tensors"]) == len(report.tensors)
    assert sorted(bf16_single.low.parent.rglob("*")) == files_before  # inspection writes nothing
