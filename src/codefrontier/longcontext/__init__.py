"""Code Llama's synthetic long-context test: key retrieval in long Python files, scored
by exact match over a grid of file lengths and depths, reported as a heat map
(docs/infilling.md, "Long-context key retrieval").

    from codefrontier.longcontext import grid, run_grid

Names load on first use (the CLI module is imported by every `codefrontier` command).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Case": "retrieval",
    "answer_of": "retrieval",
    "grid": "retrieval",
    "make_case": "retrieval",
    "RetrievalReport": "run",
    "run_grid": "run",
    "write_report": "run",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
