"""Estimators of the frontier analysis; each docstring states its formula.

Notation. For one policy and one problem, `n` samples were judged and `c` of them
were solved (every test AC). Samples whose failure class is `internal` (an IE: the
judge's fault) are not in `n`: they are neither failures nor successes. Arrays
indexed `[policy, problem]` hold these counts for many policies and problems.

Averages over problems are macro averages: each problem weighs the same, however
many samples it has. Confidence intervals are percentile bootstrap intervals over
problems (problems are resampled with replacement; samples within a problem are
not), with a fixed seed so that the same inputs give the same interval.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

T = TypeVar("T")

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

# Above this many candidate splits (C(K+m-1, m-1), before per-policy caps) the ensemble
# search switches from exhaustive enumeration to pairwise-exchange coordinate ascent.
EXHAUSTIVE_LIMIT = 100_000


# ----------------------------------------------------------------------------- pass@k


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from n samples with c correct (Chen et al., 2021)::

        pass@k = 1 - C(n - c, k) / C(n, k)

    the probability that a k-subset drawn without replacement from the n samples
    holds at least one correct one. The ratio is evaluated as a product with the
    fewer factors of::

        C(n-c, k) / C(n, k) = prod_{j=0}^{k-1} (1 - c / (n - j))
                            = prod_{i=n-c+1}^{n} (1 - k / i)

    summed in log space with log1p and returned as -expm1(log ratio), which is
    accurate for n in the tens of thousands and any 1 <= k <= n. Returns NaN when
    k > n: pass@k is then not estimable from these samples, and is never clipped.
    """
    if k < 1 or n < 0 or not 0 <= c <= n:
        raise ValueError(f"pass@k needs k >= 1 and 0 <= c <= n; got n={n}, c={c}, k={k}")
    if k > n:
        return math.nan
    if n - c < k:
        return 1.0
    if c == 0:
        return 0.0
    if c <= k:
        log_ratio = np.log1p(-k / np.arange(n - c + 1, n + 1, dtype=np.float64)).sum()
    else:
        log_ratio = np.log1p(-c / (n - np.arange(k, dtype=np.float64))).sum()
    return float(-np.expm1(log_ratio))


