"""SLERP per tensor as a merge method: the one file that adding a method takes.

    theta(alpha) = sin((1 - alpha) * omega) / sin(omega) * low + sin(alpha * omega) / sin(omega) * high

where omega is the angle between low and high, each tensor taken as one flat vector. Where
the two are nearly parallel (|cos omega| > 0.9995) or one is zero, it is linear
interpolation, as in mergekit's `slerp`. The angle needs the whole tensor, so the method
asks for per-tensor statistics; the engine computes them in the same pass that writes
every alpha of the sweep.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import torch

from codefrontier.merge.methods import Combination, PairMethod, register_method

DOT_THRESHOLD = 0.9995


@register_method
class Slerp(PairMethod):
    name = "slerp"
    formula = (
        "sin((1 - alpha) * omega) / sin(omega) * low + sin(alpha * omega) / sin(omega) * high, "
        "omega the angle between low and high per tensor"
    )
    needs_statistics = True

    @classmethod
    def reference_url(cls) -> str:
        return "https://doi.org/10.1145/325165.325242"  # Shoemake, Animating rotation with quaternion curves

    def tensor_statistics(self, chunks: Iterator[tuple[torch.Tensor, ...]]) -> tuple[float, float, float]:
        """low . high, |low|^2 and |high|^2, accumulated in float64 chunk by chunk."""
        dot = low_sq = high_sq = 0.0
        for low, high in chunks:
            a, b = low.double(), high.double()
            dot, low_sq, high_sq = dot + float(a @ b), low_sq + float(a @ a), high_sq + float(b @ b)
        return dot, low_sq, high_sq

    def combinations(self, statistics: Any = None) -> list[Combination]:
        return [Combination("linear", slerp_weights(alpha, *statistics)) for alpha in self.alphas]


def slerp_weights(alpha: float, dot: float, low_sq: float, high_sq: float) -> tuple[float, float]:
    if low_sq == 0.0 or high_sq == 0.0:
        return 1.0 - alpha, alpha
    cos = dot / math.sqrt(low_sq * high_sq)
    if abs(cos) > DOT_THRESHOLD:
        return 1.0 - alpha, alpha
    omega = math.acos(cos)
    return math.sin((1.0 - alpha) * omega) / math.sin(omega), math.sin(alpha * omega) / math.sin(omega)
