"""Results stores: the judged records as Parquet (one schema, `results.py`), written
append-only and resumable by one writer at a time, and the queries over them
(`queries.py`, through DuckDB) that analysis, summaries and the judge read.

    from codefrontier.store import ResultsStore, open_store, load_outcomes

Names load on first use (pyarrow and duckdb are imported only when used).
"""

from __future__ import annotations

from codefrontier.lazy import lazy_exports

_EXPORTS = {
    "ResultsStore": "results",
    "StoreBusy": "results",
    "SAMPLES_SCHEMA": "results",
    "TESTS_SCHEMA": "results",
    "Store": "queries",
    "open_store": "queries",
    "load_outcomes": "queries",
    "SAMPLE_COLUMNS": "queries",
    "TEST_COLUMNS": "queries",
}

__getattr__, __all__ = lazy_exports(__name__, _EXPORTS)
