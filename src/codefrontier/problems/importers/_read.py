"""Read dataset records from JSONL, JSON-array or Parquet files, one record at a time.

The container is recognised by its content, not its name: gzip magic, Parquet's
`PAR1`, a leading `[` (a JSON array, e.g. MBPP's `sanitized-mbpp.json`) or a
leading `{` (JSON Lines). Each record keeps where it came from (file, 1-based line
for JSONL, 0-based row for Parquet and JSON arrays) so that errors can name it.

Peak memory: one JSONL line, or one Parquet batch of `PARQUET_BATCH_ROWS` rows
(CodeContests rows carry every test and solution, a few MB each); a JSON array is
loaded whole (the only dataset published that way, sanitized MBPP, is small).
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codefrontier.errors import InputError

PARQUET_BATCH_ROWS = 16
DATA_SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".json.gz", ".parquet")


@dataclass(frozen=True)
class RawRecord:
    """One record as read: its data, or why it could not be read (`error`)."""

    path: Path
    line: int | None  # 1-based line of a JSONL file
    row: int | None  # 0-based row of a Parquet file or JSON array
    data: dict[str, Any] | None
    error: str | None = None


def data_files(path: str | Path) -> list[Path]:
    """The files to read: `path` itself, or the data files directly inside a directory
    (sorted by name, so HF shards `train-00000-of-00009...` come in order; hidden files,
    such as the temporary files of an atomic write, are left out)."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or directory", path=path)
    if path.is_file():
        return [path]
    files = sorted(
        p
        for p in path.iterdir()
        if p.is_file() and p.name.endswith(DATA_SUFFIXES) and not p.name.startswith(".")
    )
    if not files:
        raise InputError(
            f"directory has no data files (looked for {', '.join('*' + s for s in DATA_SUFFIXES)})",
            path=path,
        )
    return files


def iter_raw_records(path: Path) -> Iterator[RawRecord]:
    """Yield the file's records. A record that cannot be parsed is yielded with `error`
    set (the caller skips it or stops); a file that cannot be read on raises InputError."""
    kind, compressed = _sniff(path)
    if kind == "parquet":
        yield from _iter_parquet(path)
    elif kind == "json-array":
        yield from _iter_json_array(path, compressed)
    else:
        yield from _iter_jsonl(path, compressed)


def _sniff(path: Path) -> tuple[str, bool]:
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", path=path) from None
    if not head:
        raise InputError("file is empty", path=path)
    if head.startswith(b"PAR1"):
        return "parquet", False
    compressed = head.startswith(b"\x1f\x8b")
    try:
        with _open_binary(path, compressed) as fh:
            first = _first_significant_byte(fh)
    except (EOFError, OSError, zlib.error) as exc:
        raise InputError(f"cannot read file: truncated or corrupt gzip data ({exc})", path=path) from None
    if first == b"[":
        return "json-array", compressed
    if first == b"{":
        return "jsonl", compressed
    if first == b"":
        raise InputError("file is empty", path=path)
    raise InputError(
        "not a dataset file: expected JSON Lines (one object a line), a JSON array of objects, "
        "or Parquet (optionally gzipped)",
        path=path,
    )


def _open_binary(path: Path, compressed: bool) -> Any:
    return gzip.open(path, "rb") if compressed else open(path, "rb")


def _first_significant_byte(fh: Any) -> bytes:
    while True:
        chunk = fh.read(64)  # small reads: a truncated gzip file still yields its first bytes
        if not chunk:
            return b""
        stripped = chunk.lstrip()
        if stripped.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark
            stripped = stripped[3:].lstrip()
        if stripped:
            return stripped[:1]


def _iter_jsonl(path: Path, compressed: bool) -> Iterator[RawRecord]:
    lineno = 0
    try:
        with _open_binary(path, compressed) as fh:
            for lineno, raw in enumerate(fh, 1):
                if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                if not raw.strip():
                    continue
                yield _parse_line(path, lineno, raw)
    except (EOFError, OSError, zlib.error) as exc:
        raise InputError(
            f"file is truncated or corrupt after line {lineno} ({exc}); records after it cannot be read",
            path=path,
        ) from None


def _parse_line(path: Path, lineno: int, raw: bytes) -> RawRecord:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return RawRecord(path, lineno, None, None, f"not UTF-8 text (byte {exc.start})")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return RawRecord(
            path,
            lineno,
            None,
            None,
            f"not valid JSON ({exc.msg} at column {exc.colno}): the line is truncated or not a JSON record",
        )
    if not isinstance(obj, dict):
        return RawRecord(
            path, lineno, None, None, f"a record must be a JSON object, got {type(obj).__name__}"
        )
    return RawRecord(path, lineno, None, obj)


def _iter_json_array(path: Path, compressed: bool) -> Iterator[RawRecord]:
    try:
        with _open_binary(path, compressed) as fh:
            items = json.loads(fh.read().decode("utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON ({exc.msg} at column {exc.colno}); the file may be truncated",
            path=path,
            line=exc.lineno,
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path=path) from None
    except (EOFError, OSError, zlib.error) as exc:
        raise InputError(f"cannot read file: truncated or corrupt gzip data ({exc})", path=path) from None
    if not isinstance(items, list):
        raise InputError("a JSON file must hold an array of record objects", path=path)
    if not items:
        raise InputError("the JSON array holds no records", path=path)
    for row, obj in enumerate(items):
        if isinstance(obj, dict):
            yield RawRecord(path, None, row, obj)
        else:
            yield RawRecord(
                path, None, row, None, f"a record must be a JSON object, got {type(obj).__name__}"
            )


def _iter_parquet(path: Path) -> Iterator[RawRecord]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read Parquet file: truncated or corrupt ({exc})", path=path) from None
    if pf.metadata.num_rows == 0:
        raise InputError("the Parquet file holds no rows", path=path)
    row = 0
    try:
        for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS):
            for obj in batch.to_pylist():
                yield RawRecord(path, None, row, obj)
                row += 1
    except (pa.ArrowException, OSError) as exc:
        raise InputError(
            f"Parquet data is corrupt at row {row} ({exc}); rows from there on cannot be read", path=path
        ) from None
