"""The results store: parts flushed atomically, merged idempotently, resumable."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
import pytest

from codefrontier.contracts import FailureClass, SampleResult, TestResult, Verdict
from codefrontier.store.results import SAMPLES_SCHEMA, TESTS_SCHEMA, ResultsStore


def result(problem: str, sample: int, verdicts: list[str], policy: str = "p") -> SampleResult:
    tests = [TestResult(str(i), i, i, None, Verdict(v), cpu_s=0.01 * i) for i, v in enumerate(verdicts)]
    ok = all(v == "AC" for v in verdicts)
    return SampleResult(
        benchmark="b",
        problem_id=problem,
        policy=policy,
        sample=sample,
        language="python",
        verdict=Verdict.AC if ok else Verdict(next(v for v in verdicts if v != "AC")),
        failure_class=FailureClass.SOLVED if ok else FailureClass.CORRECTNESS,
        tests=tests,
        tests_total=len(tests),
        highest_level=1.0 if ok else 0.0,
        highest_tier=None,
        policy_meta={"alpha": 0.5},
    )


def test_finalize_writes_both_files_with_the_documented_columns(tmp_path):
    store = ResultsStore(tmp_path)
    store.add(result("x", 0, ["AC", "AC"]))
    store.add(result("y", 0, ["WA", "AC"]))
    store.finalize()
    assert pq.read_schema(store.samples_path).names == SAMPLES_SCHEMA.names
    assert pq.read_schema(store.tests_path).names == TESTS_SCHEMA.names
    rows = duckdb.sql(
        f"select problem_id, verdict, tests_passed, policy_meta from '{store.samples_path}' order by 1"
    ).fetchall()
    assert rows == [("x", "AC", 2, '{"alpha": 0.5}'), ("y", "WA", 1, '{"alpha": 0.5}')]
    assert duckdb.sql(f"select count(*) from '{store.tests_path}'").fetchall() == [(4,)]
    assert not store.parts.exists()


def test_done_keys_include_flushed_parts_of_an_interrupted_run(tmp_path):
    store = ResultsStore(tmp_path)
    store.add(result("x", 0, ["AC"]))
    store.flush()  # a crash right after this flush leaves only the part files
    assert ResultsStore(tmp_path).done_keys() == {("b", "x", "p", 0)}
    resumed = ResultsStore(tmp_path)
    resumed.add(result("x", 1, ["AC"]))
    resumed.finalize()
    assert resumed.done_keys() == {("b", "x", "p", 0), ("b", "x", "p", 1)}


def test_a_sample_judged_again_replaces_its_old_rows_instead_of_doubling_them(tmp_path):
    store = ResultsStore(tmp_path)
    store.add(result("x", 0, ["WA", "AC", "AC"]))
    store.finalize()
    again = ResultsStore(tmp_path)
    again.add(result("x", 0, ["AC", "AC"]))
    again.flush()
    again.flush()  # flushing twice writes nothing new
    again.finalize()
    assert duckdb.sql(f"select verdict from '{again.samples_path}'").fetchall() == [("AC",)]
    assert duckdb.sql(f"select count(*) from '{again.tests_path}'").fetchall() == [(2,)]


def test_no_temporary_files_are_left_behind(tmp_path):
    store = ResultsStore(tmp_path)
    for i in range(3):
        store.add(result("x", i, ["AC"]))
        store.flush()
    store.finalize()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["samples.parquet", "tests.parquet"]


def test_rows_become_the_table_from_pylist_makes() -> None:
    """The store builds its tables from Arrow buffers (no pandas import): the same table,
    nulls and NaN included, as pyarrow's own conversion."""
    import math
    import random

    import pyarrow as pa

    from codefrontier.store.results import SAMPLES_SCHEMA, TESTS_SCHEMA, table_of_rows

    rng = random.Random(7)
    pick = {
        pa.string(): lambda: rng.choice(["", "AC", "é ☺ \x00 tail", "x" * 300]),
        pa.int64(): lambda: rng.choice([0, -1, 2**62, 17]),
        pa.float64(): lambda: rng.choice([0.0, -2.5, 1e300, math.nan, math.inf]),
        pa.bool_(): lambda: rng.choice([True, False]),
    }
    for schema in (SAMPLES_SCHEMA, TESTS_SCHEMA):
        for count in (0, 1, 9, 200):
            rows = [
                {f.name: None if rng.random() < 0.2 else pick[f.type]() for f in schema if rng.random() < 0.9}
                for _ in range(count)
            ]
            ours, theirs = table_of_rows(rows, schema), pa.Table.from_pylist(rows, schema=schema)
            ours.validate(full=True)
            assert ours.schema == theirs.schema and ours.num_rows == theirs.num_rows
            for name in schema.names:
                a, b = ours.column(name).to_pylist(), theirs.column(name).to_pylist()
                assert [None if x is None else ("nan" if x != x else x) for x in a] == [
                    None if y is None else ("nan" if y != y else y) for y in b
                ], name


def test_text_past_a_string_array_s_limit_is_split_into_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A string column's offsets are 32-bit: rows whose text passes 2 GiB become chunks, not
    wrapped offsets (the limit is lowered here to 100 bytes to see it)."""
    import pyarrow as pa

    from codefrontier.store import results
    from codefrontier.store.results import TESTS_SCHEMA, table_of_rows

    monkeypatch.setattr(results, "_MAX_STRING_BYTES", 100)
    rows = [{"problem_id": f"p{i}", "detail": "é" * 30, "sample": i} for i in range(9)]
    table = table_of_rows(rows, TESTS_SCHEMA)
    table.validate(full=True)
    assert table.column("detail").num_chunks > 1
    assert table.to_pylist() == pa.Table.from_pylist(rows, schema=TESTS_SCHEMA).to_pylist()
