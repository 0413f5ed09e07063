"""The report's figures, drawn with matplotlib's Agg backend (no display needed).

Each `*_figure` function takes an `Analysis` and returns a matplotlib Figure;
`write_plot` draws one by file name and saves it as PNG. Policies keep one
colour across figures, assigned in frontier order.

What a reader must be able to trust in every figure:
- every marker lies wholly inside the axes (limits leave a margin around 0 and 1);
- labels do not overlap each other, a marker or another text (`labels`); policies
  at the same point share one label;
- two curves or points that coincide are never drawn so that one hides the other:
  identical pass@k curves are drawn once and labelled with every policy they
  belong to; the ensemble curve is a wide translucent band under the policies';
  the three rates of one policy use different markers;
- policies without an ordering value have no order, so they are drawn as points,
  never joined by lines;
- a policy flagged for a high IE share (`internal`) says so on its label and bar.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from codefrontier.analysis.analyze import Analysis  # noqa: E402
from codefrontier.analysis.frontier import FrontierPoint  # noqa: E402
from codefrontier.analysis.labels import LabelPlacer  # noqa: E402
from codefrontier.analysis.tables import pct  # noqa: E402

CLASS_COLOURS = {"solved": "#2e7d32", "correctness": "#c62828", "optimization": "#ef8f00"}
# Per class: a marker that stays visible when the three rates coincide (a large
# filled circle, a hollow square round it, a small triangle on top).
CLASS_MARKERS = {
    "solved": dict(marker="o", ms=7, zorder=3),
    "correctness": dict(marker="s", ms=10, mfc="none", mew=1.6, zorder=4),
    "optimization": dict(marker="^", ms=5, zorder=5),
}
CLASS_LINES = {"solved": "-", "correctness": "--", "optimization": ":"}
CURVE_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "*")
CURVE_LINES = ("-", "--", "-.", ":")
WARN_COLOUR = "#c62828"
DPI = 110
DOT_S, RING_S = 90, 220  # scatter sizes (points^2) of a policy's dot and of the Pareto ring


def _colours(count: int) -> list[tuple[float, float, float, float]]:
    cmap = plt.get_cmap("tab10" if count <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(count)]


def _label(point_policy: str, order: float | None, key: str | None) -> str:
    return point_policy if order is None else f"{point_policy} ({key}={order:.3g})"


def _ie_mark(a: Analysis, policy: str) -> str:
    share = a.internal[policy]
    return f" \u26a0 IE {pct(share.share)}" if share.flagged else ""


def _ink_on(background: tuple[float, ...]) -> str:
    """Black or white, whichever reads better on this background colour."""
    r, g, b = background[:3]
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def _radius_px(size_pt2: float) -> float:
    """The radius in pixels of a scatter marker of area `size_pt2` points^2."""
    return math.sqrt(size_pt2) / 2 * DPI / 72


def _new(figsize: tuple[float, float], **kwargs: object) -> tuple[Figure, plt.Axes]:
    return plt.subplots(figsize=figsize, dpi=DPI, layout="constrained", **kwargs)  # type: ignore[arg-type]


def write_plot(name: str, a: Analysis, path: Path) -> Path:
    """Draw the figure `name` (a key of FIGURES) and save it as a PNG at `path`."""
    fig = FIGURES[name](a)
    fig.savefig(path, dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return path


# -------------------------------------------------------------------- frontier


def _same_point_groups(pts: Sequence[FrontierPoint]) -> list[list[FrontierPoint]]:
    """Policies grouped by identical (correctness, optimization), in frontier order."""
    groups: list[list[FrontierPoint]] = []
    for p in pts:
        for g in groups:
            if math.isclose(g[0].correctness, p.correctness, abs_tol=1e-12) and math.isclose(
                g[0].optimization, p.optimization, abs_tol=1e-12
            ):
                g.append(p)
                break
        else:
            groups.append([p])
    return groups


def _group_label(a: Analysis, group: Sequence[FrontierPoint]) -> str:
    names = [_label(p.policy, p.order, p.order_key) + _ie_mark(a, p.policy) for p in group]
    if len(names) <= 3:
        return ", ".join(names)
    return ",\n".join(", ".join(names[i : i + 3]) for i in range(0, len(names), 3))


def frontier_figure(a: Analysis) -> Figure:
    """Correctness-failure rate (x) against optimization-failure rate (y), one point
    per policy coloured by solve rate; the alpha line joins policies in order; the
    Pareto-optimal ones are ringed and joined by a dashed staircase; grey diagonals
    are lines of equal solve rate; the region x + y > 1 is impossible and shaded."""
    fig, ax = _new((7.5, 7.4))
    pts = [p for p in a.points if not math.isnan(p.correctness)]
    xs = np.array([p.correctness for p in pts])
    ys = np.array([p.optimization for p in pts])
    top = min(1.0, max(0.05, float(max(xs.max(initial=0), ys.max(initial=0))) * 1.15))
    pad = 0.06 * top  # room for a marker (and its ring) on either axis
    ax.set_xlim(-pad, top + pad)
    ax.set_ylim(-pad, top + pad)
    ax.set_box_aspect(1)  # equal scales, so the equal-solve-rate diagonals run at -45 degrees
    handles, levels = _frontier_grid(ax, top)
    paths, more = _frontier_lines(ax, pts)
    handles += more
    solved = np.array([p.solved for p in pts])
    # The colour scale spans the policies' solve rates, so that small differences show.
    low, high = (float(solved.min()), float(solved.max())) if solved.size else (0.0, 1.0)
    if high - low < 1e-9:
        low, high = low - 0.05, high + 0.05
    sc = ax.scatter(
        xs, ys, c=solved, cmap="viridis", vmin=low, vmax=high, s=DOT_S, zorder=3, edgecolors="none"
    )
    pareto = [p for p in pts if p.pareto]
    ax.scatter(
        [p.correctness for p in pareto],
        [p.optimization for p in pareto],
        s=RING_S,
        facecolors="none",
        edgecolors="black",
        linewidths=1.4,
        zorder=4,
    )
    handles.append(
        Line2D([], [], ls="none", marker="o", ms=12, mfc="none", mec="black", mew=1.4, label="Pareto-optimal")
    )
    if any(a.internal[p.policy].flagged for p in pts):
        handles.append(
            Patch(color=WARN_COLOUR, label="red label: high IE share, its rates exclude IE samples")
        )
    fig.colorbar(sc, ax=ax, label="solve rate", shrink=0.8)
    ax.set_xlabel("correctness-failure rate (WA, RE, CE, OLE)")
    ax.set_ylabel("optimization-failure rate (TLE, MLE only)")
    ax.set_title("Correctness-efficiency frontier (lower left is better)")
    fig.legend(handles=handles, loc="outside lower center", ncols=min(3, len(handles)), fontsize=8)
    _frontier_labels(a, ax, pts, levels, paths, top)
    return fig


def _frontier_grid(ax: plt.Axes, top: float) -> tuple[list[object], list[float]]:
    """The impossible corner x + y > 1 (shaded) and the diagonals of equal solve
    rate; returns their legend handles and the diagonals' levels (x + y)."""
    lo, hi = ax.get_xlim()
    handles: list[object] = []
    if 2 * hi > 1:
        grid = np.array([lo, hi])
        ax.fill_between(grid, 1 - grid, hi, color="0.93", zorder=0, lw=0)
        handles.append(Rectangle((0, 0), 1, 1, color="0.93", label="impossible (solve rate < 0)"))
    step = 0.05 if top < 0.5 else 0.1
    levels = [float(v) for v in np.arange(step, 1 + 1e-9, step)]
    for level in levels:
        ax.plot([lo, level - lo], [level - lo, lo], color="0.82", lw=0.8, zorder=0)
    handles.append(Line2D([], [], color="0.82", lw=0.8, label="equal solve rate (labelled %)"))
    return handles, levels


