"""Figures another system attaches to a results store (STORE/figures/NAME.png with a
NAME.json caption) appear in the report, copied beside index.html."""

from __future__ import annotations

import json
from pathlib import Path

from analysis_stores import StoreBuilder

from codefrontier.analysis import write_report

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def store(root: Path) -> Path:
    builder = StoreBuilder()
    for problem in ("p1", "p2"):
        builder.add(problem, "method@4", ["AC", "WA"])
    return builder.write(root)


def test_an_attached_figure_is_shown_with_its_caption_and_copied(tmp_path):
    path = store(tmp_path / "store")
    (path / "figures").mkdir()
    (path / "figures" / "cost.png").write_bytes(PNG)
    (path / "figures" / "cost.json").write_text(
        json.dumps({"title": "Solve rate <vs> tokens", "caption": "Each point."})
    )
    (path / "figures" / "bare.png").write_bytes(PNG)
    index = write_report([path], tmp_path / "report").read_text()
    assert "<h2>Attached figures</h2>" in index
    assert "<h3>Solve rate &lt;vs&gt; tokens</h3><p>Each point.</p>" in index  # escaped
    assert "<h3>bare</h3>" in index  # no caption file: the file name is the title
    assert (tmp_path / "report" / "attached_cost.png").read_bytes() == PNG


def test_a_store_without_figures_has_no_section(tmp_path):
    index = write_report([store(tmp_path / "store")], tmp_path / "report").read_text()
    assert "Attached figures" not in index
