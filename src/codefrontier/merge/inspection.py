"""How far apart two checkpoints are, and how much of the difference survives rounding.

Small updates (RL fine-tuning above all) are often smaller than one unit in the last
place of bfloat16: averaging such checkpoints and writing the result in bfloat16 rounds
many elements straight back to the low checkpoint. `inspect_merge` measures it with the
merge's own arithmetic, in the same single streaming pass, without writing anything.

An element's change is *lost* at alpha when high and low differ there, alpha is not 0,
and the merged value rounded to the output dtype equals low rounded to the output dtype.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from codefrontier.merge.checkpoint import open_checkpoint
from codefrontier.merge.checks import check_compatible, check_unsupported_dtypes
from codefrontier.merge.engine import Scratch, evaluate, load_inputs
from codefrontier.merge.methods import Combination, Interpolation
from codefrontier.merge.progress import ProgressCallback, progress_reporter
from codefrontier.merge.safetensors_io import TensorInfo
from codefrontier.merge.settings import BLOCK_ELEMENTS
from codefrontier.merge.stream import Block, InputFiles, block_specs
from codefrontier.merge.sweep import output_dtype_for, resolve_out_dtype

DEFAULT_INSPECT_ALPHAS = (0.25, 0.5, 0.75, 1.0, 1.5)


@dataclass
class TensorDrift:
    """One floating-point tensor: the size of `high - low` and, per alpha, how many
    changed elements are lost in the output dtype."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    out_dtype: str
    numel: int
    diff_norm: float  # ||high - low||_2, accumulated in float64
    low_norm: float  # ||low||_2
    max_abs_diff: float
    changed: int  # elements where high != low
    lost: dict[float, int]  # alpha -> changed elements that round back to low

    @property
    def relative_change(self) -> float:
        """||high - low|| / ||low|| (inf when low is all zeros and high is not)."""
        if self.low_norm == 0:
            return 0.0 if self.diff_norm == 0 else math.inf
        return self.diff_norm / self.low_norm

    def lost_fraction(self, alpha: float) -> float | None:
        """The fraction of changed elements whose change is lost at alpha (None for alpha 0
        or a tensor that did not change)."""
        if alpha == 0 or self.changed == 0:
            return None
        return self.lost[alpha] / self.changed


@dataclass
class InspectReport:
    low: Path
    high: Path
    alphas: tuple[float, ...]
    out_dtype: str | None  # None: each tensor keeps its input dtype
    tensors: list[TensorDrift]

    @property
    def numel(self) -> int:
        return sum(t.numel for t in self.tensors)

    @property
    def changed(self) -> int:
        return sum(t.changed for t in self.tensors)

    @property
    def diff_norm(self) -> float:
        return math.sqrt(sum(t.diff_norm**2 for t in self.tensors))

    @property
    def low_norm(self) -> float:
        return math.sqrt(sum(t.low_norm**2 for t in self.tensors))

    def lost(self, alpha: float) -> int:
        return sum(t.lost[alpha] for t in self.tensors)

    def lost_fraction(self, alpha: float) -> float | None:
        """Over the whole model: the fraction of changed elements lost at alpha."""
        if alpha == 0 or self.changed == 0:
            return None
        return self.lost(alpha) / self.changed

    def to_json(self) -> dict[str, Any]:
        return {
            "low": str(self.low),
            "high": str(self.high),
            "out_dtype": self.out_dtype,
            "alphas": list(self.alphas),
            "total": {
                "numel": self.numel,
                "changed": self.changed,
                "diff_norm": self.diff_norm,
                "low_norm": self.low_norm,
                "lost_fraction": {str(a): self.lost_fraction(a) for a in self.alphas},
            },
            "tensors": [
                {
                    "name": t.name,
                    "shape": list(t.shape),
                    "dtype": t.dtype,
                    "out_dtype": t.out_dtype,
                    "numel": t.numel,
                    "diff_norm": t.diff_norm,
                    "relative_change": t.relative_change,
                    "max_abs_diff": t.max_abs_diff,
                    "changed": t.changed,
                    "lost_fraction": {str(a): t.lost_fraction(a) for a in self.alphas},
                }
                for t in self.tensors
            ],
        }


