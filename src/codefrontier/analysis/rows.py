"""The row type of each table the report writes: one frozen dataclass per table.

Each field is one CSV column (docs/report.md defines them, table by table); its
`column(...)` metadata says how the report page shows it (see `tables`). The
CSV header and the page's table are generated from these fields, so a column is
declared once, here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from codefrontier.analysis.tables import ci, column, fmt_split, pct, pp
from codefrontier.store.queries import VERDICTS


def _or_empty(fmt: str) -> object:
    return lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, fmt)


@dataclass(frozen=True)
class PolicyRow:
    """policies.csv: one row per policy, in frontier order."""

    policy: str = column(title="policy")
    order_key: str | None = column(
        title="ordering", cell=lambda r: "" if r.order is None else f"{r.order_key}={r.order:g}"
    )
    order: float | None = column()
    pareto: bool = column(title="Pareto", show=lambda v: "yes" if v else "")
    problems: int = column(title="problems")
    samples: int = column(title="samples")
    internal_excluded: int = column(title="IE excluded")
    internal_share: float = column(
        title="IE share",
        cell=lambda r: pct(r.internal_share) + (" \u26a0 see the warning" if r.internal_flagged else ""),
    )
    internal_flagged: bool = column()
    solved_rate: float = column(title="solved", show=pct)
    solved_ci_low: float = column(title="solved CI", cell=lambda r: ci(r.solved_ci_low, r.solved_ci_high))
    solved_ci_high: float = column()
    correctness_rate: float = column(title="correctness failures", show=pct)
    optimization_rate: float = column(title="optimization failures", show=pct)
    optimization_partial: int = column()
    highest_level: float = column(title="mean passed prefix", show=pct)
    policy_meta: str = column()


@dataclass(frozen=True)
class PassAtKRow:
    """pass_at_k.csv: one row per policy and k (the page shows it pivoted)."""

    policy: str = column()
    k: int = column()
    pass_at_k: float = column()
    ci_low: float = column()
    ci_high: float = column()
    problems: int = column()
    not_estimable: int = column()


@dataclass(frozen=True)
class BucketRow:
    """buckets.csv: one row per difficulty bucket and policy."""

    bucket: str = column(title="bucket")
    policy: str = column(title="policy")
    problems: int = column(title="problems")
    samples: int = column()
    internal_excluded: int = column()
    solved_rate: float = column(title="solved", show=pct)
    correctness_rate: float = column(title="correctness failures", show=pct)
    optimization_rate: float = column(title="optimization failures", show=pct)


@dataclass(frozen=True)
class VerdictRow:
    """verdicts.csv: one row per policy and sample verdict (the page shows it pivoted)."""

    policy: str = column()
    verdict: str = column()
    samples: int = column()


@dataclass(frozen=True)
class EnsembleRow:
    """ensembles.csv: the ensembles of one scope (all problems, or one difficulty
    bucket) at one total budget K, chosen in-sample and cross-fitted."""

    scope: str = column(title="scope")
    budget: int = column(title="budget K")
    problems: int = column(title="problems")
    selection: str = column()
    method: str = column(title="search")
    split: dict[str, int] = column(
        title="best split (in-sample)",
        show=lambda v: "; ".join(f"{p}={k}" for p, k in v.items()),
        csv=fmt_split,
    )
    ensemble_in_sample: float = column(title="ensemble (in-sample)", show=pct)
    best_single_policy: str = column(
        title="best single (in-sample)",
        cell=lambda r: f"{r.best_single_policy} {pct(r.best_single_in_sample)}",
    )
    best_single_in_sample: float = column()
    gain_in_sample: float = column(title="gain (in-sample)", show=pp)
    gain_in_sample_ci_low: float = column()
    gain_in_sample_ci_high: float = column()
    split_half_a: dict[str, int] = column(csv=fmt_split)
    split_half_b: dict[str, int] = column(csv=fmt_split)
    best_single_half_a: str = column()
    best_single_half_b: str = column()
    ensemble_crossfit: float = column(title="ensemble (cross-fit)", show=pct)
    best_single_crossfit: float = column(title="best single (cross-fit)", show=pct)
    gain_crossfit: float = column(title="gain (cross-fit)", show=pp)
    gain_crossfit_ci_low: float = column(
        title="cross-fit gain CI", cell=lambda r: ci(r.gain_crossfit_ci_low, r.gain_crossfit_ci_high, fmt=pp)
    )
    gain_crossfit_ci_high: float = column()

    def ensemble(self, selection: str) -> float:
        return self.ensemble_crossfit if selection == "crossfit" else self.ensemble_in_sample

    def best_single(self, selection: str) -> float:
        return self.best_single_crossfit if selection == "crossfit" else self.best_single_in_sample

    def gain(self, selection: str) -> float:
        return self.gain_crossfit if selection == "crossfit" else self.gain_in_sample

    def gain_ci(self, selection: str) -> tuple[float, float]:
        if selection == "crossfit":
            return self.gain_crossfit_ci_low, self.gain_crossfit_ci_high
        return self.gain_in_sample_ci_low, self.gain_in_sample_ci_high


@dataclass(frozen=True)
class ComplementarityRow:
    """complementarity.csv: one row per policy, then `(union)` (whose `unique` is None)."""

    policy: str = column(title="policy")
    k: int | None = column()
    threshold: float = column()
    problems: int = column()
    solved: int = column(title="problems solved")
    unique: int | None = column(title="solved by no other policy")


@dataclass(frozen=True)
class JaccardRow:
    """jaccard.csv: one row per ordered pair of policies."""

    policy_a: str = column()
    policy_b: str = column()
    intersection: int = column()
    union: int = column()
    jaccard: float = column()


@dataclass(frozen=True)
class ProblemRow:
    """problems.csv: one row per problem and policy; `pass_at` spreads into one
    `pass_at_<k>` column per k of the report."""

    problem: str = column()
    difficulty: str | None = column()
    bucket: str = column()
    policy: str = column()
    samples: int = column()
    solved: int = column()
    correctness: int = column()
    optimization: int = column()
    internal_excluded: int = column()
    solved_rate: float = column()
    correctness_rate: float = column()
    optimization_rate: float = column()
    pass_at: dict[int, float] = column(expand="pass_at_{key}")
    solved_at_complementarity_k: bool | None = column()


@dataclass(frozen=True)
class TierRow:
    """tests_by_tier.csv: one row per policy and test tier; `verdicts` spreads into
    one count column per verdict."""

    policy: str = column(title="policy")
    tier: str = column(title="tier")
    test_runs: int = column(title="test runs")
    verdicts: dict[str, int] = column(expand="{key}", keys=VERDICTS)
    cpu_s_median: float | None = column(title="median CPU s", show=_or_empty(".3g"))
    cpu_s_p95: float | None = column(title="p95 CPU s", show=_or_empty(".3g"))
    rss_mb_max: float | None = column(title="max RSS MB", show=_or_empty(".4g"))
