"""The results store: Parquet files queryable with DuckDB (docs/formats.md, "Results store").

    OUT/samples.parquet     one row per judged sample
    OUT/tests.parquet       one row per sample-test that ran
    OUT/provenance.json     how the verdicts were made (versions, isolation, limits, machine)

While a run is going, finished results are flushed every few seconds to part files
under OUT/.parts/ (each written to a temporary name, then renamed). At the end of a
run, and on Ctrl-C, the parts are merged into the two files above (again written
aside, then renamed) and removed. A crash therefore loses at most the last few
seconds, never corrupts a file, and the next run on the same OUT picks up the parts.
Rows are keyed by (benchmark, problem_id, policy, sample[, test_id]); merging keeps
the newest row per key, so a repeated flush can never double-count.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from codefrontier.contracts import SampleResult
from codefrontier.errors import InputError

SAMPLE_KEY = ("benchmark", "problem_id", "policy", "sample")
TEST_KEY = (*SAMPLE_KEY, "test_id")

SAMPLES_SCHEMA = pa.schema(
    [
        ("benchmark", pa.string()),
        ("problem_id", pa.string()),
        ("policy", pa.string()),
        ("sample", pa.int64()),
        ("language", pa.string()),
        ("verdict", pa.string()),
        ("failure_class", pa.string()),
        ("tests_passed", pa.int64()),
        ("tests_total", pa.int64()),
        ("tests_run", pa.int64()),
        ("max_cpu_s", pa.float64()),
        ("sum_cpu_s", pa.float64()),
        ("max_rss_mb", pa.float64()),
        ("highest_level", pa.float64()),
        ("highest_tier", pa.string()),
        ("first_failed_test", pa.string()),
        ("difficulty", pa.string()),
        ("extracted", pa.bool_()),
        ("code_sha256", pa.string()),
        ("policy_meta", pa.string()),
        ("detail", pa.string()),
        ("attempts", pa.int64()),
        ("seq", pa.int64()),  # write order: the newest row of a key wins when parts are merged
    ]
)

TESTS_SCHEMA = pa.schema(
    [
        ("benchmark", pa.string()),
        ("problem_id", pa.string()),
        ("policy", pa.string()),
        ("sample", pa.int64()),
        ("test_id", pa.string()),
        ("test_index", pa.int64()),
        ("size", pa.int64()),
        ("tier", pa.string()),
        ("verdict", pa.string()),
        ("cpu_s", pa.float64()),
        ("wall_s", pa.float64()),
        ("rss_mb", pa.float64()),
        ("exit_code", pa.int64()),
        ("signal", pa.int64()),
        ("detail", pa.string()),
        ("seq", pa.int64()),
    ]
)


_MAX_STRING_BYTES = 2**31 - 1  # an Arrow string array's data, with its 32-bit offsets


def table_of_rows(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """`pa.Table.from_pylist(rows, schema=schema)` for the flat schemas here (string, int64,
    float64, bool), with each column's Arrow buffers built directly. Every pyarrow
    constructor from Python objects (lists and NumPy arrays alike) first asks whether they
    are pandas objects, and asking imports pandas: 0.2 s of every judge run's start-up.
    None is null; NaN stays NaN, as from_pylist keeps it. Rows whose text would pass a
    string array's 2 GiB are split into chunks, as from_pylist splits them."""
    import numpy as np

    count = len(rows)
    columns = []
    for field in schema:
        values = [row.get(field.name) for row in rows]
        missing = np.fromiter((v is None for v in values), dtype=bool, count=count)
        nulls = int(missing.sum())
        validity = pa.py_buffer(np.packbits(~missing, bitorder="little")) if nulls else None
        if field.type == pa.string():
            encoded = [b"" if v is None else v.encode() for v in values]
            ends = np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=count))
            if count > 1 and ends[-1] > _MAX_STRING_BYTES:  # a string column's offsets are 32-bit
                half = count // 2
                return pa.concat_tables(
                    [table_of_rows(rows[:half], schema), table_of_rows(rows[half:], schema)]
                )
            offsets = np.zeros(count + 1, dtype=np.int32)
            offsets[1:] = ends
            buffers = [validity, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
        elif field.type == pa.bool_():
            bits = np.fromiter((bool(v) for v in values), dtype=bool, count=count)
            buffers = [validity, pa.py_buffer(np.packbits(bits, bitorder="little"))]
        else:
            kind = {pa.int64(): np.int64, pa.float64(): np.float64}[field.type]
            data = np.fromiter((0 if v is None else v for v in values), dtype=kind, count=count)
            buffers = [validity, pa.py_buffer(data)]
        columns.append(pa.Array.from_buffers(field.type, count, buffers, null_count=nulls))
    return pa.Table.from_arrays(columns, schema=schema)


def sample_row(result: SampleResult, seq: int) -> dict[str, Any]:
    return {
        "benchmark": result.benchmark,
        "problem_id": result.problem_id,
        "policy": result.policy,
        "sample": result.sample,
        "language": result.language,
        "verdict": result.verdict.value,
        "failure_class": result.failure_class.value,
        "tests_passed": result.tests_passed,
        "tests_total": result.tests_total,
        "tests_run": result.tests_run,
        "max_cpu_s": result.max_cpu_s,
        "sum_cpu_s": result.sum_cpu_s,
        "max_rss_mb": result.max_rss_mb,
        "highest_level": result.highest_level,
        "highest_tier": result.highest_tier,
        "first_failed_test": result.first_failed_test,
        "difficulty": result.difficulty,
        "extracted": result.extracted,
        "code_sha256": result.code_sha256,
        "policy_meta": json.dumps(result.policy_meta, sort_keys=True),
        "detail": result.detail,
        "attempts": result.attempts,
        "seq": seq,
    }


def test_rows(result: SampleResult, seq: int) -> list[dict[str, Any]]:
    return [
        {
            "benchmark": result.benchmark,
            "problem_id": result.problem_id,
            "policy": result.policy,
            "sample": result.sample,
            "test_id": t.test_id,
            "test_index": t.test_index,
            "size": t.size,
            "tier": t.tier,
            "verdict": t.verdict.value,
            "cpu_s": t.cpu_s,
            "wall_s": t.wall_s,
            "rss_mb": t.rss_mb,
            "exit_code": t.exit_code,
            "signal": t.signal,
            "detail": t.detail,
            "seq": seq,
        }
        for t in result.tests
    ]


def _write_parquet_atomic(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class StoreBusy(InputError):
    """Another process is writing the same results store."""


class ResultsStore:
    """Append-only, resumable results of judging, in one directory."""

    FLUSH_SECONDS = 5.0
    FLUSH_SAMPLES = 512

    def __init__(self, out_dir: str | Path) -> None:
        self.dir = Path(out_dir)
        self.parts = self.dir / ".parts"
        self._pending_samples: list[dict[str, Any]] = []
        self._pending_tests: list[dict[str, Any]] = []
        self._last_flush = time.monotonic()
        self._seq = int(time.time() * 1000) * 1000  # increases across runs on the same OUT
        self._lock = threading.Lock()

    # -- reading ------------------------------------------------------------------
    @property
    def samples_path(self) -> Path:
        return self.dir / "samples.parquet"

    @property
    def tests_path(self) -> Path:
        return self.dir / "tests.parquet"

    @property
    def provenance_path(self) -> Path:
        return self.dir / "provenance.json"

    def _part_files(self, kind: str) -> list[Path]:
        if not self.parts.is_dir():
            return []
        return sorted(p for p in self.parts.glob(f"{kind}-*.parquet"))

    def done_keys(self) -> set[tuple[str, str, str, int]]:
        """Keys of samples already judged (final file and leftover parts)."""
        keys: set[tuple[str, str, str, int]] = set()
        for path in [self.samples_path, *self._part_files("samples")]:
            if not path.exists():
                continue
            try:
                table = pq.read_table(path, columns=list(SAMPLE_KEY))
            except (pa.ArrowInvalid, OSError) as exc:
                raise InputError(
                    f"cannot read results ({exc}); remove the file to start over", path=path
                ) from None
            cols = [table.column(c).to_pylist() for c in SAMPLE_KEY]
            keys.update(zip(*cols, strict=True))
        return keys

    def read_provenance(self) -> dict[str, Any] | None:
        if not self.provenance_path.exists():
            return None
        try:
            return json.loads(self.provenance_path.read_text())
        except json.JSONDecodeError as exc:
            raise InputError(
                f"not valid JSON ({exc.msg})", path=self.provenance_path, line=exc.lineno
            ) from None

    # -- writing ------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store for writing: a second process writing the same directory at the
        same time is refused (the lock is an flock on OUT/.lock, released if the holder dies)."""
        created = not self.dir.exists()
        self.dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.dir / ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
                raise StoreBusy(
                    f"another process (pid {holder}) is writing this results store; wait for it or use another --out",
                    path=self.dir,
                ) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            try:
                yield
            except BaseException:
                if created and not any(p.name != ".lock" for p in self.dir.iterdir()):
                    shutil.rmtree(self.dir, ignore_errors=True)  # nothing was written: leave nothing
                raise
        finally:
            os.close(fd)

    def write_provenance(self, provenance: dict[str, Any]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.provenance_path.with_name(".provenance.json.tmp")
        tmp.write_text(json.dumps(provenance, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, self.provenance_path)

    def add(self, result: SampleResult) -> None:
        with self._lock:
            self._seq += 1
            self._pending_samples.append(sample_row(result, self._seq))
            self._pending_tests.extend(test_rows(result, self._seq))
            due = (
                len(self._pending_samples) >= self.FLUSH_SAMPLES
                or time.monotonic() - self._last_flush >= self.FLUSH_SECONDS
            )
        if due:
            self.flush()

    def flush(self) -> None:
        """Write pending results to a new part file pair (atomically)."""
        with self._lock:
            samples, tests = self._pending_samples, self._pending_tests
            self._pending_samples, self._pending_tests = [], []
            self._last_flush = time.monotonic()
            if not samples:
                return
            self.parts.mkdir(parents=True, exist_ok=True)
            stamp = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}"
            # tests first: a samples part is what marks a sample done
            _write_parquet_atomic(table_of_rows(tests, TESTS_SCHEMA), self.parts / f"tests-{stamp}.parquet")
            _write_parquet_atomic(
                table_of_rows(samples, SAMPLES_SCHEMA), self.parts / f"samples-{stamp}.parquet"
            )

    def finalize(self) -> None:
        """Flush, then merge every part into samples.parquet and tests.parquet."""
        self.flush()
        sample_parts, test_parts = self._part_files("samples"), self._part_files("tests")
        if not sample_parts and not test_parts and self.samples_path.exists():
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        self._merge(self.samples_path, sample_parts, SAMPLES_SCHEMA, SAMPLE_KEY)
        self._merge(self.tests_path, test_parts, TESTS_SCHEMA, TEST_KEY)
        for part in [*sample_parts, *test_parts]:
            part.unlink(missing_ok=True)
        if self.parts.is_dir() and not any(self.parts.iterdir()):
            self.parts.rmdir()

    @staticmethod
    def _merge(final: Path, parts: list[Path], schema: pa.Schema, key: tuple[str, ...]) -> None:
        import duckdb

        sources = ([final] if final.exists() else []) + parts
        if not sources:
            # not schema.empty_table(): it imports pandas (0.2 s of every judge run's start-up)
            _write_parquet_atomic(pa.Table.from_batches([], schema=schema), final)
            return
        files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in sources)
        cols = ", ".join(f'"{c}"' for c in schema.names)
        order = ", ".join(f'"{c}"' for c in key)
        if "test_index" in schema.names:
            order = ", ".join(f'"{c}"' for c in key[:-1]) + ', "test_index", "test_id"'
        tmp = final.with_name(f".{final.name}.{uuid.uuid4().hex}.tmp")
        con = duckdb.connect()
        try:
            # Only rows whose sample's newest write they belong to: a sample judged again
            # (after an interrupted run) replaces all its old test rows.
            sample_key = ", ".join(f'"{c}"' for c in SAMPLE_KEY)
            con.execute(
                f"""
                COPY (
                    WITH rows AS (SELECT {cols} FROM read_parquet([{files}], union_by_name = true)),
                    newest AS (SELECT {sample_key}, max(seq) AS seq FROM rows GROUP BY {sample_key})
                    SELECT {cols} FROM rows JOIN newest USING ({sample_key}, seq)
                    QUALIFY row_number() OVER (PARTITION BY {", ".join(f'"{c}"' for c in key)} ORDER BY seq DESC) = 1
                    ORDER BY {order}
                ) TO '{str(tmp).replace("'", "''")}' (FORMAT parquet, COMPRESSION zstd)
                """
            )
        finally:
            con.close()
        os.replace(tmp, final)
