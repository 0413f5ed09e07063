"""Figures other systems attach to a results store, shown by the report.

A system that writes a results store may put figures beside it: STORE/figures/NAME.png
with STORE/figures/NAME.json (`{"title": ..., "caption": ...}`). `write_report` copies
each into the report directory and shows it, with its caption, under "Attached figures"
(test-time scaling's solve rate against tokens is one: docs/scaling.md). A PNG without
its caption file is shown with its file name as the title.
"""

from __future__ import annotations

import base64
import html
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def attached_figures(stores: Sequence[Any]) -> list[tuple[Path, str, str]]:
    """(png, title, caption) of every figure attached to the stores, in name order."""
    found = []
    for store in stores:
        for png in sorted((Path(store.path) / "figures").glob("*.png")):
            meta: dict[str, Any] = {}
            caption_file = png.with_suffix(".json")
            if caption_file.is_file():
                try:
                    meta = json.loads(caption_file.read_text())
                except json.JSONDecodeError:
                    meta = {}
            found.append((png, str(meta.get("title", png.stem)), str(meta.get("caption", ""))))
    return found


def attached_section(stores: Sequence[Any], out: Path) -> str:
    """The report's "Attached figures" section (empty when there are none); the PNGs
    are copied into `out`."""
    figures = attached_figures(stores)
    if not figures:
        return ""
    parts = ["<h2>Attached figures</h2>"]
    for png, title, caption in figures:
        name = f"attached_{png.name}"
        shutil.copyfile(png, out / name)
        data = base64.b64encode(png.read_bytes()).decode("ascii")
        parts.append(
            f"<h3>{html.escape(title)}</h3><p>{html.escape(caption)}</p>"
            f'<p><img src="data:image/png;base64,{data}" alt="{html.escape(title)}"></p>'
            f'<p class="meta">Image file: <a href="{name}">{name}</a> (from <code>{html.escape(str(png))}</code>)</p>'
        )
    return "\n".join(parts)
