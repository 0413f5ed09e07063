"""Plots a reader can read, checked on the figures' own artists: labels do not
overlap, every point lies inside the axes, coinciding curves stay distinguishable,
policies without an order are not joined by lines, and a high IE share is flagged.

The stores reproduce what the demos showed: the bundled demo's policies sit two by
two on the same point (tle and mle at (0, 1), wa and re at (1, 0)) and have the same
pass@k curves; HumanEval's mutant policies have long names, two on one point and a
third close by.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from analysis_stores import StoreBuilder, build_synthetic
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from codefrontier.analysis.analyze import Analysis, Options, analyze
from codefrontier.analysis.labels import text_box
from codefrontier.analysis.plots import (
    FIGURES,
    along_line_figure,
    complementarity_figure,
    failure_classes_figure,
    frontier_figure,
    pass_at_k_figure,
)
from codefrontier.store.queries import load_outcomes

FAST = Options(resamples=50)


def bundled_like(root: Path) -> Analysis:
    """Known solutions as policies, as the bundled demo judges them."""
    builder = StoreBuilder()
    for p in range(6):
        problem = f"p{p}"
        for s in range(2):
            builder.add(problem, "reference", ["AC", "AC"], sample=s)
            builder.add(problem, "tle", ["AC", "TLE"], sample=s)
        builder.add(problem, "wa", ["WA", "AC"])
        if p < 3:
            builder.add(problem, "mle", ["AC", "MLE"])
            builder.add(problem, "re", ["RE", "AC"])
    return analyze(load_outcomes([builder.write(root / "bundled")]), FAST)


def mutants_like(root: Path) -> Analysis:
    """HumanEval's canonical solutions and three mutant policies."""
    builder = StoreBuilder()
    for p in range(17):
        problem = f"HumanEval/{p}"
        builder.add(problem, "canonical", ["AC", "AC"])
        builder.add(problem, "mutant-branch", ["WA", "AC"])
        builder.add(problem, "mutant-constant", ["AC", "WA"])
        builder.add(problem, "mutant-off_by_one", ["AC", "TLE"] if p == 0 else ["WA", "AC"])
    return analyze(load_outcomes([builder.write(root / "mutants")]), FAST)


def cheater_like(root: Path) -> Analysis:
    """A policy that turns its failures into IE, beside an honest one."""
    builder = StoreBuilder()
    for s in range(8):
        for p in ("p1", "p2"):
            builder.add(p, "honest", ["AC", "AC"] if s < 2 else ["AC", "WA"], sample=s)
            builder.add(p, "cheater", ["AC", "AC"] if s < 2 else ["AC", "IE"], sample=s)
    return analyze(load_outcomes([builder.write(root / "cheater")]), FAST)


@pytest.fixture(scope="module")
def analyses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Analysis]:
    root = tmp_path_factory.mktemp("plots")
    return {
        "bundled": bundled_like(root),
        "mutants": mutants_like(root),
        "cheater": cheater_like(root),
        "ordered": analyze(load_outcomes([build_synthetic(root / "synthetic").path]), FAST),
    }


@pytest.fixture(scope="module")
def draw():
    """Build a figure and draw it (as saving does), once per figure and analysis;
    the tests only read the figures. All are closed at the end of the module."""
    figures: dict[tuple[object, int], Figure] = {}

    def make(builder, a: Analysis) -> Figure:
        key = (builder, id(a))
        if key not in figures:
            figures[key] = builder(a)
            figures[key].canvas.draw()
        return figures[key]

    yield make
    for fig in figures.values():
        plt.close(fig)


def renderer(fig: Figure):
    return fig.canvas.get_renderer()


def marker_boxes(fig: Figure) -> list[tuple[object, Bbox]]:
    """Every scatter marker of the figure as a pixel box (centre +- its radius)."""
    boxes = []
    for ax in fig.axes:
        for coll in ax.collections:
            if not isinstance(coll, PathCollection) or not len(coll.get_offsets()):
                continue
            sizes = coll.get_sizes()
            for j, (x, y) in enumerate(coll.get_offsets()):
                r = np.sqrt(sizes[j % len(sizes)]) / 2 * fig.dpi / 72
                px, py = ax.transData.transform((x, y))
                boxes.append((ax, Bbox([[px - r, py - r], [px + r, py + r]])))
    return boxes


