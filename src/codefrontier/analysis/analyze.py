"""From `Outcomes` to the report's tables: every number the report shows or writes
as CSV is computed here, once, from the estimators."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from codefrontier.analysis import estimators as est
from codefrontier.analysis.frontier import FrontierPoint, frontier
from codefrontier.analysis.internal import InternalShare, internal_shares
from codefrontier.analysis.rows import (
    BucketRow,
    ComplementarityRow,
    EnsembleRow,
    JaccardRow,
    PassAtKRow,
    PolicyRow,
    ProblemRow,
    TierRow,
    VerdictRow,
)
from codefrontier.analysis.tables import Table
from codefrontier.errors import ConfigError
from codefrontier.store.queries import VERDICTS, ClassCheck, Outcomes, check_failure_classes, tests_by_tier

Selection = Literal["crossfit", "in-sample"]
SELECTIONS: tuple[str, ...] = ("crossfit", "in-sample")
K_GRID = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
# Difficulty labels that benchmarks use, hardest first; others sort by name after these.
KNOWN_DIFFICULTIES = ("competition", "very hard", "hard", "interview", "medium", "introductory", "easy")


@dataclass(frozen=True)
class Options:
    """Choices of the analysis. `ks`: the k of the pass@k table (default: 1, 2, 5,
    10, 20, 50, ... up to the most samples any policy has on every problem);
    `budgets`: the total sample budgets K of the ensembles (default: the same grid);
    `selection`: how the best split and the best single policy are chosen for the
    headline gains; `reference`: the policy whose solve rate defines quantile
    difficulty buckets (default: the mean over all policies) when the stores have no
    difficulty column; `complementarity_k` and `threshold`: a policy solves a
    problem when its pass@k >= threshold (default k: the largest estimable, so
    "solved by at least one of its samples"); `resamples`, `level`, `seed`: the
    bootstrap and the cross-fitting halves."""

    ks: tuple[int, ...] | None = None
    budgets: tuple[int, ...] | None = None
    selection: Selection = "crossfit"
    reference: str | None = None
    buckets: int = 3
    complementarity_k: int | None = None
    threshold: float = 0.5
    resamples: int = 1000
    level: float = 0.95
    seed: int = 0

    def __post_init__(self) -> None:
        if self.selection not in SELECTIONS:
            raise ConfigError(f"--selection must be one of {', '.join(SELECTIONS)}, got {self.selection!r}")
        for name in ("ks", "budgets"):
            values = getattr(self, name)
            if values is not None and (not values or min(values) < 1):
                raise ConfigError(
                    f"--{name[:-1] if name == 'ks' else 'budget'} values must be positive integers"
                )
        if self.buckets < 1:
            raise ConfigError(f"--buckets must be at least 1, got {self.buckets}")
        if not 0 < self.threshold <= 1:
            raise ConfigError(f"--threshold must be in (0, 1], got {self.threshold}")
        if self.complementarity_k is not None and self.complementarity_k < 1:
            raise ConfigError(f"--complementarity-k must be positive, got {self.complementarity_k}")
        if not 0 < self.level < 1:
            raise ConfigError(f"the interval level must be in (0, 1), got {self.level}")


@dataclass(frozen=True)
class Analysis:
    """Everything the report shows: the tables (in file order), the frontier, the
    pieces the plots need, and the notes a reader must see (IE exclusions, bucket
    source, selection, warnings)."""

    outcomes: Outcomes
    options: Options
    points: list[FrontierPoint]
    order: list[int]  # policy indices in frontier order
    ks: tuple[int, ...]
    budgets: tuple[int, ...]
    bucket_of: list[str]  # per problem
    bucket_names: list[str]
    bucket_source: str
    shared: np.ndarray  # bool per problem: every policy has judged samples on it
    comp_k: int | None
    comp: est.Complementarity | None
    ensembles: list[EnsembleRow]
    class_check: ClassCheck | None
    internal: dict[str, InternalShare]  # per policy: IE share and flag
    tables: dict[str, Table[Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def selection(self) -> Selection:
        return self.options.selection

    @property
    def internal_total(self) -> int:
        return int(self.outcomes.internal.sum())

    @property
    def ordered_policies(self) -> list[str]:
        """Policy names in frontier order (the order of `points` and `order`)."""
        return [p.policy for p in self.points]


def _k_grid(limit: int) -> tuple[int, ...]:
    grid = [k for k in K_GRID if k <= limit]
    if limit >= 1 and (not grid or grid[-1] != limit):
        grid.append(limit)
    return tuple(grid)


def _split_text(policies: Sequence[str], ks: Sequence[int]) -> dict[str, int]:
    return {policies[i]: int(k) for i, k in enumerate(ks) if k}


def difficulty_buckets(
    results: Outcomes, *, reference: str | None = None, buckets: int = 3
) -> tuple[list[str], list[str], str]:
    """Each problem's difficulty bucket, the bucket names (hardest first) and where
    they come from: the stores' `difficulty` column when any problem has one (others
    are `unknown`), else `estimators.quantile_buckets` of the reference policy's
    solve rate, or of the mean solve rate over all policies when reference is None."""
    if any(d is not None for d in results.difficulty):
        labels = [d if d is not None else "unknown" for d in results.difficulty]
        rank = {name: i for i, name in enumerate(KNOWN_DIFFICULTIES)}
        names = sorted(set(labels), key=lambda b: (b == "unknown", rank.get(b.lower(), len(rank)), b))
        return labels, names, "the benchmark's difficulty column"
    if reference is not None:
        i = results.policy_index(reference)
        rate = est.fractions(results.solved[i], results.n[i])
        source = f"quantiles of {reference!r}'s solve rate"
    else:
        rate = est.row_means(est.fractions(results.solved, results.n).T)
        source = "quantiles of the solve rate averaged over all policies"
    names = est.bucket_names(buckets)
    known = ~np.isnan(rate)
    labels = ["unknown"] * len(results.problems)
    for p, b in zip(np.flatnonzero(known), est.quantile_buckets(rate[known], buckets), strict=True):
        labels[p] = names[b]
    if not known.all():
        names = names + ["unknown"]
    return labels, names, source + f" ({names[0]} = lowest)"


def _ensembles(
    results: Outcomes,
    options: Options,
    order: list[int],
    scope: str,
    mask: np.ndarray,
    budgets: Sequence[int],
) -> list[EnsembleRow]:
    """Best splits and best single policies at each budget on the problems in
    `mask`, in-sample and cross-fitted."""
    n = results.n[np.ix_(order, np.flatnonzero(mask))]
    c = results.solved[np.ix_(order, np.flatnonzero(mask))]
    names = [results.policies[i] for i in order]
    keys = [results.problems[p] for p in np.flatnonzero(mask)]
    if n.shape[1] == 0:
        return []
    caps = est.split_caps(n)
    half_a = est.crossfit_halves(keys, options.seed)
    can_crossfit = 0 < half_a.sum() < len(keys)
    rows = []
    for budget in budgets:
        if caps.max() < budget:
            continue  # no single policy has this many samples on every problem
        split = est.best_split(n, c, budget, caps=caps)
        single, _ = est.best_single(n, c, budget, caps)
        ens_in = est.ensemble_pass(n, c, split.ks)
        single_in = est.ensemble_pass(n, c, [budget if i == single else 0 for i in range(len(names))])
        gain_in_ci = est.bootstrap_mean_ci(
            ens_in - single_in, resamples=options.resamples, level=options.level, seed=options.seed
        )
        if can_crossfit:
            ens_cf, split_a, split_b = est.crossfit(
                lambda m, b=budget: est.best_split(n[:, m], c[:, m], b, caps=caps).ks,
                lambda ks: est.ensemble_pass(n, c, ks),
                half_a,
            )
            single_cf, single_a, single_b = est.crossfit(
                lambda m, b=budget: est.best_single(n[:, m], c[:, m], b, caps)[0],
                lambda i, b=budget: est.ensemble_pass(n, c, [b if j == i else 0 for j in range(len(names))]),
                half_a,
            )
            gain_cf_ci = est.bootstrap_mean_ci(
                ens_cf - single_cf, resamples=options.resamples, level=options.level, seed=options.seed
            )
            cf = (
                _split_text(names, split_a),
                _split_text(names, split_b),
                names[single_a],
                names[single_b],
                float(ens_cf.mean()),
                float(single_cf.mean()),
            )
        else:
            cf = ({}, {}, "", "", math.nan, math.nan)
            gain_cf_ci = (math.nan, math.nan)
        rows.append(
            EnsembleRow(
                scope=scope,
                budget=budget,
                problems=n.shape[1],
                selection=options.selection,
                method=split.method,
                split=_split_text(names, split.ks),
                ensemble_in_sample=float(ens_in.mean()),
                best_single_policy=names[single],
                best_single_in_sample=float(single_in.mean()),
                gain_in_sample=float(ens_in.mean()) - float(single_in.mean()),
                gain_in_sample_ci_low=gain_in_ci[0],
                gain_in_sample_ci_high=gain_in_ci[1],
                split_half_a=cf[0],
                split_half_b=cf[1],
                best_single_half_a=cf[2],
                best_single_half_b=cf[3],
                ensemble_crossfit=cf[4],
                best_single_crossfit=cf[5],
                gain_crossfit=cf[4] - cf[5],
                gain_crossfit_ci_low=gain_cf_ci[0],
                gain_crossfit_ci_high=gain_cf_ci[1],
            )
        )
    return rows


def analyze(results: Outcomes, options: Options | None = None) -> Analysis:
    """Compute every table of the report from `results`."""
    options = options or Options()
    points = frontier(results)
    index = {q: i for i, q in enumerate(results.policies)}
    order = [index[p.policy] for p in points]
    n, solved = results.n, results.solved
    judged = n > 0
    per_policy_cap = np.where(judged, n, np.iinfo(np.int64).max).min(axis=1)
    max_cap = int(per_policy_cap[judged.any(axis=1)].max(initial=0))
    ks = tuple(sorted(set(options.ks))) if options.ks else _k_grid(max_cap)
    shared = judged.all(axis=0)
    shared_caps = (
        n[:, shared].min(axis=1) if shared.any() else np.zeros(len(results.policies), dtype=np.int64)
    )
    budgets = (
        tuple(sorted(set(options.budgets))) if options.budgets else _k_grid(int(shared_caps.max(initial=0)))
    )
    bucket_of, names, bucket_source = difficulty_buckets(
        results, reference=options.reference, buckets=options.buckets
    )
    boot = dict(resamples=options.resamples, level=options.level, seed=options.seed)

    notes: list[str] = list(results.warnings)
    ensembles: list[EnsembleRow] = []
    comp_k = None
    comp = None
    if shared.any():
        shared_idx = np.flatnonzero(shared)
        ensembles += _ensembles(results, options, order, "all", shared, budgets)
        for name in names:
            in_bucket = shared & np.array([b == name for b in bucket_of])
            if name != "unknown" and len(names) > 1 and in_bucket.any():
                ensembles += _ensembles(results, options, order, name, in_bucket, budgets)
        comp_k = options.complementarity_k or int(shared_caps.min())
        if comp_k > shared_caps.min():
            notes.append(
                f"complementarity at pass@{comp_k} is not estimable: some policy has only "
                f"{int(shared_caps.min())} samples on some problem; lower --complementarity-k"
            )
            comp_k = None
        else:
            comp = est.complementarity(
                est.solved_at_k(
                    n[np.ix_(order, shared_idx)], solved[np.ix_(order, shared_idx)], comp_k, options.threshold
                )
            )
    formed = {e.budget for e in ensembles if e.scope == "all"}
    skipped = [b for b in budgets if b not in formed]
    if shared.any() and skipped:
        notes.append(
            f"no ensemble at budget {', '.join(map(str, skipped))}: no single policy has that many judged "
            "samples on every problem, so the gain over the best single policy is not estimable"
        )
    if not shared.all():
        notes.append(
            f"{int((~shared).sum())} of {len(shared)} problems lack judged samples from some policy; "
            "complementarity and ensembles use the other problems only"
        )

    analysis = Analysis(
        outcomes=results,
        options=options,
        points=points,
        order=order,
        ks=ks,
        budgets=budgets,
        bucket_of=bucket_of,
        bucket_names=names,
        bucket_source=bucket_source,
        shared=shared,
        comp_k=comp_k,
        comp=comp,
        ensembles=ensembles,
        class_check=check_failure_classes(results.stores),
        internal=internal_shares(results),
        notes=notes,
    )
    for table in (
        _policies_table(analysis, boot),
        _pass_at_k_table(analysis, boot),
        _buckets_table(analysis),
        _verdicts_table(analysis),
        Table("ensembles", EnsembleRow, analysis.ensembles),
        _complementarity_table(analysis),
        _jaccard_table(analysis),
        _problems_table(analysis),
        _tests_by_tier_table(analysis),
    ):
        analysis.tables[table.name] = table
    return analysis


def _policies_table(a: Analysis, boot: dict[str, Any]) -> Table[PolicyRow]:
    r = a.outcomes
    rows = []
    for i, p in zip(a.order, a.points, strict=True):
        solved_ci = est.mean_with_ci(est.fractions(r.solved[i], r.n[i]), **boot)
        ie = a.internal[p.policy]
        rows.append(
            PolicyRow(
                policy=p.policy,
                order_key=p.order_key,
                order=p.order,
                pareto=p.pareto,
                problems=p.problems,
                samples=p.samples,
                internal_excluded=p.internal,
                internal_share=ie.share,
                internal_flagged=ie.flagged,
                solved_rate=p.solved,
                solved_ci_low=solved_ci.ci_low,
                solved_ci_high=solved_ci.ci_high,
                correctness_rate=p.correctness,
                optimization_rate=p.optimization,
                optimization_partial=int(r.partial_optimization[i].sum()),
                highest_level=p.highest_level,
                policy_meta=json.dumps(r.meta[p.policy], sort_keys=True),
            )
        )
    return Table("policies", PolicyRow, rows)


def _pass_at_k_table(a: Analysis, boot: dict[str, Any]) -> Table[PassAtKRow]:
    r = a.outcomes
    rows = []
    for i in a.order:
        for k in a.ks:
            e = est.mean_pass_at_k(r.n[i], r.solved[i], k, **boot)
            rows.append(
                PassAtKRow(r.policies[i], k, e.value, e.ci_low, e.ci_high, e.problems, e.not_estimable)
            )
    return Table("pass_at_k", PassAtKRow, rows)


def _buckets_table(a: Analysis) -> Table[BucketRow]:
    r = a.outcomes
    rows = []
    labels = np.array(a.bucket_of, dtype=object)
    for name in a.bucket_names:
        mask = labels == name
        for i in a.order:
            n = r.n[i, mask]
            rows.append(
                BucketRow(
                    bucket=name,
                    policy=r.policies[i],
                    problems=int((n > 0).sum()),
                    samples=int(n.sum()),
                    internal_excluded=int(r.internal[i, mask].sum()),
                    solved_rate=float(est.row_means(est.fractions(r.solved[i, mask], n))),
                    correctness_rate=float(est.row_means(est.fractions(r.correctness[i, mask], n))),
                    optimization_rate=float(est.row_means(est.fractions(r.optimization[i, mask], n))),
                )
            )
    return Table("buckets", BucketRow, rows)


def _verdicts_table(a: Analysis) -> Table[VerdictRow]:
    r = a.outcomes
    counts = r.verdicts.sum(axis=1)
    rows = [VerdictRow(r.policies[i], v, int(counts[i, j])) for i in a.order for j, v in enumerate(VERDICTS)]
    return Table("verdicts", VerdictRow, rows)


def _complementarity_table(a: Analysis) -> Table[ComplementarityRow]:
    if a.comp is None:
        return Table("complementarity", ComplementarityRow, [])
    problems = int(a.shared.sum())
    threshold = a.options.threshold
    rows = [
        ComplementarityRow(
            name, a.comp_k, threshold, problems, int(a.comp.solved[j].sum()), int(a.comp.unique[j].sum())
        )
        for j, name in enumerate(a.ordered_policies)
    ]
    rows.append(ComplementarityRow("(union)", a.comp_k, threshold, problems, int(a.comp.union.sum()), None))
    return Table("complementarity", ComplementarityRow, rows)


def _jaccard_table(a: Analysis) -> Table[JaccardRow]:
    if a.comp is None:
        return Table("jaccard", JaccardRow, [])
    names = a.ordered_policies
    s = a.comp.solved
    rows = [
        JaccardRow(x, y, int((s[i] & s[j]).sum()), int((s[i] | s[j]).sum()), float(a.comp.jaccard[i, j]))
        for i, x in enumerate(names)
        for j, y in enumerate(names)
    ]
    return Table("jaccard", JaccardRow, rows)


def _problems_table(a: Analysis) -> Table[ProblemRow]:
    r = a.outcomes
    shared_pos = np.cumsum(a.shared) - 1
    rows = []
    for p, problem in enumerate(r.problems):
        for j, i in enumerate(a.order):
            n, s = int(r.n[i, p]), int(r.solved[i, p])
            c, o = int(r.correctness[i, p]), int(r.optimization[i, p])
            rows.append(
                ProblemRow(
                    problem=problem,
                    difficulty=r.difficulty[p],
                    bucket=a.bucket_of[p],
                    policy=r.policies[i],
                    samples=n,
                    solved=s,
                    correctness=c,
                    optimization=o,
                    internal_excluded=int(r.internal[i, p]),
                    solved_rate=s / n if n else math.nan,
                    correctness_rate=c / n if n else math.nan,
                    optimization_rate=o / n if n else math.nan,
                    pass_at={k: est.pass_at_k(n, s, k) if n else math.nan for k in a.ks},
                    solved_at_complementarity_k=(
                        bool(a.comp.solved[j, shared_pos[p]]) if a.comp is not None and a.shared[p] else None
                    ),
                )
            )
    return Table("problems", ProblemRow, rows, keys={"pass_at": a.ks})


def _tests_by_tier_table(a: Analysis) -> Table[TierRow]:
    rank = {a.outcomes.policies[i]: j for j, i in enumerate(a.order)}
    rows = sorted(tests_by_tier(a.outcomes.stores), key=lambda row: rank.get(row[0], len(rank)))
    count = len(VERDICTS)
    return Table(
        "tests_by_tier",
        TierRow,
        [
            TierRow(
                row[0],
                row[1],
                row[2],
                dict(zip(VERDICTS, row[3 : 3 + count], strict=True)),
                *row[3 + count :],
            )
            for row in rows
        ],
    )
