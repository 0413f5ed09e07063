"""Reading every tensor of several checkpoints once, block by block, and hashing the
files from those same reads.

Peak memory is a design decision here. A block is at most `block_elements` elements of
one tensor. The files are memory-mapped and a block is a view of the mapping (no copy);
once a block is merged and hashed its pages are handed back (MADV_DONTNEED), so the
resident set holds the blocks in flight, two per worker, and does not grow with the files
however large they are: a 1.5 GB embedding matrix streams through the same few
megabytes as a bias.

File hashes: each file's digest (BLAKE3 by default; SHA-256 on request, which is what
`sha256sum` and the Hugging Face Hub report) is fed its header and then its tensors in
file order, by one hashing thread per input that takes blocks in stream order whichever
worker read them. BLAKE3 is the default because SHA-256 of the inputs cost as much CPU as
the merge itself (1.2 GB/s against 5.6 GB/s for BLAKE3 on the development machine). A file the stream does not
visit in its own byte order (an input sharded differently from the first input) is
hashed afterwards by a sequential read.
"""

from __future__ import annotations

import hashlib
import mmap
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from codefrontier.merge.checkpoint import Checkpoint
from codefrontier.merge.safetensors_io import TensorInfo
from codefrontier.merge.settings import HASH_ALGORITHMS

_HASH_CHUNK = 16 << 20


def new_hash(algorithm: str) -> Any:
    """A hashlib-style object (update, hexdigest) for one of HASH_ALGORITHMS."""
    if algorithm == "blake3":
        import blake3

        return blake3.blake3()
    if algorithm == "sha256":
        return hashlib.sha256()
    raise ValueError(f"unknown hash {algorithm!r}; choose one of {', '.join(HASH_ALGORITHMS)}")


@dataclass(frozen=True)
class FileDigest:
    """One weight file of an input: its name, size and digest as "<algorithm>:<hex>"
    ("blake3:…" or "sha256:…"; None when not hashed)."""

    name: str
    bytes: int
    digest: str | None


@dataclass(frozen=True)
class BlockSpec:
    """Elements [start, start + count) of one tensor, in every input; `index` is the
    block's position in the stream."""

    index: int
    tensors: tuple[TensorInfo, ...]  # the tensor in each input
    start: int
    count: int

    @property
    def name(self) -> str:
        return self.tensors[0].name


@dataclass(frozen=True)
class Block:
    """A block's bytes from every input: `raw[j]` as a uint8 tensor and `data[j]` as a
    memoryview of the same memory, both views of the file mapping. Never written to."""

    spec: BlockSpec
    raw: tuple[torch.Tensor, ...]
    data: tuple[memoryview, ...]

    @property
    def count(self) -> int:
        return self.spec.count

    @property
    def nbytes(self) -> int:
        return sum(len(d) for d in self.data)


def block_specs(checkpoints: Sequence[Checkpoint], block_elements: int) -> Iterator[BlockSpec]:
    """Every block of every tensor, in the order the first checkpoint stores them."""
    index = 0
    first = checkpoints[0]
    for name, tensor in first.tensors.items():
        tensors = (tensor, *(c.tensors[name] for c in checkpoints[1:]))
        n = tensor.numel
        for start in range(0, n, block_elements) if n else [0]:
            yield BlockSpec(index, tensors, start, min(block_elements, n - start))
            index += 1


class InputFiles:
    """Shared, thread-safe, zero-copy access to the input files.

    Each file is memory-mapped (privately, read-only in practice) and a block is a view of
    the mapping, so reading costs page-table work instead of a copy. The pages a block
    touched are handed back with `release` (madvise MADV_DONTNEED) once it is merged and
    hashed: they stay in the page cache, but leave this process's resident set, which
    therefore holds the blocks in flight and nothing more, whatever the size of the files.
    """

    def __init__(self, checkpoints: Sequence[Checkpoint]) -> None:
        self._lock = threading.Lock()
        self._maps: dict[Path, tuple[mmap.mmap, torch.Tensor, memoryview]] = {}
        self._left: dict[Path, int] = {}
        for c in checkpoints:
            for t in c.tensors.values():
                self._left[t.path] = self._left.get(t.path, 0) + t.nbytes
        self.bytes_read = 0

    def read(self, spec: BlockSpec, *, consume: bool = True) -> Block:
        """The block's views of every input. `consume=False` for a read outside the
        stream (a method's per-tensor statistics): counted in `bytes_read`, but it does not
        count towards unmapping the file."""
        raw, data = [], []
        for t in spec.tensors:
            mapping, tensor, view = self._mapping(t.path)
            offset, nbytes = t.offset + spec.start * t.dtype.itemsize, spec.count * t.dtype.itemsize
            raw.append(tensor[offset : offset + nbytes])
            data.append(view[offset : offset + nbytes])
        with self._lock:
            for t, d in zip(spec.tensors, data, strict=True):
                self.bytes_read += len(d)
                if not consume:
                    continue
                self._left[t.path] -= len(d)
                if self._left[t.path] == 0:  # the views in flight keep the mapping alive
                    del self._maps[t.path]
        return Block(spec, tuple(raw), tuple(data))

    def release(self, block: Block) -> None:
        """Drop the block's pages from the resident set (not from the page cache)."""
        spec = block.spec
        for t, d in zip(spec.tensors, block.data, strict=True):
            if len(d):
                mapping = d.obj
                assert isinstance(mapping, mmap.mmap)
                offset = t.offset + spec.start * t.dtype.itemsize
                start = offset - offset % mmap.PAGESIZE
                mapping.madvise(mmap.MADV_DONTNEED, start, offset + len(d) - start)

    def _mapping(self, path: Path) -> tuple[mmap.mmap, torch.Tensor, memoryview]:
        with self._lock:
            entry = self._maps.get(path)
            if entry is None:
                with open(path, "rb") as f:
                    mapping = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
                mapping.madvise(mmap.MADV_SEQUENTIAL)
                entry = self._maps[path] = (
                    mapping,
                    torch.frombuffer(mapping, dtype=torch.uint8),
                    memoryview(mapping),
                )
            return entry

    def close(self) -> None:
        with self._lock:
            self._maps.clear()


