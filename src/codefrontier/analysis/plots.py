"""The report's figures, drawn with matplotlib's Agg backend (no display needed).

Each function takes an `Analysis` and a path, writes one PNG and returns the path.
Policies keep one colour across figures, assigned in frontier order.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from codefrontier.analysis.analyze import Analysis  # noqa: E402

CLASS_COLOURS = {"solved": "#2e7d32", "correctness": "#c62828", "optimization": "#ef8f00"}
DPI = 110


def _colours(count: int) -> list[tuple[float, float, float, float]]:
    cmap = plt.get_cmap("tab10" if count <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(count)]


def _label(point_policy: str, order: float | None, key: str | None) -> str:
    return point_policy if order is None else f"{point_policy} ({key}={order:.3g})"


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return path


def frontier_plot(a: Analysis, path: Path) -> Path:
    """Correctness-failure rate (x) against optimization-failure rate (y), one point
    per policy coloured by solve rate; the alpha line joins policies in order; the
    Pareto-optimal ones are ringed and joined by a dashed staircase; grey diagonals
    are lines of equal solve rate."""
    fig, ax = plt.subplots(figsize=(7.5, 6.2), layout="constrained")
    pts = [p for p in a.points if not math.isnan(p.correctness)]
    xs = np.array([p.correctness for p in pts])
    ys = np.array([p.optimization for p in pts])
    top = max(0.05, float(max(xs.max(initial=0), ys.max(initial=0))) * 1.15)
    step = 0.05 if top < 0.5 else 0.1
    for level in np.arange(step, 2 * top, step):
        # On the line x + y = level the solve rate is 1 - level; label it just above the x axis.
        ax.plot([0, level], [level, 0], color="0.85", lw=0.8, zorder=0)
        if level < top:
            ax.text(
                level - 0.03 * top,
                0.03 * top,
                f"{1 - level:.0%}",
                color="0.55",
                fontsize=7,
                rotation=-45,
                ha="center",
                va="center",
            )
    ax.plot([], [], color="0.85", lw=0.8, label="equal solve rate (labelled)")
    ordered = [p for p in pts if p.order is not None]
    if len(ordered) > 1:
        ax.plot(
            [p.correctness for p in ordered],
            [p.optimization for p in ordered],
            "-",
            color="0.4",
            lw=1.2,
            zorder=1,
        )
        for p0, p1 in zip(ordered, ordered[1:], strict=False):
            ax.annotate(
                "",
                xy=((p0.correctness + p1.correctness) / 2, (p0.optimization + p1.optimization) / 2),
                xytext=(p0.correctness, p0.optimization),
                arrowprops=dict(arrowstyle="->", color="0.4", lw=1.0),
            )
    pareto = sorted((p for p in pts if p.pareto), key=lambda p: (p.correctness, p.optimization))
    if len(pareto) > 1:
        stair_x, stair_y = [pareto[0].correctness], [pareto[0].optimization]
        for p in pareto[1:]:
            stair_x += [p.correctness, p.correctness]
            stair_y += [stair_y[-1], p.optimization]
        ax.plot(stair_x, stair_y, "--", color="black", lw=0.9, zorder=1, label="Pareto front")
    solved = np.array([p.solved for p in pts])
    # The colour scale spans the policies' solve rates, so that small differences show.
    low, high = (float(solved.min()), float(solved.max())) if solved.size else (0.0, 1.0)
    if high - low < 1e-9:
        low, high = low - 0.05, high + 0.05
    sc = ax.scatter(xs, ys, c=solved, cmap="viridis", vmin=low, vmax=high, s=90, zorder=3, edgecolors="none")
    ax.scatter(
        [p.correctness for p in pareto],
        [p.optimization for p in pareto],
        s=220,
        facecolors="none",
        edgecolors="black",
        linewidths=1.4,
        zorder=4,
        label="Pareto-optimal",
    )
    for p in pts:
        ax.annotate(
            _label(p.policy, p.order, p.order_key),
            (p.correctness, p.optimization),
            textcoords="offset points",
            xytext=(7, 6),
            fontsize=8,
        )
    fig.colorbar(sc, ax=ax, label="solve rate")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_box_aspect(1)  # equal scales, so the equal-solve-rate diagonals run at -45 degrees
    ax.set_xlabel("correctness-failure rate (WA, RE, CE, OLE)")
    ax.set_ylabel("optimization-failure rate (TLE, MLE only)")
    ax.set_title("Correctness-efficiency frontier (lower left is better)")
    ax.legend(loc="upper right", fontsize=8)
    return _save(fig, path)


def along_line_plot(a: Analysis, path: Path) -> Path:
    """Solve, correctness-failure and optimization-failure rates along the policies'
    ordering value (or by name when they have none), with the solve rate's bootstrap
    interval as a band."""
    fig, ax = plt.subplots(figsize=(7.5, 4.2), layout="constrained")
    table = a.tables["policies"]
    ordered = all(p.order is not None for p in a.points)
    x = (
        np.array([p.order for p in a.points], dtype=float)
        if ordered
        else np.arange(len(a.points), dtype=float)
    )
    ax.fill_between(
        x,
        np.array(table.column("solved_ci_low"), dtype=float),
        np.array(table.column("solved_ci_high"), dtype=float),
        color=CLASS_COLOURS["solved"],
        alpha=0.15,
        lw=0,
    )
    for name, column in (
        ("solved", "solved_rate"),
        ("correctness", "correctness_rate"),
        ("optimization", "optimization_rate"),
    ):
        ax.plot(x, np.array(table.column(column), dtype=float), "o-", color=CLASS_COLOURS[name], label=name)
    keys = {p.order_key for p in a.points}
    if ordered:
        ax.set_xlabel(next(iter(keys)) if len(keys) == 1 else "ordering value (order / alpha / coverage)")
    else:
        ax.set_xticks(x, [p.policy for p in a.points], rotation=30, ha="right")
        ax.set_xlabel("policy (no ordering value in policy_meta)")
    ax.set_ylim(0, 1)
    ax.set_ylabel("fraction of samples (mean over problems)")
    ax.set_title("Rates along the alpha line")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def failure_classes_plot(a: Analysis, path: Path) -> Path:
    """One stacked bar per policy (frontier order): fractions solved, correctness
    failures and optimization failures, which sum to 1; IE samples are excluded and
    their count is written above the bar."""
    fig, ax = plt.subplots(figsize=(max(6.0, 0.8 * len(a.points) + 2), 4.5), layout="constrained")
    x = np.arange(len(a.points))
    bottom = np.zeros(len(a.points))
    for name in ("solved", "correctness", "optimization"):
        values = np.nan_to_num(np.array([getattr(p, name) for p in a.points], dtype=float))
        ax.bar(x, values, bottom=bottom, color=CLASS_COLOURS[name], label=name, width=0.7)
        bottom += values
    for i, p in enumerate(a.points):
        if p.internal:
            ax.text(i, 1.01, f"{p.internal} IE excl.", ha="center", va="bottom", fontsize=7, color="0.3")
    ax.set_xticks(
        x, [_label(p.policy, p.order, p.order_key) for p in a.points], rotation=30, ha="right", fontsize=8
    )
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("fraction of samples (mean over problems)")
    ax.set_title("Failure classes per policy")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _save(fig, path)


def pass_at_k_plot(a: Analysis, path: Path) -> Path:
    """Mean unbiased pass@k against k (log scale) for every policy, with the best
    ensemble at a matched budget K (selection as in the report) as a dashed line."""
    fig, ax = plt.subplots(figsize=(7.5, 4.8), layout="constrained")
    table = a.tables["pass_at_k"]
    colours = _colours(len(a.points))
    for colour, p in zip(colours, a.points, strict=True):
        rows = [
            (k, v)
            for q, k, v in zip(
                table.column("policy"), table.column("k"), table.column("pass_at_k"), strict=True
            )
            if q == p.policy and not math.isnan(v)
        ]
        if rows:
            ks, vs = zip(*rows, strict=True)
            ax.plot(ks, vs, "o-", color=colour, ms=4, lw=1.3, label=_label(p.policy, p.order, p.order_key))
    ens = [(e.budget, e.ensemble(a.selection)) for e in a.ensembles if e.scope == "all"]
    ens = [(k, v) for k, v in ens if not math.isnan(v)]
    if ens:
        ks, vs = zip(*ens, strict=True)
        ax.plot(
            ks,
            vs,
            "s--",
            color="black",
            ms=4,
            lw=1.8,
            label=f"best ensemble, matched K ({'cross-fit' if a.selection == 'crossfit' else 'in-sample'})",
        )
    ax.set_xscale("log")
    ticks = sorted(set(a.ks) | {e.budget for e in a.ensembles if e.scope == "all"})
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.minorticks_off()
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("k (samples per problem; for the ensemble, the total budget K)")
    ax.set_ylabel("mean pass@k over problems")
    ax.set_title("pass@k per policy and for the best ensemble")
    ax.grid(alpha=0.3, which="both")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="lower right")
    return _save(fig, path)


def complementarity_plot(a: Analysis, path: Path) -> Path:
    """Left: the pairwise Jaccard overlap of the sets of problems each policy
    solves (pass@k >= threshold). Right: how many problems each policy solves, and
    how many of them no other policy solves; the union is the dashed line."""
    names = a.ordered_policies
    fig, (ax, bx) = plt.subplots(
        1,
        2,
        figsize=(max(9.0, 0.7 * len(names) + 6), max(4.5, 0.45 * len(names) + 2)),
        layout="constrained",
        gridspec_kw={"width_ratios": [1.3, 1]},
    )
    if a.comp is None:
        for axis in (ax, bx):
            axis.axis("off")
        ax.text(0.5, 0.5, "complementarity not estimable", ha="center", va="center")
        return _save(fig, path)
    jac = a.comp.jaccard
    im = ax.imshow(np.ma.masked_invalid(jac), cmap="magma_r", vmin=0, vmax=1)
    for i in range(len(names)):
        for j in range(len(names)):
            if not math.isnan(jac[i, j]):
                ax.text(
                    j,
                    i,
                    f"{jac[i, j]:.2f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if jac[i, j] > 0.6 else "black",
                )
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.set_title(f"Jaccard overlap of solved sets (pass@{a.comp_k} >= {a.options.threshold:g})", fontsize=9)
    fig.colorbar(im, ax=ax, shrink=0.8)
    y = np.arange(len(names))
    solved = a.comp.solved.sum(axis=1)
    unique = a.comp.unique.sum(axis=1)
    bx.barh(y, solved, color="0.75", label="solved")
    bx.barh(y, unique, color="#6a1b9a", label="solved by no other policy")
    bx.axvline(int(a.comp.union.sum()), color="black", ls="--", lw=1, label="union of all policies")
    bx.set_yticks(y, names, fontsize=8)
    bx.invert_yaxis()
    bx.set_xlabel(f"problems (of {a.comp.solved.shape[1]} judged by every policy)")
    bx.set_title("Solved and unique problems", fontsize=9)
    bx.legend(fontsize=7, loc="lower right")
    return _save(fig, path)


PLOTS = {
    "frontier.png": frontier_plot,
    "along_line.png": along_line_plot,
    "failure_classes.png": failure_classes_plot,
    "pass_at_k.png": pass_at_k_plot,
    "complementarity.png": complementarity_plot,
}
