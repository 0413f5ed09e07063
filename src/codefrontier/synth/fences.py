"""Fenced blocks in a model's answer, with their info strings: the teacher and the
students answer in tagged blocks (```python, ```input, ```output, ```message)."""

from __future__ import annotations

import re

FENCE = re.compile(r"^[ \t]*(```+|~~~+)[ \t]*([^\n`]*)\n(.*?)^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)
PYTHON_TAGS = ("python", "py", "python3")


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(tag, body) of every fenced block in order; the tag is the info string's first
    word, lower-cased ("" when there is none)."""
    blocks = []
    for match in FENCE.finditer(text):
        info = match.group(2).strip().split()
        blocks.append((info[0].lower() if info else "", match.group(3)))
    return blocks


def blocks_tagged(text: str, *tags: str) -> list[str]:
    wanted = set(tags)
    return [body for tag, body in fenced_blocks(text) if tag in wanted]