def log_miss_table(n: ArrayLike, c: ArrayLike, kmax: int) -> FloatArray:
    """log(C(n-c, k) / C(n, k)) for k = 0..kmax, element-wise over n and c.

    C(n-c, k) / C(n, k) is the probability that k samples drawn without replacement
    all fail; it is built as a cumulative sum over j < k of log(1 - c / (n - j)).
    The result has shape `n.shape + (kmax + 1,)`; an entry is -inf where the k
    samples must include a correct one (k > n - c) and NaN where k > n.
    """
    n_arr = np.asarray(n, dtype=np.int64)
    c_arr = np.asarray(c, dtype=np.int64)
    if np.any(c_arr < 0) or np.any(c_arr > n_arr):
        raise ValueError("log_miss_table needs 0 <= c <= n element-wise")
    nf = n_arr[..., None].astype(np.float64)
    cf = c_arr[..., None].astype(np.float64)
    j = np.arange(kmax, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(j < nf - cf, np.log1p(-cf / (nf - j)), -np.inf)
    table = np.concatenate([np.zeros(n_arr.shape + (1,)), np.cumsum(terms, axis=-1)], axis=-1)
    return np.where(np.arange(kmax + 1) > nf, np.nan, table)


def pass_at_k_array(n: ArrayLike, c: ArrayLike, k: int) -> FloatArray:
    """Element-wise unbiased pass@k, 1 - C(n-c, k) / C(n, k) (see `pass_at_k`);
    NaN where k > n (not estimable) or n == 0 (nothing judged)."""
    if k < 1:
        raise ValueError(f"pass@k needs k >= 1, got {k}")
    return -np.expm1(log_miss_table(n, c, k)[..., k])


@dataclass(frozen=True)
class Estimate:
    """A mean over problems with its bootstrap interval.

    `problems` counts the problems with at least one judged sample; `not_estimable`
    counts those among them with fewer than k samples. When it is not zero the mean
    is NaN: averaging over the other problems only would bias it toward them."""

    value: float
    ci_low: float
    ci_high: float
    problems: int
    not_estimable: int = 0


def bootstrap_mean_ci(
    values: ArrayLike, *, resamples: int = 1000, level: float = 0.95, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of `values` (one value per problem):
    draw `resamples` sets of len(values) problems with replacement, take each mean,
    and return the (1 - level)/2 and (1 + level)/2 quantiles of those means. NaN,
    NaN when there are no values or no resamples."""
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0 or resamples < 1:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, v.size, size=(resamples, v.size))].mean(axis=1)
    lo, hi = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def mean_with_ci(values: ArrayLike, *, resamples: int = 1000, level: float = 0.95, seed: int = 0) -> Estimate:
    """The mean of per-problem values (NaN entries are problems with nothing judged,
    left out) with its bootstrap interval."""
    v = np.asarray(values, dtype=np.float64)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    lo, hi = bootstrap_mean_ci(v, resamples=resamples, level=level, seed=seed)
    return Estimate(float(v.mean()), lo, hi, int(v.size))


def mean_pass_at_k(
    n: ArrayLike, c: ArrayLike, k: int, *, resamples: int = 1000, level: float = 0.95, seed: int = 0
) -> Estimate:
    """Mean over problems of the unbiased pass@k, with a bootstrap interval over
    problems. Problems with n = 0 are left out; if any remaining problem has n < k
    the mean is NaN and `not_estimable` says how many problems lack samples."""
    n_arr = np.asarray(n, dtype=np.int64)
    c_arr = np.asarray(c, dtype=np.int64)
    judged = n_arr > 0
    short = int(np.count_nonzero(judged & (n_arr < k)))
    if short:
        return Estimate(math.nan, math.nan, math.nan, int(judged.sum()), short)
    per_problem = pass_at_k_array(n_arr[judged], c_arr[judged], k)
    return mean_with_ci(per_problem, resamples=resamples, level=level, seed=seed)


# ------------------------------------------------------------------ failure classes


def fractions(count: ArrayLike, n: ArrayLike) -> FloatArray:
    """count / n element-wise (the fraction of judged samples of one class for each
    policy and problem); NaN where n == 0. Averaging this over problems gives the
    per-policy rate; for the solved class that average equals mean pass@1."""
    count_arr = np.asarray(count, dtype=np.float64)
    n_arr = np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n_arr > 0, count_arr / n_arr, np.nan)


def row_means(values: ArrayLike) -> FloatArray:
    """Per row (policy), the mean over columns (problems) of the non-NaN entries:
    the macro average over the problems the policy was judged on. NaN for a row
    with no entries."""
    v = np.asarray(values, dtype=np.float64)
    present = ~np.isnan(v)
    count = present.sum(axis=-1)
    total = np.where(present, v, 0.0).sum(axis=-1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def quantile_buckets(rate: ArrayLike, buckets: int) -> IntArray:
    """Difficulty buckets from a reference solve rate per problem: bucket b holds the
    problems whose rate r satisfies q_{b/B} < r <= q_{(b+1)/B}, where q are the
    empirical quantiles of the rates (bucket 0, the lowest rates, is the hardest).
    Problems with equal rates always share a bucket, so buckets can be uneven."""
    r = np.asarray(rate, dtype=np.float64)
    if buckets < 1:
        raise ValueError(f"need at least one bucket, got {buckets}")
    if r.size == 0:
        return np.zeros(0, dtype=np.int64)
    edges = np.quantile(r, np.arange(1, buckets) / buckets)
    return np.searchsorted(edges, r, side="left").astype(np.int64)


def bucket_names(buckets: int) -> list[str]:
    """Names of quantile buckets, hardest first."""
    named = {1: ["all"], 2: ["hard", "easy"], 3: ["hard", "medium", "easy"]}
    return named.get(buckets, [f"q{b + 1}of{buckets}" for b in range(buckets)])


# ----------------------------------------------------------------- complementarity


@dataclass(frozen=True)
class Complementarity:
    """Which problems each policy solves, and how those sets overlap.

    `solved[i, p]`: policy i solves problem p; `unique[i, p]`: it does and no other
    policy does; `jaccard[i, j] = |S_i & S_j| / |S_i | S_j|` (NaN when both sets are
    empty); `union[p]`: some policy solves p."""

    solved: BoolArray
    unique: BoolArray
    jaccard: FloatArray
    union: BoolArray


def solved_at_k(n: ArrayLike, c: ArrayLike, k: int, threshold: float = 0.5) -> BoolArray:
    """A policy solves a problem at pass@k when its unbiased pass@k >= threshold.
    With k = n this is "at least one of the n samples solved it". Raises ValueError
    where pass@k is not estimable (k > n), rather than guessing."""
    p = pass_at_k_array(n, c, k)
    if np.isnan(p).any():
        raise ValueError(f"pass@{k} is not estimable for every policy and problem (some n < {k})")
    return p >= threshold


def complementarity(solved: ArrayLike) -> Complementarity:
    """Unique solves, pairwise Jaccard overlaps and the union from a boolean
    `[policy, problem]` matrix of solved problems."""
    s = np.asarray(solved, dtype=bool)
    per_problem = s.sum(axis=0)
    unique = s & (per_problem == 1)[None, :]
    inter = (s[:, None, :] & s[None, :, :]).sum(axis=2).astype(np.float64)
    union = (s[:, None, :] | s[None, :, :]).sum(axis=2).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        jaccard = np.where(union > 0, inter / union, np.nan)
    return Complementarity(solved=s, unique=unique, jaccard=jaccard, union=s.any(axis=0))


# ----------------------------------------------------------------------- ensembles


@dataclass(frozen=True)
class Split:
    """A split k_1 + ... + k_m = K of a sample budget over m policies, its mean
    ensemble pass rate over problems, and how it was found (`exhaustive`,
    `coordinate-ascent` or `single` when m = 1)."""

    ks: tuple[int, ...]
    value: float
    method: str


def ensemble_pass(n: ArrayLike, c: ArrayLike, split: Sequence[int]) -> FloatArray:
    """Per problem, the unbiased probability that at least one of K = sum(k_i)
    samples solves it when k_i samples are drawn without replacement from the n_i
    samples of policy i::

        P(solve) = 1 - prod_i C(n_i - c_i, k_i) / C(n_i, k_i)

    `n` and `c` are `[policy, problem]`; the result has one entry per problem and is
    NaN where some k_i > n_i. With one policy this is pass@k."""
    n_arr = np.asarray(n, dtype=np.int64)
    c_arr = np.asarray(c, dtype=np.int64)
    ks = np.asarray(split, dtype=np.int64)
    if ks.shape != (n_arr.shape[0],) or np.any(ks < 0):
        raise ValueError(f"a split needs one non-negative k per policy, got {list(split)}")
    table = log_miss_table(n_arr, c_arr, int(ks.max(initial=0)))
    log_miss = np.take_along_axis(table, np.broadcast_to(ks[:, None, None], n_arr.shape + (1,)), axis=2)
    return -np.expm1(log_miss[..., 0].sum(axis=0))


def split_caps(n: ArrayLike) -> IntArray:
    """Each policy's largest usable k: the fewest samples it has on any problem
    (pass@k of a policy is estimable on every problem only for k up to this)."""
    return np.asarray(n, dtype=np.int64).min(axis=1)


def best_single(n: ArrayLike, c: ArrayLike, budget: int, caps: ArrayLike | None = None) -> tuple[int, float]:
    """The policy with the highest mean pass@K at K = budget (among those with at
    least K samples on every problem) and that mean; (-1, NaN) if none has."""
    n_arr = np.asarray(n, dtype=np.int64)
    c_arr = np.asarray(c, dtype=np.int64)
    cap = split_caps(n_arr) if caps is None else np.asarray(caps, dtype=np.int64)
    best, best_value = -1, -math.inf
    for i in range(n_arr.shape[0]):
        if cap[i] >= budget:
            value = float(pass_at_k_array(n_arr[i], c_arr[i], budget).mean())
            if value > best_value:
                best, best_value = i, value
    return (best, best_value) if best >= 0 else (-1, math.nan)


def best_split(
    n: ArrayLike,
    c: ArrayLike,
    budget: int,
    *,
    caps: ArrayLike | None = None,
    exhaustive_limit: int = EXHAUSTIVE_LIMIT,
) -> Split:
    """The split k_1 + ... + k_m = budget (0 <= k_i <= caps_i) maximizing the mean
    over problems of `ensemble_pass`.

    Exhaustive over all splits when there are at most `exhaustive_limit` of them
    (C(K+m-1, m-1) before caps); the result is then the exact optimum (ties go to
    the first split in lexicographic order). Otherwise pairwise-exchange coordinate
    ascent, started from every single-policy split and from the most even split,
    keeping the best. Its guarantee: the result is never worse than the best single
    policy at the same budget, and no reallocation of any number of samples between
    any two policies improves it (a pairwise-exchange optimum); for m <= 2 that is
    the exact optimum. `caps` defaults to `split_caps(n)`."""
    n_arr = np.asarray(n, dtype=np.int64)
    c_arr = np.asarray(c, dtype=np.int64)
    m = n_arr.shape[0]
    cap = np.minimum(split_caps(n_arr) if caps is None else np.asarray(caps, dtype=np.int64), budget)
    if budget < 1 or int(cap.sum()) < budget:
        raise ValueError(
            f"a budget of {budget} samples does not fit the policies' samples ({int(cap.sum())})"
        )
    table = log_miss_table(n_arr, c_arr, budget)
    if m == 1:
        return Split((budget,), _split_value(table, (budget,)), "single")
    if math.comb(budget + m - 1, m - 1) <= exhaustive_limit:
        return _exhaustive(table, cap, budget)
    return _coordinate_ascent(table, cap, budget)


def _split_value(table: FloatArray, ks: Sequence[int]) -> float:
    log_miss = sum(table[i, :, k] for i, k in enumerate(ks))
    return float((-np.expm1(log_miss)).mean())


def _compositions(cap: IntArray, budget: int) -> IntArray:
    """Every (k_1..k_m) with sum K and 0 <= k_i <= cap_i, in lexicographic order."""
    rows = np.zeros((1, 0), dtype=np.int64)
    for i in range(len(cap) - 1):
        room = np.minimum(cap[i], budget - rows.sum(axis=1))
        counts = room + 1
        rows = np.repeat(rows, counts, axis=0)
        column = np.concatenate([np.arange(r + 1) for r in room])
        rows = np.column_stack([rows, column])
    last = budget - rows.sum(axis=1)
    rows = np.column_stack([rows, last])
    return rows[last <= cap[-1]]


def _exhaustive(table: FloatArray, cap: IntArray, budget: int) -> Split:
    comps = _compositions(cap, budget)
    problems = table.shape[1]
    chunk = max(1, 4_000_000 // max(problems, 1))
    best_value, best_row = -math.inf, 0
    for start in range(0, len(comps), chunk):
        block = comps[start : start + chunk]
        log_miss = sum(table[i][:, block[:, i]] for i in range(len(cap)))  # [problem, split]
        values = (-np.expm1(log_miss)).mean(axis=0)
        j = int(np.argmax(values))
        if values[j] > best_value:
            best_value, best_row = float(values[j]), start + j
    return Split(tuple(int(k) for k in comps[best_row]), best_value, "exhaustive")


def _even_split(cap: IntArray, budget: int) -> list[int]:
    ks = [0] * len(cap)
    left = budget
    while left:
        open_ = [i for i in range(len(cap)) if ks[i] < cap[i]]
        share = max(1, left // len(open_))
        for i in open_:
            step = min(share, cap[i] - ks[i], left)
            ks[i] += step
            left -= step
            if not left:
                break
    return ks


def _coordinate_ascent(table: FloatArray, cap: IntArray, budget: int) -> Split:
    m = len(cap)
    starts = [[budget if j == i else 0 for j in range(m)] for i in range(m) if cap[i] >= budget]
    starts.append(_even_split(cap, budget))
    best: tuple[float, tuple[int, ...]] | None = None
    for start in starts:
        ks = list(start)
        value = _split_value(table, ks)
        improved = True
        while improved:
            improved = False
            for i in range(m):
                for j in range(i + 1, m):
                    total = ks[i] + ks[j]
                    t = np.arange(max(0, total - cap[j]), min(total, cap[i]) + 1)
                    rest = sum(
                        (table[q, :, ks[q]] for q in range(m) if q not in (i, j)), np.zeros(table.shape[1])
                    )
                    log_miss = rest[None, :] + table[i][:, t].T + table[j][:, total - t].T
                    values = (-np.expm1(log_miss)).mean(axis=1)
                    best_t = int(np.argmax(values))
                    if values[best_t] > value + 1e-12:
                        ks[i], ks[j] = int(t[best_t]), int(total - t[best_t])
                        value = float(values[best_t])
                        improved = True
        if best is None or value > best[0] + 1e-12:
            best = (value, tuple(ks))
    assert best is not None
    return Split(best[1], best[0], "coordinate-ascent")


# -------------------------------------------------------------- honest selection


def crossfit_halves(keys: Sequence[str], seed: int = 0) -> BoolArray:
    """Split problems into two halves for cross-fitting: sort the keys by
    sha256(f"{seed}:{key}") and put the first floor(P/2) in half A (True). The split
    depends only on the keys and the seed, not on their order."""
    digests = [hashlib.sha256(f"{seed}:{key}".encode()).hexdigest() for key in keys]
    order = sorted(range(len(keys)), key=lambda i: (digests[i], keys[i]))
    half_a = np.zeros(len(keys), dtype=bool)
    half_a[order[: len(keys) // 2]] = True
    return half_a


def crossfit(
    select: Callable[[BoolArray], T], score: Callable[[T], FloatArray], half_a: BoolArray
) -> tuple[FloatArray, T, T]:
    """Cross-fitted per-problem values of a data-driven choice (a best split, a best
    policy): choose on half A and score the problems of half B with that choice,
    then swap. Every problem's value comes from a choice made without it, so the
    mean is an honest estimate of how the selection procedure does on new problems.
    `select(mask)` chooses using the problems in `mask`; `score(choice)` gives one
    value per problem (all problems). Returns (values, choice from A, choice from B)."""
    half_b = ~half_a
    choice_a, choice_b = select(half_a), select(half_b)
    values = np.where(half_b, score(choice_a), score(choice_b))
    return values, choice_a, choice_b
