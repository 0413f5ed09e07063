"""The correctness-efficiency frontier.

Every policy is a point (correctness-failure rate, optimization-failure rate); its
solve rate is 1 minus their sum, so lines x + y = constant are lines of equal solve
rate. Policies carry an ordering value from their metadata (`order`, else `alpha`,
else a numeric `coverage`): the frontier lays them out along that value, the
"alpha line", and marks the Pareto-optimal ones: no other policy has both rates at
most as high and one strictly lower.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from codefrontier.analysis.estimators import fractions, row_means
from codefrontier.errors import InputError
from codefrontier.store.queries import Outcomes

ORDER_KEYS = ("order", "alpha", "coverage")


def order_value(meta: Mapping[str, Any]) -> tuple[float | None, str | None]:
    """A policy's ordering value and the key it came from: `order` if present, else
    `alpha`, else `coverage` when it is a number (a tier name does not order), else
    (None, None). Raises InputError if `order` or `alpha` is not a number."""
    for key in ORDER_KEYS:
        value = meta.get(key)
        if value is None or isinstance(value, bool):
            continue
        if isinstance(value, int | float) and math.isfinite(value):
            return float(value), key
        if isinstance(value, str) and key == "coverage":
            try:
                return float(value), key
            except ValueError:
                continue  # a tier name
        raise InputError(f"{key} must be a finite number, got {value!r}", field=f"policy_meta.{key}")
    return None, None


def pareto_optimal(points: Sequence[tuple[float, float]]) -> list[bool]:
    """For points to minimize in both coordinates: True where no other point is at
    least as low in both and strictly lower in one. Equal points are all optimal;
    a point with a NaN coordinate is never optimal and dominates nothing."""
    pts = [(x, y) for x, y in points]
    finite = [not (math.isnan(x) or math.isnan(y)) for x, y in pts]
    flags = []
    for i, (x, y) in enumerate(pts):
        dominated = any(
            finite[j] and xj <= x and yj <= y and (xj < x or yj < y)
            for j, (xj, yj) in enumerate(pts)
            if j != i
        )
        flags.append(finite[i] and not dominated)
    return flags


@dataclass(frozen=True)
class FrontierPoint:
    """One policy on the frontier. Rates are macro averages over the problems on
    which the policy has judged samples (`problems` of them); `samples` counts its
    judged samples and `internal` the IE samples excluded from every rate."""

    policy: str
    order: float | None
    order_key: str | None
    problems: int
    samples: int
    internal: int
    solved: float
    correctness: float
    optimization: float
    highest_level: float
    pareto: bool


def frontier(results: Outcomes) -> list[FrontierPoint]:
    """The policies as frontier points, laid out along the alpha line: by ordering
    value (ties by name), then the policies without one, by name."""
    n = results.n
    rates = {
        "solved": row_means(fractions(results.solved, n)),
        "correctness": row_means(fractions(results.correctness, n)),
        "optimization": row_means(fractions(results.optimization, n)),
        "highest_level": row_means(np.where(n > 0, results.highest_level, np.nan)),
    }
    points = []
    for i, policy in enumerate(results.policies):
        try:
            order, key = order_value(results.meta[policy])
        except InputError as exc:
            raise InputError(
                f"policy {policy!r}: {exc.message}", path=results.stores[0].samples, field=exc.field
            ) from None
        points.append(
            dict(
                policy=policy,
                order=order,
                order_key=key,
                problems=int((n[i] > 0).sum()),
                samples=int(n[i].sum()),
                internal=int(results.internal[i].sum()),
                **{name: float(values[i]) for name, values in rates.items()},
            )
        )
    flags = pareto_optimal([(p["correctness"], p["optimization"]) for p in points])
    laid_out = sorted(
        zip(points, flags, strict=True),
        key=lambda pf: (pf[0]["order"] is None, pf[0]["order"] or 0.0, pf[0]["policy"]),
    )
    return [FrontierPoint(**p, pareto=flag) for p, flag in laid_out]


def policy_order(results: Outcomes) -> list[int]:
    """Indices of `results.policies` in frontier order (see `frontier`)."""
    index = {q: i for i, q in enumerate(results.policies)}
    return [index[p.policy] for p in frontier(results)]