def assert_every_point_inside_its_axes(fig: Figure) -> None:
    """Markers lie wholly inside the axes; line vertices strictly inside the limits."""
    for ax, box in marker_boxes(fig):
        frame = ax.get_window_extent(renderer(fig))
        assert frame.x0 < box.x0 and box.x1 < frame.x1 and frame.y0 < box.y0 and box.y1 < frame.y1, box
    for ax in fig.axes:
        x0, x1 = sorted(ax.get_xlim())
        y0, y1 = sorted(ax.get_ylim())
        for line in ax.get_lines():
            if line.get_marker() in (None, "None", "", " "):
                continue  # a line without markers (a grid line, a band) may run to the edge
            for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True):
                if np.isfinite(x) and np.isfinite(y):
                    assert x0 < x < x1 and y0 < y < y1, (line.get_label(), x, y, ax.get_xlim(), ax.get_ylim())


def policy_labels(fig: Figure) -> list[Text]:
    return [t for t in fig.axes[0].texts if t.get_gid() == "policy-label"]


@pytest.mark.parametrize("name", ["bundled", "mutants", "cheater", "ordered"])
def test_frontier_labels_do_not_overlap_and_stay_inside_the_axes(analyses, draw, name) -> None:
    a = analyses[name]
    fig = draw(frontier_figure, a)
    ax = fig.axes[0]
    frame = ax.get_window_extent(renderer(fig))
    labels = policy_labels(fig)
    boxes = [text_box(t, renderer(fig)) for t in labels]
    for (t1, b1), (t2, b2) in itertools.combinations(zip(labels, boxes, strict=True), 2):
        assert not b1.overlaps(b2), (t1.get_text(), t2.get_text())
    for t, b in zip(labels, boxes, strict=True):
        assert frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1, t.get_text()
        for _, marker in marker_boxes(fig):
            assert not b.overlaps(marker), t.get_text()
    for other in ax.texts:  # the equal-solve-rate labels
        if other.get_gid() != "policy-label" and other.get_text():
            for t, b in zip(labels, boxes, strict=True):
                assert not b.overlaps(text_box(other, renderer(fig))), (t.get_text(), other.get_text())
    named = [q.strip() for t in labels for q in t.get_text().replace("\n", " ").split(", ")]
    assert sorted(n.split(" (")[0].split(" \u26a0")[0] for n in named) == sorted(a.ordered_policies)


def test_policies_on_the_same_point_share_one_label(analyses, draw) -> None:
    texts = {t.get_text() for t in policy_labels(draw(frontier_figure, analyses["bundled"]))}
    assert {"mle, tle", "re, wa", "reference"} == texts


@pytest.mark.parametrize("builder", list(FIGURES.values()), ids=list(FIGURES))
@pytest.mark.parametrize("name", ["bundled", "mutants", "cheater", "ordered"])
def test_every_point_lies_inside_the_axes(analyses, draw, builder, name) -> None:
    assert_every_point_inside_its_axes(draw(builder, analyses[name]))


def test_policies_without_an_order_are_not_joined_by_lines(analyses, draw) -> None:
    fig = draw(along_line_figure, analyses["bundled"])
    # A line through points at different x would join policies (vertical separators do not).
    across = [line for line in fig.axes[0].get_lines() if len(set(line.get_xdata())) > 1]
    assert all(line.get_linestyle() == "None" for line in across)
    rates = [line.get_label() for line in across if not line.get_label().startswith("_")]
    assert rates == ["solved", "correctness", "optimization"]  # drawn, as points
    assert "no line joins them" in fig.axes[0].get_xlabel()


def test_policies_with_an_order_are_joined_along_it(analyses, draw) -> None:
    fig = draw(along_line_figure, analyses["ordered"])
    joined = [line for line in fig.axes[0].get_lines() if line.get_linestyle() != "None"]
    assert {line.get_label() for line in joined} == {"solved", "correctness", "optimization"}
    assert fig.axes[0].get_xlabel() == "alpha"


