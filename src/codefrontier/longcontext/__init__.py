"""Code Llama's synthetic long-context test: key retrieval in long Python files, scored
by exact match over a grid of file lengths and depths, reported as a heat map
(docs/infilling.md, "Long-context key retrieval").

    from codefrontier.longcontext import grid, run_grid
"""

from codefrontier.longcontext.retrieval import Case, answer_of, grid, make_case
from codefrontier.longcontext.run import RetrievalReport, run_grid, write_report

__all__ = ["Case", "RetrievalReport", "answer_of", "grid", "make_case", "run_grid", "write_report"]
