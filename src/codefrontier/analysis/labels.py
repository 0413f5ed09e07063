"""Text labels placed so that a reader can read them: no label overlaps another
label, a marker or a text already drawn, and every label stays inside the axes.

Placement works in display pixels, so it needs the figure's layout to be final:
`LabelPlacer` draws the figure once (running its layout engine) and then turns
the layout engine off, so that saving the figure cannot move the axes under the
labels. Each label tries candidate positions nearest first (8 directions around
its point, then 16 directions further out); it takes the first free one. A label
that has to sit away from its point gets a thin leader line back to it. When no
candidate is free (a very crowded plot), the label takes the candidate that
overlaps least and `LabelPlacer.crowded` counts it, so the caller can say so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

PAD_PX = 2.0  # free space kept around every placed label, in pixels
LEADER_FROM_PX = 14.0  # a label further than this from its marker gets a leader line


def text_box(text: Text, renderer: RendererBase) -> Bbox:
    """The text's own box in display pixels (for an annotation, without its arrow)."""
    if isinstance(text, Annotation):
        text.update_positions(renderer)  # an annotation places its text only when drawn
    return Text.get_window_extent(text, renderer)


def _overlap_area(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0.0) * max(h, 0.0)


def _directions(count: int) -> list[tuple[float, float]]:
    # Start to the upper right (where a reader looks first), then go round.
    return [
        (math.cos(math.pi / 4 + 2 * math.pi * i / count), math.sin(math.pi / 4 + 2 * math.pi * i / count))
        for i in range(count)
    ]


def _alignment(ux: float, uy: float) -> tuple[str, str]:
    ha = "left" if ux > 0.3 else "right" if ux < -0.3 else "center"
    va = "bottom" if uy > 0.3 else "top" if uy < -0.3 else "center"
    return ha, va


@dataclass
class LabelPlacer:
    """Places labels on `ax` among obstacles (markers, texts already drawn)."""

    ax: Axes
    taken: list[Bbox] = field(default_factory=list)
    crowded: int = 0

    def __post_init__(self) -> None:
        fig = self.ax.figure
        fig.canvas.draw()  # run the layout engine once, so that pixel positions are final
        fig.set_layout_engine("none")
        self.renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        self.frame = self.ax.get_window_extent(self.renderer).padded(-PAD_PX)

    def pixels(self, x: float, y: float) -> tuple[float, float]:
        px, py = self.ax.transData.transform((x, y))
        return float(px), float(py)

    def block_marker(self, x: float, y: float, radius_px: float) -> None:
        """Keep labels off a marker of this radius (pixels) centred on data (x, y)."""
        px, py = self.pixels(x, y)
        self.taken.append(Bbox([[px - radius_px, py - radius_px], [px + radius_px, py + radius_px]]))

    def block_path(self, xs: Sequence[float], ys: Sequence[float], width_px: float = 2.0) -> None:
        """Keep labels off a polyline through data points (xs, ys): each segment is
        covered by small squares a few pixels apart."""
        pixels = [self.pixels(x, y) for x, y in zip(xs, ys, strict=True)]
        for (x0, y0), (x1, y1) in zip(pixels, pixels[1:], strict=False):
            steps = max(1, int(math.hypot(x1 - x0, y1 - y0) / (2 * width_px)))
            for t in range(steps + 1):
                px, py = x0 + (x1 - x0) * t / steps, y0 + (y1 - y0) * t / steps
                self.taken.append(Bbox([[px - width_px, py - width_px], [px + width_px, py + width_px]]))

    def block_text(self, text: Text) -> None:
        self.taken.append(text_box(text, self.renderer).padded(PAD_PX))

    def _cost(self, box: Bbox) -> float:
        """0 when the box is free and inside the frame; else how much it collides."""
        inside = Bbox.intersection(box, self.frame)
        outside = box.width * box.height - (inside.width * inside.height if inside is not None else 0.0)
        return outside + sum(_overlap_area(box, t) for t in self.taken)

    def place_along(
        self, positions: Sequence[tuple[float, float]], label: str, **text_kwargs: Any
    ) -> Text | None:
        """Draw `label` centred on the first of the data `positions` where it is
        free; draw nothing and return None when none is (for secondary labels,
        such as those of grid lines, which may be left out but never overlap)."""
        text = self.ax.text(0, 0, label, ha="center", va="center", **text_kwargs)
        for x, y in positions:
            text.set_position((x, y))
            if self._cost(text_box(text, self.renderer).padded(PAD_PX)) == 0:
                self.block_text(text)
                return text
        text.remove()
        return None

    def place(
        self,
        x: float,
        y: float,
        label: str,
        *,
        marker_px: float,
        rings_px: Sequence[float] = (4, 14, 28, 46, 70, 100),
        **text_kwargs: Any,
    ) -> Annotation:
        """Annotate data point (x, y) with `label` at the nearest free position at
        least `marker_px` pixels from its centre; returns the annotation."""
        ann = self.ax.annotate(label, (x, y), textcoords="offset pixels", xytext=(0, 0), **text_kwargs)
        best: tuple[float, tuple[float, float], str, str] | None = None
        for ring, gap in enumerate(rings_px):
            distance = marker_px + gap
            for ux, uy in _directions(8 if ring < 2 else 16):
                ha, va = _alignment(ux, uy)
                offset = (distance * ux, distance * uy)
                ann.set_horizontalalignment(ha)
                ann.set_verticalalignment(va)
                ann.xyann = offset
                cost = self._cost(text_box(ann, self.renderer).padded(PAD_PX))
                if best is None or cost < best[0]:
                    best = (cost, offset, ha, va)
                if cost == 0:
                    break
            if best is not None and best[0] == 0:
                break
        assert best is not None
        cost, offset, ha, va = best
        ann.set_horizontalalignment(ha)
        ann.set_verticalalignment(va)
        ann.xyann = offset
        if cost > 0:
            self.crowded += 1
        if math.hypot(*offset) > marker_px + LEADER_FROM_PX:
            # Far from its point: draw it again with a thin leader line back to the marker.
            ann.remove()
            ann = self.ax.annotate(
                label,
                (x, y),
                textcoords="offset pixels",
                xytext=offset,
                ha=ha,
                va=va,
                arrowprops=dict(
                    arrowstyle="-",
                    color="0.45",
                    lw=0.7,
                    shrinkA=1,
                    shrinkB=marker_px * 72 / self.ax.figure.dpi,
                ),
                **text_kwargs,
            )
        self.block_text(ann)
        return ann
