"""Output shards written in place at offsets planned in advance.

A shard file is created when its first tensor block arrives (header written, file
extended to its final size) and closed when its last byte is written, so however many
shards and outputs a sweep has, only about one file per output is open at a time.
Several workers write blocks of the same shard at once: `pwrite` at distinct offsets
needs no lock, only the bookkeeping does.
"""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

from codefrontier.errors import CodefrontierError
from codefrontier.merge.layout import OutputLayout


class ShardWriter:
    """Writes the shards of one output checkpoint directory following `layout`."""

    def __init__(self, directory: Path, layout: OutputLayout, *, fsync: bool) -> None:
        self.directory = directory
        self.layout = layout
        self.fsync = fsync
        self.bytes_written = 0
        self._lock = threading.Lock()
        self._fds: dict[int, int] = {}
        self._writing: dict[int, int] = {}  # shard -> writes in flight
        self._remaining = [sum(t.nbytes for t in s.tensors) for s in layout.shards]

    def write(self, shard: int, offset: int, data: memoryview) -> None:
        """Write `data` at absolute `offset` of shard number `shard` (thread-safe)."""
        with self._lock:
            fd = self._fds.get(shard)
            if fd is None:
                fd = self._open(shard)
            self._writing[shard] = self._writing.get(shard, 0) + 1
        done = 0
        try:
            while done < len(data):
                done += os.pwrite(fd, data[done:], offset + done)
        except OSError as exc:
            raise _write_error(self.directory / self.layout.shards[shard].filename, exc) from exc
        finally:
            with self._lock:
                self._writing[shard] -= 1
                self.bytes_written += done
                self._remaining[shard] -= done
                if self._remaining[shard] == 0 and self._writing[shard] == 0:
                    self._close(shard)

    def _open(self, shard: int) -> int:
        plan = self.layout.shards[shard]
        path = self.directory / plan.filename
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            os.pwrite(fd, plan.header, 0)
            os.ftruncate(fd, plan.size)
        except OSError as exc:
            raise _write_error(path, exc) from exc
        self.bytes_written += len(plan.header)
        self._fds[shard] = fd
        return fd

    def _close(self, shard: int) -> None:
        fd = self._fds.pop(shard)
        try:
            if self.fsync:
                os.fsync(fd)
        finally:
            os.close(fd)

    def finish(self) -> None:
        """Create shards that hold no bytes (a checkpoint of empty tensors) and check that
        every planned byte was written."""
        with self._lock:
            for shard, plan in enumerate(self.layout.shards):
                if self._remaining[shard] == 0 and not (self.directory / plan.filename).exists():
                    self._open(shard)
                    self._close(shard)
            unfinished = [self.layout.shards[i].filename for i, left in enumerate(self._remaining) if left]
        if unfinished:
            raise RuntimeError(f"merge left shards unfinished: {unfinished}")

    def abort(self) -> None:
        with self._lock:
            for fd in self._fds.values():
                os.close(fd)
            self._fds.clear()


def _write_error(path: Path, exc: OSError) -> CodefrontierError:
    if exc.errno == errno.ENOSPC:
        return CodefrontierError(f"{path}: disk full while writing; free space or choose another --out")
    return CodefrontierError(f"{path}: cannot write: {exc.strerror}")