def test_the_three_rates_of_a_policy_never_share_a_marker(analyses, draw) -> None:
    fig = draw(along_line_figure, analyses["bundled"])
    rates = [line for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")]
    assert len(rates) == 3
    assert len({(line.get_marker(), line.get_markersize()) for line in rates}) == 3


def legend_texts(fig: Figure) -> list[str]:
    legend = fig.axes[0].get_legend()
    return [t.get_text() for t in legend.get_texts()]


@pytest.mark.parametrize("name", ["bundled", "mutants", "ordered"])
def test_no_pass_at_k_curve_hides_another(analyses, draw, name) -> None:
    a = analyses[name]
    fig = draw(pass_at_k_figure, a)
    curves = [line for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")]
    for c1, c2 in itertools.combinations(curves, 2):
        same_data = list(c1.get_xdata()) == list(c2.get_xdata()) and np.allclose(
            c1.get_ydata(), c2.get_ydata()
        )
        if same_data:  # only the ensemble may equal a policy's curve, and its label says so
            ensemble, policy = sorted((c1, c2), key=lambda c: not c.get_label().startswith("best ensemble"))
            assert ensemble.get_label().startswith("best ensemble"), (c1.get_label(), c2.get_label())
            assert ensemble.get_label().endswith(f"same as {policy.get_label()}")
        # Where two curves meet, their markers differ in shape or size, so both show.
        meet = set(zip(c1.get_xdata(), np.round(c1.get_ydata(), 9), strict=True)) & set(
            zip(c2.get_xdata(), np.round(c2.get_ydata(), 9), strict=True)
        )
        if meet:
            assert (c1.get_marker(), c1.get_markersize()) != (c2.get_marker(), c2.get_markersize())
    text = " ".join(legend_texts(fig))
    for policy in a.ordered_policies:
        assert policy in text


def test_identical_pass_at_k_curves_are_drawn_once_and_named_together(analyses, draw) -> None:
    texts = legend_texts(draw(pass_at_k_figure, analyses["bundled"]))
    assert "mle, re, wa (identical)" in texts
    assert any(t.startswith("best ensemble") and t.endswith("same as reference") for t in texts)


def test_a_policy_with_a_high_ie_share_is_flagged_on_its_label_and_bar(analyses, draw) -> None:
    a = analyses["cheater"]
    labels = {t.get_text(): t for t in policy_labels(draw(frontier_figure, a))}
    flagged = next(t for text, t in labels.items() if text.startswith("cheater"))
    assert "\u26a0 IE 75.0%" in flagged.get_text() and flagged.get_color() != "black"
    assert labels["honest"].get_color() == "black"
    bars = draw(failure_classes_figure, a)
    ie = [t for t in bars.axes[0].texts if t.get_gid() == "ie-label"]
    assert [t.get_text() for t in ie] == ["\u26a0 12 IE\n75.0% excl."]
    assert any("\u26a0 IE 75.0%" in t for t in legend_texts(draw(pass_at_k_figure, a)))


def test_ie_counts_above_the_bars_do_not_overlap(analyses, draw) -> None:
    fig = draw(failure_classes_figure, analyses["ordered"])
    boxes = [text_box(t, renderer(fig)) for t in fig.axes[0].texts if t.get_gid() == "ie-label"]
    assert len(boxes) == 4
    assert not any(b1.overlaps(b2) for b1, b2 in itertools.combinations(boxes, 2))


def test_complementarity_names_empty_overlaps_and_keeps_counts_off_the_union_line(analyses, draw) -> None:
    a = analyses["mutants"]
    fig = draw(complementarity_figure, a)
    heat, bars = fig.axes[0], fig.axes[1]
    assert sum(t.get_text() == "n/a" for t in heat.texts) == 9  # three mutants solve nothing
    union = next(line for line in bars.get_lines() if line.get_label().startswith("union"))
    union_px = bars.transData.transform((union.get_xdata()[0], 0))[0]
    counts = [t for sub in bars.child_axes for t in sub.get_yticklabels() if "solved" in t.get_text()]
    assert [t.get_text() for t in counts] == ["17 solved, 17 unique"] + ["0 solved, 0 unique"] * 3
    assert all(text_box(t, renderer(fig)).x0 > union_px for t in counts)
