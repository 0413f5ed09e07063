"""Queries over results stores (what `analysis`, `summary` and the judge's closing line read).

A results store is a directory with `samples.parquet` (one row per judged sample),
`tests.parquet` (one row per sample-test) and `provenance.json`. Only the columns
listed in `SAMPLE_COLUMNS` and `TEST_COLUMNS` are read, and they are aggregated in
DuckDB: Python never sees a per-sample or per-test row. The peak memory is that of
the aggregates, `[policy, problem]` count matrices, whatever the store's size.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from codefrontier.contracts import FailureClass, Verdict, failure_class
from codefrontier.errors import InputError
from codefrontier.store.results import SAMPLES_SCHEMA, TESTS_SCHEMA


# The columns the queries read, and the kind of each (see `_kind_ok`): taken from the one
# schema the store writes (store/results.py), never declared again.
def _kind_of(dtype: pa.DataType) -> str:
    if pa.types.is_integer(dtype):
        return "integer"
    if pa.types.is_floating(dtype):
        return "float"
    return "string"


def _columns(schema: pa.Schema, names: tuple[str, ...]) -> dict[str, str]:
    return {name: _kind_of(schema.field(name).type) for name in names}


SAMPLE_COLUMNS: dict[str, str] = _columns(
    SAMPLES_SCHEMA,
    (
        "benchmark",
        "problem_id",
        "policy",
        "sample",
        "verdict",
        "failure_class",
        "tests_run",
        "tests_total",
        "highest_level",
        "difficulty",
        "policy_meta",
    ),
)
TEST_COLUMNS: dict[str, str] = _columns(
    TESTS_SCHEMA,
    ("benchmark", "problem_id", "policy", "sample", "test_index", "tier", "verdict", "cpu_s", "rss_mb"),
)
VERDICTS: tuple[str, ...] = tuple(v.value for v in Verdict)
FAILURE_CLASSES: tuple[str, ...] = tuple(f.value for f in FailureClass)


@dataclass(frozen=True)
class Store:
    """One results store on disk: its Parquet files (checked to have the columns the
    analysis reads) and its provenance (None when the store has no provenance.json)."""

    path: Path
    samples: Path
    tests: Path | None
    provenance: dict[str, Any] | None


def _kind_ok(kind: str, dtype: pa.DataType) -> bool:
    if pa.types.is_null(dtype):  # a column that is null on every row
        return True
    if pa.types.is_dictionary(dtype):
        dtype = dtype.value_type
    if kind == "string":
        return pa.types.is_string(dtype) or pa.types.is_large_string(dtype)
    if kind == "integer":
        return pa.types.is_integer(dtype)
    if kind == "float":
        return pa.types.is_floating(dtype) or pa.types.is_integer(dtype)
    raise AssertionError(kind)


def _check_columns(path: Path, columns: dict[str, str]) -> None:
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"cannot read as Parquet ({exc})", path=path) from exc
    for name, kind in columns.items():
        if name not in schema.names:
            raise InputError(
                f"missing column '{name}' (the analysis needs: {', '.join(columns)}); "
                "was this store written by `codefrontier judge`?",
                path=path,
                field=name,
            )
        dtype = schema.field(name).type
        if not _kind_ok(kind, dtype):
            raise InputError(f"column '{name}' has type {dtype}, expected {kind}", path=path, field=name)


def open_store(path: str | Path) -> Store:
    """Check that `path` is a results store with readable Parquet files holding the
    columns the analysis needs; raise InputError naming the file and column if not."""
    root = Path(path)
    if not root.is_dir():
        raise InputError("not a results store: expected a directory holding samples.parquet", path=root)
    samples = root / "samples.parquet"
    if not samples.is_file():
        raise InputError(
            "results store has no samples.parquet; point at the --out directory of `codefrontier judge`",
            path=samples,
        )
    _check_columns(samples, SAMPLE_COLUMNS)
    tests = root / "tests.parquet"
    if tests.is_file():
        _check_columns(tests, TEST_COLUMNS)
    provenance = None
    provenance_path = root / "provenance.json"
    if provenance_path.is_file():
        try:
            provenance = json.loads(provenance_path.read_text())
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc.msg}", path=provenance_path, line=exc.lineno) from exc
        if not isinstance(provenance, dict):
            raise InputError("expected a JSON object", path=provenance_path)
    return Store(path=root, samples=samples, tests=tests if tests.is_file() else None, provenance=provenance)


@dataclass(frozen=True)
class Outcomes:
    """The aggregates of one or more results stores, as `[policy, problem]` matrices.

    Three things hold judged outcomes, each with its own name: a `SampleResult`
    (`codefrontier.contracts`) is what the judge decided for one sample; a `ResultsStore`
    (`store/results.py`) is where those records are kept on disk; `Outcomes` is what the
    analysis reads back: counts per policy and problem over one or more stores.

    `n` counts judged samples (IE excluded), `solved`, `correctness` and
    `optimization` the samples of each class (they sum to `n`), `internal` the
    excluded IE samples. `partial_optimization` counts optimization failures whose run
    stopped before the last test (first-fail mode: a later test might have been a
    correctness failure). `highest_level` is the mean, over judged samples, of the
    passed fraction of the size-ordered suite (NaN where nothing was judged).
    `verdicts[i, p, v]` counts samples by sample verdict, in `VERDICTS` order, IE
    included. Problems are labelled `problem_id`, or `benchmark/problem_id` when the
    stores hold more than one benchmark; problems and policies are sorted."""

    stores: tuple[Store, ...]
    policies: tuple[str, ...]
    problems: tuple[str, ...]
    difficulty: tuple[str | None, ...]
    meta: dict[str, dict[str, Any]]
    n: np.ndarray
    solved: np.ndarray
    correctness: np.ndarray
    optimization: np.ndarray
    internal: np.ndarray
    partial_optimization: np.ndarray
    highest_level: np.ndarray
    verdicts: np.ndarray
    warnings: tuple[str, ...] = field(default=())

    def policy_index(self, name: str) -> int:
        try:
            return self.policies.index(name)
        except ValueError:
            raise InputError(
                f"no policy named {name!r} in these results (policies: {', '.join(self.policies)})",
                field="policy",
            ) from None


def _connect(stores: Sequence[Store]) -> duckdb.DuckDBPyConnection:
    """Views `samples` (and `tests`, if any store has tests.parquet) over the stores'
    Parquet files, projected to the columns the analysis reads."""
    con = duckdb.connect()
    files = _sql_list([s.samples for s in stores])
    con.execute(
        f"CREATE VIEW samples AS SELECT {', '.join(SAMPLE_COLUMNS)}, filename "
        f"FROM read_parquet({files}, union_by_name = true, filename = true)"
    )
    test_files = [s.tests for s in stores if s.tests is not None]
    if test_files:
        con.execute(
            f"CREATE VIEW tests AS SELECT {', '.join(TEST_COLUMNS)} "
            f"FROM read_parquet({_sql_list(test_files)}, union_by_name = true)"
        )
    return con


def _sql_list(paths: Sequence[Path]) -> str:
    """A SQL list literal of file names (a view's definition cannot take parameters)."""
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _check_values(con: duckdb.DuckDBPyConnection, column: str, allowed: Sequence[str]) -> None:
    bad = con.execute(
        f"SELECT {column}, any_value(filename) FROM samples "
        f"WHERE {column} IS NULL OR {column} NOT IN (SELECT unnest($allowed)) GROUP BY ALL ORDER BY 1 LIMIT 1",
        {"allowed": list(allowed)},
    ).fetchone()
    if bad:
        raise InputError(
            f"unknown value {bad[0]!r} (expected one of {', '.join(allowed)})", path=bad[1], field=column
        )


def _check_unique(con: duckdb.DuckDBPyConnection) -> None:
    dup = con.execute(
        "SELECT benchmark, problem_id, policy, sample, list_sort(list(filename)) FROM samples "
        "GROUP BY ALL HAVING count(*) > 1 ORDER BY 1, 2, 3, 4 LIMIT 1"
    ).fetchone()
    if dup:
        files = sorted(set(dup[4]))
        raise InputError(
            f"sample {dup[3]} of policy {dup[2]!r} on problem {dup[0]}/{dup[1]} appears more than once"
            + (f" (also in {', '.join(files[1:])})" if len(files) > 1 else "")
            + "; give each results store once, and stores that do not overlap",
            path=files[0],
        )


def _parse_meta(policy: str, texts: list[str], path: str) -> tuple[dict[str, Any], str | None]:
    parsed: list[dict[str, Any]] = []
    for text in sorted(set(texts)):
        try:
            value = json.loads(text) if text else {}
        except json.JSONDecodeError as exc:
            raise InputError(
                f"policy {policy!r}: policy_meta is not valid JSON ({exc.msg}): {text[:80]!r}",
                path=path,
                field="policy_meta",
            ) from exc
        if not isinstance(value, dict):
            raise InputError(
                f"policy {policy!r}: policy_meta must be a JSON object", path=path, field="policy_meta"
            )
        parsed.append(value)
    distinct = [p for p in parsed if p] or [{}]
    warning = None
    if len(distinct) > 1:
        warning = f"policy {policy!r} has {len(distinct)} different policy_meta values; using the first"
    return distinct[0], warning


def load_outcomes(stores: Sequence[str | Path | Store]) -> Outcomes:
    """Open the stores (one or more; their rows are pooled) and aggregate them into
    `Outcomes`. Raises InputError for a missing file or column, an unknown verdict or
    failure class, a sample that appears twice, or policy_meta that is not JSON."""
    opened = tuple(s if isinstance(s, Store) else open_store(s) for s in stores)
    if not opened:
        raise InputError("no results store given")
    con = _connect(opened)
    if con.execute("SELECT count(*) FROM samples").fetchone() == (0,):
        raise InputError("results store has no samples: nothing to analyse", path=opened[0].samples)
    for column in ("benchmark", "problem_id", "policy"):
        missing = con.execute(f"SELECT any_value(filename) FROM samples WHERE {column} IS NULL").fetchone()
        if missing and missing[0]:
            raise InputError("null value in a key column", path=missing[0], field=column)
    _check_values(con, "failure_class", FAILURE_CLASSES)
    _check_values(con, "verdict", VERDICTS)
    _check_unique(con)

    rows = con.execute(
        """
        SELECT benchmark, problem_id, policy,
               count(*) FILTER (WHERE failure_class <> 'internal') AS n,
               count(*) FILTER (WHERE failure_class = 'solved') AS solved,
               count(*) FILTER (WHERE failure_class = 'correctness') AS correctness,
               count(*) FILTER (WHERE failure_class = 'optimization') AS optimization,
               count(*) FILTER (WHERE failure_class = 'internal') AS internal,
               count(*) FILTER (WHERE failure_class = 'optimization' AND tests_run < tests_total) AS partial,
               avg(highest_level) FILTER (WHERE failure_class <> 'internal') AS level
        FROM samples GROUP BY ALL ORDER BY ALL
        """
    ).fetchall()
    keys = sorted({(b, p) for b, p, *_ in rows})
    several = len({b for b, _ in keys}) > 1
    problems = tuple(f"{b}/{p}" if several else p for b, p in keys)
    policies = tuple(sorted({r[2] for r in rows}))
    pi = {(b, p): j for j, (b, p) in enumerate(keys)}
    qi = {q: i for i, q in enumerate(policies)}
    shape = (len(policies), len(problems))
    counts = {name: np.zeros(shape, dtype=np.int64) for name in ("n", "s", "c", "o", "ie", "part")}
    level = np.full(shape, np.nan)
    for b, p, q, n, s, c, o, ie, part, lvl in rows:
        at = (qi[q], pi[(b, p)])
        for name, value in zip(("n", "s", "c", "o", "ie", "part"), (n, s, c, o, ie, part), strict=True):
            counts[name][at] = value
        level[at] = math.nan if lvl is None else lvl

    verdicts = np.zeros(shape + (len(VERDICTS),), dtype=np.int64)
    vi = {v: k for k, v in enumerate(VERDICTS)}
    for b, p, q, v, count in con.execute(
        "SELECT benchmark, problem_id, policy, verdict, count(*) FROM samples GROUP BY ALL"
    ).fetchall():
        verdicts[qi[q], pi[(b, p)], vi[v]] = count

    warnings: list[str] = []
    difficulty: list[str | None] = [None] * len(keys)
    for b, p, values in con.execute(
        "SELECT benchmark, problem_id, list_sort(list(DISTINCT difficulty)) FROM samples "
        "WHERE difficulty IS NOT NULL GROUP BY ALL"
    ).fetchall():
        difficulty[pi[(b, p)]] = values[0]
        if len(values) > 1:
            warnings.append(f"problem {b}/{p} has difficulties {values}; using {values[0]!r}")

    meta: dict[str, dict[str, Any]] = {}
    for q, texts, path in con.execute(
        "SELECT policy, list(DISTINCT policy_meta), any_value(filename) FROM samples GROUP BY ALL"
    ).fetchall():
        meta[q], warning = _parse_meta(q, [t for t in texts if t is not None], path)
        if warning:
            warnings.append(warning)
    con.close()
    return Outcomes(
        stores=opened,
        policies=policies,
        problems=problems,
        difficulty=tuple(difficulty),
        meta={q: meta[q] for q in policies},
        n=counts["n"],
        solved=counts["s"],
        correctness=counts["c"],
        optimization=counts["o"],
        internal=counts["ie"],
        partial_optimization=counts["part"],
        highest_level=level,
        verdicts=verdicts,
        warnings=tuple(warnings),
    )


@dataclass(frozen=True)
class ClassCheck:
    """Samples whose stored failure class differs from the class of their test
    verdicts (as `contracts.failure_class` computes it): a judge bug or a store
    edited by hand. `checked` counts samples with test rows."""

    checked: int
    mismatches: tuple[tuple[str, str, int], ...]  # (stored class, class of the tests, samples)


def check_failure_classes(stores: Sequence[Store]) -> ClassCheck | None:
    """Recompute every sample's failure class from its rows in tests.parquet and
    compare it with the stored one; None when no store has tests.parquet. DuckDB
    groups samples by their set of test verdicts, so `failure_class` runs once per
    distinct set, not once per sample."""
    if not any(s.tests for s in stores):
        return None
    con = _connect([s for s in stores if s.tests is not None])
    rows = con.execute(
        """
        WITH per_sample AS (
            SELECT benchmark, problem_id, policy, sample, list_sort(list(DISTINCT verdict)) AS seen
            FROM tests GROUP BY ALL
        )
        SELECT s.failure_class, t.seen, count(*)
        FROM samples s JOIN per_sample t USING (benchmark, problem_id, policy, sample)
        GROUP BY ALL ORDER BY ALL
        """
    ).fetchall()
    con.close()
    checked = 0
    mismatches: dict[tuple[str, str], int] = {}
    for stored, seen, count in rows:
        checked += count
        derived = failure_class(seen).value
        if derived != stored:
            mismatches[(stored, derived)] = mismatches.get((stored, derived), 0) + count
    return ClassCheck(checked, tuple((a, b, k) for (a, b), k in sorted(mismatches.items())))


def tests_by_tier(stores: Sequence[Store]) -> list[tuple[Any, ...]]:
    """Per policy and test tier (`untiered` where a test has none): the number of
    test runs, the count of each verdict, and the median and 95th percentile of CPU
    seconds and the largest RSS over those runs. Empty when no store has
    tests.parquet. Rows sorted by policy, then tier from the smallest tests up."""
    with_tests = [s for s in stores if s.tests is not None]
    if not with_tests:
        return []
    con = _connect(with_tests)
    counts = ", ".join(f"count(*) FILTER (WHERE verdict = '{v}')" for v in VERDICTS)
    rows = con.execute(
        f"""
        SELECT policy, coalesce(tier, 'untiered') AS tier, count(*), {counts},
               quantile_cont(cpu_s, 0.5), quantile_cont(cpu_s, 0.95), max(rss_mb)
        FROM tests GROUP BY ALL ORDER BY policy, min(test_index), tier
        """
    ).fetchall()
    con.close()
    return rows