class _FileHash:
    def __init__(self, path: Path, header_bytes: int, size: int, algorithm: str) -> None:
        self.path, self.header_bytes, self.size, self.algorithm = path, header_bytes, size, algorithm
        self.hasher = new_hash(algorithm)
        self.position = 0
        self.in_order = True

    def feed(self, offset: int, data: memoryview) -> int:
        """Hash `data` if it continues the file; return the header bytes read to do so."""
        read = 0
        if self.position == 0 and self.in_order:
            with open(self.path, "rb", buffering=0) as f:
                self.hasher.update(f.read(self.header_bytes))
            self.position = read = self.header_bytes
        if not self.in_order or offset != self.position:
            self.in_order = False
            return read
        self.hasher.update(data)
        self.position += len(data)
        return read

    def hexdigest(self) -> tuple[str, int]:
        """The digest, re-reading the whole file if the stream did not cover it in order;
        also the bytes that re-read took."""
        if self.in_order and self.position == self.size:
            return f"{self.algorithm}:{self.hasher.hexdigest()}", 0
        hasher, read = new_hash(self.algorithm), 0
        with open(self.path, "rb", buffering=0) as f:
            while chunk := f.read(_HASH_CHUNK):
                hasher.update(chunk)
                read += len(chunk)
        return f"{self.algorithm}:{hasher.hexdigest()}", read


class OrderedHasher:
    """One thread hashing one input's files from the blocks workers read, strictly in
    block order. Workers `submit` a block's bytes and `wait` until it is hashed before
    reusing the buffer."""

    def __init__(self, checkpoint: Checkpoint, input_number: int, algorithm: str) -> None:
        self.checkpoint = checkpoint
        self.input_number = input_number
        self.bytes_read = 0
        self._files = {
            s.path: _FileHash(s.path, s.header_bytes, s.file_size, algorithm) for s in checkpoint.shards
        }
        self._cond = threading.Condition()
        self._submitted: dict[int, tuple[TensorInfo, int, memoryview]] = {}
        self._hashed = 0  # every block with a smaller index is hashed
        self._finishing = False  # no more submissions: hash what is left, then end
        self._aborted = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, name=f"{algorithm}-input-{input_number}", daemon=True
        )
        self._thread.start()

    def submit(self, block: Block) -> None:
        spec = block.spec
        tensor = spec.tensors[self.input_number]
        offset = tensor.offset + spec.start * tensor.dtype.itemsize
        with self._cond:
            self._submitted[spec.index] = (tensor, offset, block.data[self.input_number])
            self._cond.notify_all()

    def wait(self, index: int) -> None:
        """Return once block `index` is hashed (or hashing was aborted)."""
        with self._cond:
            while self._hashed <= index and not self._aborted:
                self._cond.wait()

    def _next(self) -> tuple[TensorInfo, int, memoryview] | None:
        with self._cond:
            while self._hashed not in self._submitted and not (self._finishing or self._aborted):
                self._cond.wait()
            if self._aborted or self._hashed not in self._submitted:
                return None
            return self._submitted.pop(self._hashed)

    def _run(self) -> None:
        try:
            while (item := self._next()) is not None:
                tensor, offset, data = item
                if len(data):
                    self.bytes_read += self._files[tensor.path].feed(offset, data)
                with self._cond:
                    self._hashed += 1
                    self._cond.notify_all()
        except BaseException as exc:  # raised again by digests(); waiting workers are released
            with self._cond:
                self._error, self._aborted = exc, True
                self._cond.notify_all()

    def abort(self) -> None:
        with self._cond:
            self._aborted = True
            self._cond.notify_all()
        self._thread.join()

    def digests(self) -> list[FileDigest]:
        """Hash what was submitted, end the thread, and return every file's digest (files
        not streamed in their own order are read again here)."""
        with self._cond:
            self._finishing = True
            self._cond.notify_all()
        self._thread.join()
        if self._error is not None:
            raise self._error
        digests = []
        for shard in self.checkpoint.shards:
            digest, read = self._files[shard.path].hexdigest()
            self.bytes_read += read
            digests.append(FileDigest(shard.path.name, shard.file_size, digest))
        return digests