def _frontier_lines(
    ax: plt.Axes, pts: Sequence[FrontierPoint]
) -> tuple[list[tuple[list[float], list[float]]], list[object]]:
    """The alpha line (with arrows) and the Pareto staircase; returns their paths,
    which labels must not cover, and their legend handles."""
    paths: list[tuple[list[float], list[float]]] = []
    handles: list[object] = []
    ordered = [p for p in pts if p.order is not None]
    if len(ordered) > 1:
        line = ([p.correctness for p in ordered], [p.optimization for p in ordered])
        paths.append(line)
        ax.plot(*line, "-", color="0.4", lw=1.2, zorder=1)
        for p0, p1 in zip(ordered, ordered[1:], strict=False):
            ax.annotate(
                "",
                xy=((p0.correctness + p1.correctness) / 2, (p0.optimization + p1.optimization) / 2),
                xytext=(p0.correctness, p0.optimization),
                arrowprops=dict(arrowstyle="->", color="0.4", lw=1.0),
            )
        handles.append(Line2D([], [], color="0.4", lw=1.2, label="alpha line (ordering value)"))
    pareto = sorted((p for p in pts if p.pareto), key=lambda p: (p.correctness, p.optimization))
    if len(pareto) > 1:
        stair_x, stair_y = [pareto[0].correctness], [pareto[0].optimization]
        for p in pareto[1:]:
            stair_x += [p.correctness, p.correctness]
            stair_y += [stair_y[-1], p.optimization]
        ax.plot(stair_x, stair_y, "--", color="black", lw=0.9, zorder=1)
        paths.append((stair_x, stair_y))
        handles.append(Line2D([], [], ls="--", color="black", lw=0.9, label="Pareto front"))
    return paths, handles


