"""The solve-rate-vs-tokens figure: one curve per method (its sizes joined in order of
cost), mean tokens per task on a log axis. Written beside a results store as
STORE/figures/solve_rate_vs_tokens.png with a .json caption, which `codefrontier report`
embeds (codefrontier.analysis.attachments)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

from codefrontier.scaling.accounting import Point

FIGURE = "solve_rate_vs_tokens"
CAPTION = (
    "Each point is a method at one size (N rollouts chosen from, or drawn for refinement methods): its solve "
    "rate on the hidden tests against its mean tokens per task (generator, summarizer, judge and verifier "
    "together). A method to the upper left of another does better at lower cost; the oracle is pass@N, the "
    "ceiling of any selector over the same rollouts. Numbers: methods.csv in the run directory."
)


def solve_rate_plot(points: Sequence[Point], path: Path, *, title: str = "Solve rate against tokens") -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    methods = sorted({p.method for p in points})
    colours = plt.get_cmap("tab10")
    for i, method in enumerate(methods):
        curve = sorted(
            (p for p in points if p.method == method and not math.isnan(p.tokens)), key=lambda p: p.tokens
        )
        if not curve:
            continue
        style = "--" if method == "oracle" else "-"
        ax.plot(
            [p.tokens for p in curve],
            [p.solve_rate for p in curve],
            style,
            marker="o",
            color=colours(i % 10),
            label=method,
        )
        for p in curve:
            ax.annotate(
                f"{p.n}", (p.tokens, p.solve_rate), textcoords="offset points", xytext=(3, 4), fontsize=7
            )
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("mean tokens per task (all roles, log scale)")
    ax.set_ylabel("solve rate (hidden tests)")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return path


def write_figure(points: Sequence[Point], directory: Path, *, title: str) -> Path:
    """The PNG and its caption file, in `directory`."""
    png = solve_rate_plot(points, directory / f"{FIGURE}.png", title=title)
    caption = {"title": "Test-time scaling: solve rate against tokens", "caption": CAPTION}
    (directory / f"{FIGURE}.json").write_text(json.dumps(caption, indent=2) + "\n")
    return png
