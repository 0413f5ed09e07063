"""`codefrontier summary`: pass rates, verdict counts and failure classes as a table.

The judge prints the same table at the end of a run through `print_summary`. Each
row shows the policy's IE share; a policy whose share is high (`internal`) is
marked in its row and named in a warning under the table, because its rates
leave those samples out.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table as RichTable

from codefrontier.analysis import estimators as est
from codefrontier.analysis.analyze import difficulty_buckets
from codefrontier.analysis.frontier import policy_order
from codefrontier.analysis.internal import internal_shares
from codefrontier.errors import ConfigError
from codefrontier.store.queries import VERDICTS, Outcomes, Store, load_outcomes

By = Literal["policy", "problem", "bucket"]
BY_CHOICES: tuple[str, ...] = ("policy", "problem", "bucket")


def _pct(value: float) -> str:
    return "-" if math.isnan(value) else f"{100 * value:.1f}%"


def _pass_cell(n: np.ndarray, c: np.ndarray, k: int) -> str:
    e = est.mean_pass_at_k(n, c, k, resamples=0)
    if e.not_estimable:
        return f"n/e ({e.not_estimable})" if n.size > 1 else "n/e"
    return _pct(e.value)


def summary_table(
    results: Outcomes,
    *,
    k: Sequence[int] = (1,),
    by: By = "policy",
    reference: str | None = None,
    buckets: int = 3,
) -> RichTable:
    """The summary as a rich Table: one row per policy (or per problem and policy,
    or per difficulty bucket and policy) with judged samples, IE samples excluded,
    their share of all samples (marked "!" for a policy flagged by
    `internal.internal_shares`), the failure-class rates (means over problems),
    mean pass@k for each k, and the count of each sample verdict that occurs.
    pass@k is "n/e (m)" when m problems have fewer than k judged samples: not
    estimable, never clipped."""
    if by not in BY_CHOICES:
        raise ConfigError(f"--by must be one of {', '.join(BY_CHOICES)}, got {by!r}")
    if not k or min(k) < 1:
        raise ConfigError("--k values must be positive integers")
    ks = sorted(set(k))
    order = policy_order(results)
    flagged = {q for q, share in internal_shares(results).items() if share.flagged}
    counts = results.verdicts.sum(axis=(0, 1))
    present = [j for j in range(len(VERDICTS)) if counts[j]]
    groups: list[tuple[str, np.ndarray]]
    if by == "policy":
        groups = [("", np.ones(len(results.problems), dtype=bool))]
    elif by == "problem":
        groups = [(p, np.arange(len(results.problems)) == j) for j, p in enumerate(results.problems)]
    else:
        labels, names, _ = difficulty_buckets(results, reference=reference, buckets=buckets)
        groups = [(b, np.array([x == b for x in labels])) for b in names]

    total_n, total_ie = int(results.n.sum()), int(results.internal.sum())
    table = RichTable(
        title=f"{len(results.policies)} policies, {len(results.problems)} problems, "
        f"{total_n} judged samples ({total_ie} IE excluded)",
        caption="rates: mean over problems of each class's share of judged samples; IE share: IE samples "
        "over all samples, '!' flags a high share (see the warning below); pass@k: unbiased estimator "
        "1 - C(n-c,k)/C(n,k); n/e (m): not estimable, m problems have fewer than k samples",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
    )
    if by != "policy":
        table.add_column(by, no_wrap=True)
    table.add_column("policy", no_wrap=True)
    numbers = ["samples", "IE excl.", "IE share", "solved", "correct. fail", "optim. fail"]
    if by != "problem":
        numbers.insert(0, "problems")
    for name in [*numbers, *(f"pass@{kk}" for kk in ks), *(VERDICTS[j] for j in present)]:
        table.add_column(name, justify="right", no_wrap=True)

    for label, mask in groups:
        for row_number, i in enumerate(order):
            n, c = results.n[i, mask], results.solved[i, mask]
            rates = [
                est.row_means(est.fractions(count[i, mask], n))
                for count in (results.solved, results.correctness, results.optimization)
            ]
            verdicts = results.verdicts[i][mask].sum(axis=0)
            internal = int(results.internal[i, mask].sum())
            share = internal / (internal + int(n.sum())) if internal + n.sum() else math.nan
            mark = "!" if results.policies[i] in flagged else ""
            cells = [
                *([str(int((n > 0).sum()))] if by != "problem" else []),
                str(int(n.sum())),
                str(internal),
                _pct(share) + mark,
                *(_pct(float(r)) for r in rates),
                *(_pass_cell(n[n > 0], c[n > 0], kk) if (n > 0).any() else "-" for kk in ks),
                *(str(int(verdicts[j])) for j in present),
            ]
            group_cell = [escape(label) if row_number == 0 else ""] if by != "policy" else []
            table.add_row(  # names are the user's text, never markup
                *group_cell,
                escape(results.policies[i]),
                *cells,
                end_section=row_number == len(order) - 1,
                style="bold red" if mark else None,
            )
    return table


def internal_warnings(results: Outcomes) -> list[str]:
    """One warning per policy whose IE share is high (`internal.internal_shares`)."""
    order = [results.policies[i] for i in policy_order(results)]
    shares = internal_shares(results)
    return [shares[q].warning() for q in order if shares[q].flagged]


def _print(console: Console, results: Outcomes, table: RichTable, *, fit: bool = True) -> None:
    """The table, then a warning for each policy with a high IE share."""
    if fit:
        _fit(console, table)
    console.print(table)
    for warning in internal_warnings(results):
        console.print(f"WARNING: {escape(warning)}", style="bold red", soft_wrap=True)


def summary_text(
    stores: Sequence[str | Path | Store],
    *,
    k: Sequence[int] = (1,),
    by: By = "policy",
    reference: str | None = None,
    buckets: int = 3,
    width: int | None = None,
) -> str:
    """The summary of the results stores as plain text (no colour), `width`
    characters wide (default: as wide as the table needs)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width or 80, color_system=None, force_terminal=False, highlight=False
    )
    results = load_outcomes(stores)
    table = summary_table(results, k=k, by=by, reference=reference, buckets=buckets)
    _print(console, results, table, fit=width is None)
    return buffer.getvalue()


def _fit(console: Console, table: RichTable) -> None:
    """Widen a console that does not write to a terminal (a pipe, a file, a log) to
    the table's natural width, so that columns are not squeezed to ellipses."""
    if not console.is_terminal:
        natural = Measurement.get(console, console.options.update_width(10_000), table).maximum
        console.width = max(console.width, natural)


def print_summary(
    stores: Sequence[str | Path | Store],
    *,
    k: Sequence[int] = (1,),
    by: By = "policy",
    reference: str | None = None,
    buckets: int = 3,
    console: Console | None = None,
) -> None:
    """Print the summary of the results stores to `console` (default: stdout; when
    that is not a terminal, as wide as the table needs)."""
    console = console or Console()
    results = load_outcomes(stores)
    _print(console, results, summary_table(results, k=k, by=by, reference=reference, buckets=buckets))
