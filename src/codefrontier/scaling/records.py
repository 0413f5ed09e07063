"""The run directory's caches: one JSONL file per kind of paid-for result (rollouts,
summaries, votes, oracle verdicts, program outputs), each record under a content key.

A key is a digest of everything the result depends on (the model and its settings,
the prompt, the seed), so a rerun asks the cache first and pays only for what is
missing; a changed setting simply misses the cache instead of mixing results made
differently. Records are appended by a writer thread that commits whatever finished
meanwhile with one fsync (the event loop never waits on the disk); a kill loses at most
the records of the last few milliseconds, and a torn last line is cut off on the next
open (`codefrontier.sampling.samplefile.read_records`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from codefrontier.sampling.samplefile import GroupCommitWriter, read_records


def digest(*parts: Any) -> str:
    """A short content key: SHA-256 of the parts as canonical JSON (24 hex digits)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class RecordCache:
    """Records by key, read from `path` on open and appended durably as they come
    (`codefrontier.sampling.samplefile.GroupCommitWriter`)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.records: dict[str, dict[str, Any]] = {}
        for _, record in read_records(self.path, repair=True):
            key = record.get("key")
            if isinstance(key, str):
                self.records[key] = record  # a later line wins
        self.hits = 0
        self.added = 0
        self._writer: GroupCommitWriter | None = None

    def get(self, key: str) -> dict[str, Any] | None:
        record = self.records.get(key)
        if record is not None:
            self.hits += 1
        return record

    def __contains__(self, key: str) -> bool:
        return key in self.records

    def put(self, record: dict[str, Any]) -> dict[str, Any]:
        """Keep `record` (it must have a `key`) and append it to the file."""
        if self._writer is None:  # opened on the first record: a run that adds nothing writes nothing
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = GroupCommitWriter([self.path], "cf-scaling-cache")
        self._writer.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
        self.records[record["key"]] = record
        self.added += 1
        return record

    def close(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()


class InFlight:
    """Concurrent requests for the same key share one computation: two methods that need
    the same summary or vote at the same moment pay for it once."""

    def __init__(self) -> None:
        self._pending: dict[str, Any] = {}

    async def run(self, key: str, make: Any) -> Any:
        import asyncio

        future = self._pending.get(key)
        if future is not None:
            return await asyncio.shield(future)
        task = asyncio.ensure_future(make())
        self._pending[key] = task
        try:
            return await asyncio.shield(task)
        finally:
            if task.done():
                self._pending.pop(key, None)