def _frontier_labels(
    a: Analysis,
    ax: plt.Axes,
    pts: Sequence[FrontierPoint],
    levels: Sequence[float],
    paths: Sequence[tuple[list[float], list[float]]],
    top: float,
) -> None:
    """Label the diagonals and the policies where nothing else is drawn (`labels`)."""
    lo, hi = ax.get_xlim()
    placer = LabelPlacer(ax)
    groups = _same_point_groups(pts)
    radius = [_radius_px(RING_S if g[0].pareto else DOT_S) + 1 for g in groups]
    for g, r in zip(groups, radius, strict=True):
        placer.block_marker(g[0].correctness, g[0].optimization, r)
    for xs, ys in paths:
        placer.block_path(xs, ys)
    for level in levels:
        # Along the line x + y = level, from near the x axis up towards the y axis.
        along = [
            (level - s, s) for s in np.linspace(0.025 * top, level, 12) if lo < level - s < hi and s < hi
        ]
        placer.place_along(along, f"{1 - level:.0%}", color="0.5", fontsize=7, rotation=-45, zorder=1)
    # Crowded points first, so they get the nearest free spots.
    centres = np.array([placer.pixels(g[0].correctness, g[0].optimization) for g in groups])
    crowding = [int((np.hypot(*(centres - c).T) < 80).sum()) for c in centres]
    for j in sorted(range(len(groups)), key=lambda j: -crowding[j]):
        g = groups[j]
        flagged = any(a.internal[p.policy].flagged for p in g)
        ann = placer.place(
            g[0].correctness,
            g[0].optimization,
            _group_label(a, g),
            marker_px=radius[j],
            fontsize=8,
            color=WARN_COLOUR if flagged else "black",
            zorder=6,
        )
        ann.set_gid("policy-label")
    if placer.crowded:
        ax.text(
            0.99,
            0.99,
            f"{placer.crowded} labels overlap: see the table below",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=7,
            color="0.3",
            bbox=dict(facecolor="white", edgecolor="0.7", alpha=0.9),
            zorder=7,
        )


