"""Code Llama's synthetic long-context test: key retrieval in long Python files, scored
by exact match over a grid of file lengths and depths, reported as a heat map
(docs/infilling.md, "Long-context key retrieval").

    from codefrontier.longcontext import grid, run_grid

Names load on first use (the CLI module is imported by every `codefrontier` command).
"""

from __future__ import annotations

from codefrontier.lazy import lazy_exports

_EXPORTS = {
    "Case": "retrieval",
    "answer_of": "retrieval",
    "grid": "retrieval",
    "make_case": "retrieval",
    "RetrievalReport": "run",
    "run_grid": "run",
    "write_report": "run",
}

__getattr__, __all__ = lazy_exports(__name__, _EXPORTS)
