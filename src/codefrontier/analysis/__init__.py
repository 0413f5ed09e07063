"""Frontier analysis of results stores: pass@k, failure classes, the
correctness-efficiency frontier, complementarity, ensembles at a matched sample
budget, the HTML report and the terminal summary (docs/report.md).

Modules: `estimators` (the formulas; stores are read through `codefrontier.store.queries`),
`frontier`, `internal` (the IE share per policy and when to warn), `tables`
(`Table`: CSV and HTML from a row dataclass's fields), `rows` (one row type per
table), `analyze` (every table), `plots`, `report` (`write_report`), `summary`
(`summary_text`, `print_summary`), `cli` (`report`, `summary`).
`write_report`, `summary_text` and `print_summary` can be imported from here;
they load lazily so that importing the estimators does not import matplotlib.
"""

from __future__ import annotations

from typing import Any

__all__ = ["print_summary", "summary_text", "write_report"]


def __getattr__(name: str) -> Any:
    if name == "write_report":
        from codefrontier.analysis.report import write_report

        return write_report
    if name in ("summary_text", "print_summary"):
        from codefrontier.analysis import summary

        return getattr(summary, name)
    raise AttributeError(f"module 'codefrontier.analysis' has no attribute {name!r}")