# ------------------------------------------------------------------ along line


def along_line_figure(a: Analysis) -> Figure:
    """Solve, correctness-failure and optimization-failure rates per policy. With
    ordering values: against that value, joined by lines, the solve rate's bootstrap
    interval as a band. Without: one column per policy (frontier order), the three
    rates side by side as points, the interval as an error bar; no lines, because
    the policies have no order."""
    fig, ax = _new((7.5, 4.4))
    rows = a.tables["policies"].rows
    ordered = bool(rows) and all(r.order is not None for r in rows)
    low = np.array([r.solved_ci_low for r in rows], dtype=float)
    high = np.array([r.solved_ci_high for r in rows], dtype=float)
    rates = {
        "solved": np.array([r.solved_rate for r in rows], dtype=float),
        "correctness": np.array([r.correctness_rate for r in rows], dtype=float),
        "optimization": np.array([r.optimization_rate for r in rows], dtype=float),
    }
    if ordered:
        x = np.array([r.order for r in rows], dtype=float)
        ax.fill_between(
            x, low, high, color=CLASS_COLOURS["solved"], alpha=0.15, lw=0, label="solved: interval"
        )
        for name, values in rates.items():
            ax.plot(
                x, values, ls=CLASS_LINES[name], color=CLASS_COLOURS[name], label=name, **CLASS_MARKERS[name]
            )
        span = float(x.max() - x.min()) or 1.0
        ax.set_xlim(x.min() - 0.05 * span, x.max() + 0.05 * span)
        keys = {r.order_key for r in rows}
        key = next(iter(keys)) if len(keys) == 1 else "ordering value (order / alpha / coverage)"
        ax.set_xlabel(key)
        ax.set_title(f"Rates along the alpha line ({key})")
    else:
        x = np.arange(len(rows), dtype=float)
        for dodge, (name, values) in zip((-0.2, 0.0, 0.2), rates.items(), strict=True):
            if name == "solved":
                ax.errorbar(
                    x + dodge,
                    values,
                    yerr=np.abs(np.vstack([values - low, high - values])),
                    fmt="none",
                    ecolor=CLASS_COLOURS[name],
                    elinewidth=1,
                    capsize=3,
                    alpha=0.6,
                )
            ax.plot(
                x + dodge, values, ls="none", color=CLASS_COLOURS[name], label=name, **CLASS_MARKERS[name]
            )
        for boundary in x[:-1] + 0.5:
            ax.axvline(boundary, color="0.9", lw=0.8, zorder=0)
        ax.set_xlim(-0.6, len(rows) - 0.4)
        ax.set_xticks(x, [r.policy + _ie_mark(a, r.policy) for r in rows], rotation=30, ha="right")
        ax.set_xlabel("policy (no ordering value in policy_meta, so no line joins them)")
        ax.set_title("Rates per policy")
    ax.set_ylim(-0.05, 1.05)
    ax.set_ylabel("fraction of samples (mean over problems)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.3, axis="y")
    return fig


# ------------------------------------------------------------- failure classes


def failure_classes_figure(a: Analysis) -> Figure:
    """One stacked bar per policy (frontier order): fractions solved, correctness
    failures and optimization failures, which sum to 1; IE samples are excluded and
    their count is written above the bar (in red, with their share, when high)."""
    fig, ax = _new((max(6.0, 0.9 * len(a.points) + 2), 4.8))
    x = np.arange(len(a.points))
    bottom = np.zeros(len(a.points))
    for name in ("solved", "correctness", "optimization"):
        values = np.nan_to_num(np.array([getattr(p, name) for p in a.points], dtype=float))
        ax.bar(x, values, bottom=bottom, color=CLASS_COLOURS[name], label=name, width=0.7)
        bottom += values
    for i, p in enumerate(a.points):
        share = a.internal[p.policy]
        if share.flagged:
            text = ax.text(
                i,
                1.01,
                f"\u26a0 {p.internal} IE\n{pct(share.share)} excl.",
                ha="center",
                va="bottom",
                fontsize=7,
                color=WARN_COLOUR,
                fontweight="bold",
            )
        elif p.internal:
            text = ax.text(
                i, 1.01, f"{p.internal} IE\nexcl.", ha="center", va="bottom", fontsize=7, color="0.3"
            )
        else:
            continue
        text.set_gid("ie-label")
    ax.set_xticks(
        x,
        [_label(p.policy, p.order, p.order_key) for p in a.points],
        rotation=30,
        ha="right",
        fontsize=8,
    )
    ax.set_xlim(-0.6, len(a.points) - 0.4)
    ax.set_ylim(0, 1.16)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel("fraction of samples (mean over problems)")
    ax.set_title("Failure classes per policy")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


# --------------------------------------------------------------------- pass@k


def _curves(a: Analysis) -> list[tuple[list[str], list[tuple[int, float]]]]:
    """Each distinct pass@k curve (estimable points only) and the policies that
    have it, in frontier order: identical curves are drawn once."""
    curves: list[tuple[list[str], list[tuple[int, float]]]] = []
    for p in a.points:
        points = [
            (r.k, r.pass_at_k)
            for r in a.tables["pass_at_k"].rows
            if r.policy == p.policy and not math.isnan(r.pass_at_k)
        ]
        if not points:
            continue
        for names, other in curves:
            if _same_curve(points, other):
                names.append(p.policy)
                break
        else:
            curves.append(([p.policy], points))
    return curves


def _same_curve(a: Sequence[tuple[int, float]], b: Sequence[tuple[int, float]]) -> bool:
    return len(a) == len(b) and all(
        ka == kb and abs(va - vb) < 1e-9 for (ka, va), (kb, vb) in zip(a, b, strict=False)
    )


def pass_at_k_figure(a: Analysis) -> Figure:
    """Mean unbiased pass@k against k (log scale): one curve per distinct curve,
    labelled with every policy that has it, each with its own marker and line
    style; the best ensemble at a matched budget K (selection as in the report)
    as a wide translucent black band with square markers, under the policies'."""
    fig, ax = _new((8.6, 4.8))
    colours = dict(zip(a.ordered_policies, _colours(len(a.points)), strict=True))
    curves = _curves(a)
    for j, (names, points) in enumerate(curves):
        ks, vs = zip(*points, strict=True)
        marked = [q + _ie_mark(a, q) for q in names]
        label = marked[0] if len(names) == 1 else f"{', '.join(marked)} (identical)"
        ax.plot(
            ks,
            vs,
            ls=CURVE_LINES[j % len(CURVE_LINES)],
            marker=CURVE_MARKERS[j % len(CURVE_MARKERS)],
            # Hollow markers, each drawn smaller than the one before, so that curves
            # that meet at some k show as nested outlines rather than one marker.
            ms=max(4.0, 4.0 + 1.8 * (min(len(curves), 6) - 1 - j)),
            mfc="none",
            mew=1.4,
            color=colours[names[0]],
            lw=1.4,
            zorder=3 + j,
            label=label,
        )
    ens = [(e.budget, e.ensemble(a.selection)) for e in a.ensembles if e.scope == "all"]
    ens = [(k, v) for k, v in ens if not math.isnan(v)]
    if ens:
        ks, vs = zip(*ens, strict=True)
        same = [names for names, points in curves if _same_curve(points, ens)]
        label = f"best ensemble, matched K ({'cross-fit' if a.selection == 'crossfit' else 'in-sample'})"
        if same:
            label += f"; same as {', '.join(same[0])}"
        ax.plot(ks, vs, "-", color="black", alpha=0.25, lw=6, zorder=2, solid_capstyle="round")
        ax.plot(ks, vs, "s", color="black", alpha=0.6, ms=9, mfc="none", mew=1.5, zorder=2, label=label)
    ax.set_xscale("log")
    ticks = sorted(set(a.ks) | {e.budget for e in a.ensembles if e.scope == "all"})
    if ticks:
        ax.set_xlim(ticks[0] / 1.3, ticks[-1] * 1.3)
        ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.minorticks_off()
    ax.set_ylim(-0.04, 1.04)
    ax.set_xlabel("k (samples per problem; for the ensemble, the total budget K)")
    ax.set_ylabel("mean pass@k over problems")
    ax.set_title("pass@k per policy and for the best ensemble")
    ax.grid(alpha=0.3, which="both")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


# ------------------------------------------------------------ complementarity


def complementarity_figure(a: Analysis) -> Figure:
    """Left: the pairwise Jaccard overlap of the sets of problems each policy
    solves (pass@k >= threshold); n/a where neither solves any. Right: how many
    problems each policy solves, and how many of them no other policy solves, with
    both numbers written right of the axes; the union is the dashed line."""
    names = a.ordered_policies
    fig, (ax, bx) = plt.subplots(
        1,
        2,
        figsize=(max(10.0, 0.7 * len(names) + 7), max(4.8, 0.45 * len(names) + 2.5)),
        dpi=DPI,
        layout="constrained",
        gridspec_kw={"width_ratios": [1.3, 1]},
    )
    if a.comp is None:
        for axis in (ax, bx):
            axis.axis("off")
        ax.text(0.5, 0.5, "complementarity not estimable", ha="center", va="center")
        return fig
    jac = a.comp.jaccard
    im = ax.imshow(np.ma.masked_invalid(jac), cmap="magma_r", vmin=0, vmax=1)
    for i in range(len(names)):
        for j in range(len(names)):
            nan = math.isnan(jac[i, j])
            ax.text(
                j,
                i,
                "n/a" if nan else f"{jac[i, j]:.2f}",
                ha="center",
                va="center",
                fontsize=7,
                color="0.55" if nan else _ink_on(im.cmap(im.norm(jac[i, j]))),
            )
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.set_title(
        f"Jaccard overlap of solved sets (pass@{a.comp_k} >= {a.options.threshold:g})\n"
        "n/a: neither policy solves any problem",
        fontsize=9,
    )
    fig.colorbar(im, ax=ax, shrink=0.8)
    y = np.arange(len(names))
    solved = a.comp.solved.sum(axis=1)
    unique = a.comp.unique.sum(axis=1)
    union = int(a.comp.union.sum())
    bx.barh(y, solved, color="0.75", height=0.6, label="solved")
    bx.barh(y, unique, color="#6a1b9a", height=0.35, label="solved by no other policy")
    bx.axvline(union, color="black", ls="--", lw=1, label=f"union of all policies ({union})")
    # The counts as tick labels on the right-hand side, outside the axes: the layout
    # makes room for them, and no bar or line can cross them.
    counts = bx.secondary_yaxis("right")
    counts.set_yticks(y, [f"{s} solved, {u} unique" for s, u in zip(solved, unique, strict=True)], fontsize=7)
    counts.tick_params(length=0)
    bx.set_yticks(y, names, fontsize=8)
    bx.set_ylim(len(names) - 0.4, -0.6)  # first policy on top, with room round the bars
    bx.set_xlim(0, max(1, union, int(solved.max(initial=0))) * 1.08)
    bx.xaxis.set_major_locator(MaxNLocator(integer=True))
    bx.set_xlabel(f"problems (of {a.comp.solved.shape[1]} judged by every policy)")
    bx.set_title("Solved and unique problems", fontsize=9)
    bx.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2)
    return fig


FIGURES: dict[str, Callable[[Analysis], Figure]] = {
    "frontier.png": frontier_figure,
    "along_line.png": along_line_figure,
    "failure_classes.png": failure_classes_figure,
    "pass_at_k.png": pass_at_k_figure,
    "complementarity.png": complementarity_figure,
}
