"""Linear interpolation and extrapolation between two checkpoints.

    theta(alpha) = (1 - alpha) * theta_low + alpha * theta_high

Alpha between 0 and 1 interpolates (a weighted model soup of two checkpoints that share
an initialisation); alpha below 0 or above 1 extrapolates along the line through them,
which is how a policy past its last checkpoint is reached without training (ExPO,
https://arxiv.org/abs/2404.16792). Alpha 0 is low and alpha 1 is high, bit for bit.
"""

from __future__ import annotations

from typing import Any

from codefrontier.merge.methods.base import Combination, PairMethod
from codefrontier.merge.methods.registry import register_method


@register_method
class Interpolation(PairMethod):
    """`(1 - alpha) * low + alpha * high` for every alpha of the sweep."""

    name = "interpolation"
    formula = "(1 - alpha) * low + alpha * high"

    @classmethod
    def reference_url(cls) -> str:
        return "https://arxiv.org/abs/2203.05482"  # Wortsman et al., Model soups

    def combinations(self, statistics: Any = None) -> list[Combination]:
        # 1 - alpha is computed in Python (float64) and rounded to float32 when applied,
        # as in the expression written with torch tensors.
        return [Combination("linear", (1.0 - a, a)) for a in self.alphas]
