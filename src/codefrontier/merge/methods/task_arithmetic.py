"""Task arithmetic: add scaled task vectors (fine-tuned minus base) to the base.

    theta = theta_base + sum_i lambda_i * (theta_task_i - theta_base)

With one task, `lambda 1.5` extrapolates along the training direction, the same
operation as interpolation's `alpha 1.5` between base and task.
"""

from __future__ import annotations

from typing import Any

from codefrontier.merge.methods.base import Combination, TaskVectorMethod
from codefrontier.merge.methods.registry import register_method


@register_method
class TaskArithmetic(TaskVectorMethod):
    """`base + sum_i lambda_i * (task_i - base)` for every lambda vector of the sweep."""

    name = "task_arithmetic"
    formula = "base + sum_i lambda_i * (task_i - base)"

    @classmethod
    def reference_url(cls) -> str:
        return "https://arxiv.org/abs/2212.04089"  # Ilharco et al., Editing models with task arithmetic

    def combinations(self, statistics: Any = None) -> list[Combination]:
        return [Combination("anchored", vector) for vector in self.lambdas]
