"""The files `codefrontier sample` writes, side by side:

- `NAME.jsonl`: the samples, in the judge's input format (one a line);
- `NAME.trajectories.jsonl`: one trajectory a line, keyed like its sample;
- `NAME.sampling.json`: per policy, the settings and backend it was drawn with, and the runs.

Both JSONL files are appended as samples finish and fsync'ed (trajectories first: a sample
on disk always has its trajectory); a writer thread commits whatever finished meanwhile
in one go, so the disk never holds up the requests. On restart the samples already on
disk are kept and skipped; a torn last line (an interrupted write) is cut off with a
warning; a trajectory without its sample is drawn again (the later line wins).
"""

from __future__ import annotations

import json
import os
import queue
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codefrontier.errors import InputError
from codefrontier.judge.samples import extract_program

Key = tuple[str, str, int]
RECORD_FORMAT = "codefrontier-sampling/1"


class TornLineWarning(UserWarning):
    """The last line of a samples or trajectories file was cut short and is ignored."""


def companion_paths(samples: str | Path) -> tuple[Path, Path]:
    """The trajectories file and the sampling record beside a samples file."""
    samples = Path(samples)
    stem = samples.name.removesuffix(".jsonl")
    return samples.with_name(f"{stem}.trajectories.jsonl"), samples.with_name(f"{stem}.sampling.json")


def sample_record(
    *,
    problem_id: str,
    policy: str,
    sample: int,
    language: str,
    code: str,
    extracted: bool,
    answer: str,
    raw: str,
    policy_meta: dict[str, Any],
    extraction: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One line of the samples file. `code` is the program; where the program itself
    holds a line that looks like a fence (so that the judge's extraction, run again on it,
    would change it), `code` is the answer it was extracted from instead, which the
    judge's extraction turns back into exactly this program."""
    written = code
    if extracted and extract_program(code, language) != (code, False):
        written = answer
    record: dict[str, Any] = {
        "problem_id": problem_id,
        "policy": policy,
        "sample": sample,
        "language": language,
        "code": written,
        "extracted": extracted,
    }
    if extraction:
        record["extraction"] = extraction
    if raw != written:
        record["raw"] = raw
    record["policy_meta"] = policy_meta
    return record


def cut_torn_tail(path: Path, *, repair: bool) -> bool:
    """Whether the file's last line was cut short (the file does not end with a newline:
    every record is written with its newline in one go). Warns; with `repair`, cuts the
    torn line off so that appending starts on a fresh line. Reads only the file's tail."""
    size = path.stat().st_size if path.exists() else 0
    if size == 0:
        return False
    with open(path, "r+b" if repair else "rb") as fh:
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return False
        end, pos = 0, size
        while pos > 0:
            start = max(0, pos - (1 << 16))
            fh.seek(start)
            found = fh.read(pos - start).rfind(b"\n")
            if found >= 0:
                end = start + found + 1
                break
            pos = start
        warnings.warn(
            f"{path}:{_count_newlines(fh, end) + 1}: the last line is cut short (an interrupted write); ignoring it",
            TornLineWarning,
            stacklevel=3,
        )
        if repair:
            fh.truncate(end)
            fh.flush()
            os.fsync(fh.fileno())
    return True


def _count_newlines(fh: Any, end: int) -> int:
    fh.seek(0)
    count = done = 0
    while done < end:
        chunk = fh.read(min(1 << 20, end - done))
        count += chunk.count(b"\n")
        done += len(chunk)
    return count


def read_records(path: Path, *, repair: bool = False) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for each line of a JSONL file this module wrote, streamed. A
    last line that is cut short is skipped with a warning (and cut off the file when
    `repair`); a bad line anywhere else is an error."""
    if not path.exists():
        return
    torn = cut_torn_tail(path, repair=repair)
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, 1):
            if not line.endswith(b"\n") and torn:
                return  # the torn tail, already warned about
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise InputError(f"not valid JSON ({exc})", path=path, line=number) from None
            if not isinstance(record, dict):
                raise InputError("not a JSON object", path=path, line=number)
            yield number, record


def read_keys(path: Path, *, repair: bool = False) -> dict[Key, dict[str, Any]]:
    """The samples on disk, by (problem, policy, sample)."""
    found: dict[Key, dict[str, Any]] = {}
    for line, record in read_records(path, repair=repair):
        found[_key(record, path, line)] = record
    return found


def done_keys(path: Path, *, repair: bool = False) -> set[Key]:
    """The keys of the samples on disk (streamed; the records are not kept)."""
    keys: set[Key] = set()
    for line, record in read_records(path, repair=repair):
        keys.add(_key(record, path, line))
    return keys


def _key(record: dict[str, Any], path: Path, line: int) -> Key:
    try:
        return (str(record["problem_id"]), str(record["policy"]), int(record["sample"]))
    except (KeyError, TypeError, ValueError):
        raise InputError("a record without problem_id, policy and sample", path=path, line=line) from None


class GroupCommitWriter:
    """Appends lines to one or more files, durably, from a writer thread. Each `append`
    gives one line per file; the thread takes every append waiting and writes each
    file's part in the order the files were given, flushing and fsyncing each before the
    next (a group commit: one fsync per file for however many appends came meanwhile), so
    the caller never waits on the disk. A write error is raised by the next `append` or by
    `close`. Also the caches of `codefrontier.scaling`."""

    def __init__(self, paths: list[Path], name: str = "cf-writer") -> None:
        self._files = [open(p, "ab") for p in paths]  # noqa: SIM115 - closed in close()
        self._queue: queue.SimpleQueue[tuple[bytes, ...] | None] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._write, name=name, daemon=True)
        self._thread.start()

    def append(self, *lines: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(lines)

    def _write(self) -> None:
        while True:
            item = self._queue.get()
            batch = [item]
            while item is not None:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                batch.append(item)
            records = [b for b in batch if b is not None]
            try:
                if records:
                    for index, fh in enumerate(self._files):
                        fh.write(b"".join(r[index] for r in records))
                        fh.flush()
                        os.fsync(fh.fileno())
            except BaseException as exc:  # surfaced by the next append() or by close()
                self._error = exc
                return
            if batch[-1] is None:
                return

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        for fh in self._files:
            fh.close()
        if self._error is not None:
            raise self._error


class SampleWriter:
    """Appends finished samples and their trajectories, durably, through a
    `GroupCommitWriter`: the trajectories file is written and fsync'ed before the samples
    file, so a sample on disk always has its trajectory."""

    def __init__(self, samples: str | Path) -> None:
        self.samples_path = Path(samples)
        self.trajectories_path, _ = companion_paths(self.samples_path)
        self.samples_path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = GroupCommitWriter([self.trajectories_path, self.samples_path], "cf-sample-writer")

    def append(self, sample: dict[str, Any], trajectory: dict[str, Any]) -> None:
        self._writer.append(_line(trajectory), _line(sample))

    def close(self) -> None:
        self._writer.close()


def _line(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def read_sampling_record(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"format": RECORD_FORMAT, "policies": {}}
    try:
        record = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg}); remove it to start over", path=path) from None
    if not isinstance(record, dict) or not isinstance(record.get("policies"), dict):
        raise InputError("not a sampling record (no `policies` object)", path=path)
    return record


def write_json_atomic(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(value, fh, indent=2, sort_keys=True, ensure_ascii=False)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