def inspect_merge(
    low: str | os.PathLike[str],
    high: str | os.PathLike[str],
    alphas: Sequence[float] = DEFAULT_INSPECT_ALPHAS,
    *,
    out_dtype: str | None = None,
    progress: bool | ProgressCallback = False,
    block_elements: int = BLOCK_ELEMENTS,
) -> InspectReport:
    """Per-tensor norms of `high - low` and, at each alpha, the fraction of changed
    elements that the merge would round back to low in the output dtype (`out_dtype`, or
    each tensor's input dtype). Reads both checkpoints once; writes nothing."""
    method = Interpolation(alphas)
    values = method.alphas
    combinations = list(zip(values, method.combinations(), strict=True))
    target = resolve_out_dtype(out_dtype)
    checkpoints = [open_checkpoint(low, "low"), open_checkpoint(high, "high")]
    check_compatible(checkpoints)
    check_unsupported_dtypes(checkpoints[0])
    choose = output_dtype_for(target)
    scratch = Scratch()
    files = InputFiles(checkpoints)
    total = sum(c.tensor_bytes for c in checkpoints)
    drifts: dict[str, TensorDrift] = {}
    try:
        with progress_reporter(progress, "inspecting") as report:
            done = 0
            for spec in block_specs(checkpoints, block_elements):
                block = files.read(spec)
                done += block.nbytes
                info = spec.tensors[0]
                if info.dtype.kind == "float":
                    drift = drifts.get(info.name)
                    if drift is None:
                        drift = drifts[info.name] = _new_drift(info, choose(info).name, values)
                    _accumulate(drift, scratch, block, combinations, choose(info).torch_dtype)
                files.release(block)
                if report is not None:
                    report(done, total)
    finally:
        files.close()
    for drift in drifts.values():
        drift.diff_norm, drift.low_norm = math.sqrt(drift.diff_norm), math.sqrt(drift.low_norm)
    return InspectReport(
        checkpoints[0].path,
        checkpoints[1].path,
        values,
        target.name if target else None,
        list(drifts.values()),
    )


def _new_drift(info: TensorInfo, out_dtype: str, alphas: tuple[float, ...]) -> TensorDrift:
    return TensorDrift(
        name=info.name,
        shape=info.shape,
        dtype=info.dtype.name,
        out_dtype=out_dtype,
        numel=info.numel,
        diff_norm=0.0,
        low_norm=0.0,
        max_abs_diff=0.0,
        changed=0,
        lost=dict.fromkeys(alphas, 0),
    )


def _accumulate(
    drift: TensorDrift,
    scratch: Scratch,
    block: Block,
    combinations: Sequence[tuple[float, Combination]],
    out: torch.dtype,
) -> None:
    """Add one block's squared norms, changed and lost counts (norms are squared until the end)."""
    if block.count == 0:
        return
    low, high = load_inputs(scratch, block, 0, block.count, writable=False)
    diff, _ = scratch.get("diff", low.dtype, block.count)
    torch.sub(high, low, out=diff)
    drift.diff_norm += float(torch.dot(diff.double(), diff.double()))
    drift.low_norm += float(torch.dot(low.double(), low.double()))
    drift.max_abs_diff = max(drift.max_abs_diff, float(diff.abs().max()))
    changed = low != high
    drift.changed += int(changed.sum())
    low_rounded = low.to(out)
    for alpha, combination in combinations:
        if alpha == 0:
            continue
        merged = evaluate(scratch, combination, [low, high]).to(out)
        drift.lost[alpha] += int((changed & (merged == low_rounded)).sum())
