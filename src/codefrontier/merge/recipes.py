"""What each output is made of: a recipe is a formula over the inputs and its coefficients.

Two formulas, both written exactly as they are computed (in float32, left to right):

- ``linear``: ``sum_j w_j * theta_j``. Interpolation between low and high is
  ``(1 - alpha) * theta_low + alpha * theta_high``: inputs (low, high), weights
  (1 - alpha, alpha).
- ``anchored``: ``theta_0 + sum_{j>=1} w_j * (theta_j - theta_0)``. Task arithmetic:
  inputs (base, task_1, ..., task_k), weights (lambda_1, ..., lambda_k).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from codefrontier.errors import ConfigError


@dataclass(frozen=True)
class Recipe:
    """One output checkpoint: its directory name, formula and coefficients."""

    name: str
    formula: Literal["linear", "anchored"]
    weights: tuple[float, ...]  # linear: one per input; anchored: one per input after the first

    def copies_input(self) -> int | None:
        """The input this recipe reproduces exactly, whatever the arithmetic would round to,
        or None. (alpha 0 is low, alpha 1 is high; all lambdas 0 is the base; lambda_i 1 and
        the others 0 is task i.) Such outputs are written from the input's bytes."""
        if self.formula == "linear":
            return _one_hot(self.weights)
        if all(w == 0.0 for w in self.weights):
            return 0
        task = _one_hot(self.weights)
        return None if task is None else task + 1


def _one_hot(weights: tuple[float, ...]) -> int | None:
    ones = [j for j, w in enumerate(weights) if w == 1.0]
    if len(ones) == 1 and all(w == 0.0 for j, w in enumerate(weights) if j != ones[0]):
        return ones[0]
    return None


def format_coefficient(value: float) -> str:
    """The shortest text that reads back as the same float: 0.5, -0.5, 1, 1.25, 1e-05."""
    text = repr(float(value) + 0.0)  # + 0.0 turns -0.0 into 0.0
    return text.removesuffix(".0")


def interpolation_recipes(alphas: Sequence[float]) -> list[Recipe]:
    """One recipe per alpha, named alpha_<value>; duplicates and non-finite values refused."""
    values = _finite(alphas, "alpha")
    if not values:
        raise ConfigError("give at least one --alpha value")
    recipes = [Recipe(f"alpha_{format_coefficient(a)}", "linear", (1.0 - a, a)) for a in values]
    _refuse_duplicates(recipes, "--alpha")
    return recipes


def task_arithmetic_recipes(lambda_sets: Sequence[Sequence[float]], n_tasks: int) -> list[Recipe]:
    """One recipe per lambda vector (one lambda per task), named lambda_<l1>_<l2>..."""
    if not lambda_sets:
        raise ConfigError("give at least one --lambda vector (one value per --task)")
    recipes = []
    for lambdas in lambda_sets:
        if isinstance(lambdas, int | float):
            raise ConfigError(
                "lambdas must be a list of lambda vectors, one vector per output: for example [[0.5, 0.5]]"
            )
        values = _finite(lambdas, "lambda")
        if len(values) != n_tasks:
            raise ConfigError(
                f"--lambda {' '.join(format_coefficient(v) for v in values)} has {len(values)} values but there "
                f"{'is' if n_tasks == 1 else 'are'} {n_tasks} --task checkpoint{'s' if n_tasks != 1 else ''}: give "
                "one lambda per task, and repeat --lambda for more outputs"
            )
        name = "lambda_" + "_".join(format_coefficient(v) for v in values)
        recipes.append(Recipe(name, "anchored", tuple(values)))
    _refuse_duplicates(recipes, "--lambda")
    return recipes


def _finite(values: Sequence[float], what: str) -> list[float]:
    out = []
    for v in values:
        f = float(v)
        if not math.isfinite(f):
            raise ConfigError(f"{what} {v!r} is not a finite number")
        out.append(f + 0.0)
    return out


def _refuse_duplicates(recipes: list[Recipe], option: str) -> None:
    seen: set[str] = set()
    for r in recipes:
        if r.name in seen:
            raise ConfigError(f"{option}: {r.name} is given twice")
        seen.add(r.name)
