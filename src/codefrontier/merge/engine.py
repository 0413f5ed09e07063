"""The one streaming pass: every input block is read once and every output written from it.

Numerics, block by block:

- floating-point inputs are widened to float32 (float64 stays float64; widening is
  exact), the recipe is evaluated one rounded operation at a time, left to right, exactly
  as `recipes` writes it, and the result is rounded once to the output dtype by torch's
  conversion, which rounds to nearest, ties to even;
- an output that is mathematically one of the inputs (alpha 0 or 1, all lambdas 0, ...)
  is that input's bytes, converted straight to the output dtype if it differs, so the
  identity holds bit for bit (the arithmetic would turn -0.0 into +0.0 and inf into nan);
- integer and boolean tensors, checked equal in every input beforehand, are copied.

All scratch buffers are allocated once per worker and reused, so the pass allocates
nothing per tensor or block; at the default block size the working set of one block stays
in cache while every output of a sweep is computed from it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from codefrontier.merge.checkpoint import Checkpoint
from codefrontier.merge.kernel import mixer_for
from codefrontier.merge.layout import OutputLayout
from codefrontier.merge.progress import ProgressCallback
from codefrontier.merge.recipes import Recipe
from codefrontier.merge.safetensors_io import Dtype
from codefrontier.merge.stream import (
    Block,
    BlockSpec,
    FileDigest,
    InputFiles,
    OrderedHasher,
    block_specs,
)
from codefrontier.merge.writer import ShardWriter

# Elements computed at a time inside a block: the float32 working set (two inputs, an
# accumulator, a product) is 1 MB, which stays in a 2 MB L2 cache while every output of a
# sweep is computed from it. Blocks (the unit of reading and writing) are larger, to keep
# the per-block system calls and page faults few.
COMPUTE_CHUNK = 1 << 16


def compute_dtype(dtype: Dtype) -> torch.dtype:
    return torch.float64 if dtype.torch_dtype == torch.float64 else torch.float32


class ByteBuffer:
    """A reusable uint8 tensor with a writable memoryview over the same memory."""

    def __init__(self, nbytes: int) -> None:
        self.tensor = torch.empty(max(nbytes, 1), dtype=torch.uint8)
        self.view = memoryview(self.tensor.numpy())


class Scratch:
    """Named buffers, each allocated once at the size first asked for (grown if a larger
    size is asked for later) and reused, viewed as whatever dtype a step needs."""

    def __init__(self) -> None:
        self._buffers: dict[str, ByteBuffer] = {}

    def get(self, key: str, dtype: torch.dtype, count: int) -> tuple[torch.Tensor, memoryview]:
        nbytes = count * dtype.itemsize
        buffer = self._buffers.get(key)
        if buffer is None or len(buffer.view) < nbytes:
            buffer = self._buffers[key] = ByteBuffer(nbytes)
        return buffer.tensor[:nbytes].view(dtype), buffer.view[:nbytes]


def typed(raw: torch.Tensor, dtype: Dtype) -> torch.Tensor:
    assert dtype.torch_dtype is not None
    return raw.view(dtype.torch_dtype)


def convert(scratch: Scratch, source: torch.Tensor, out: Dtype, count: int) -> memoryview:
    """`source` rounded to `out` (nearest, ties to even), as bytes; already in `out`
    (float32 or float64 results), its own bytes without a copy."""
    assert out.torch_dtype is not None
    if source.dtype == out.torch_dtype:
        return memoryview(source.numpy()).cast("B")
    target, data = scratch.get("out", out.torch_dtype, count)
    target.copy_(source)
    return data


def load_inputs(scratch: Scratch, block: Block, lo: int, hi: int, *, writable: bool) -> list[torch.Tensor]:
    """Elements [lo, hi) of each input's block, widened to the compute dtype. Raw bytes are
    used in place when no widening is needed and the recipe does not modify its inputs."""
    dtype = block.spec.tensors[0].dtype
    wide = compute_dtype(dtype)
    xs = []
    for j, raw in enumerate(block.raw):
        source = typed(raw, dtype)[lo:hi]
        if source.dtype == wide and not writable:
            xs.append(source)
        else:
            x, _ = scratch.get(f"x{j}", wide, hi - lo)
            xs.append(x.copy_(source))
    return xs


def evaluate(scratch: Scratch, recipe: Recipe, xs: Sequence[torch.Tensor]) -> torch.Tensor:
    """The recipe on one block, one rounded operation at a time (no fused multiply-add, so
    the result is what the formula written in Python with torch tensors gives). For the
    anchored formula, `xs[1:]` already hold the differences theta_j - theta_0."""
    count = xs[0].numel()
    acc, _ = scratch.get("acc", xs[0].dtype, count)
    tmp, _ = scratch.get("tmp", xs[0].dtype, count)
    if recipe.formula == "linear":
        torch.mul(xs[0], recipe.weights[0], out=acc)
        terms = zip(xs[1:], recipe.weights[1:], strict=True)
    else:
        acc.copy_(xs[0])
        terms = zip(xs[1:], recipe.weights, strict=True)
    for x, weight in terms:
        torch.mul(x, weight, out=tmp)
        acc.add_(tmp)
    return acc


@dataclass
class PassResult:
    bytes_read: int
    digests: list[list[FileDigest]]  # per input, per weight file


def default_workers() -> int:
    """One worker per usable core, at most 8 (memory bandwidth is spent by then)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, 8))


def run_pass(
    checkpoints: Sequence[Checkpoint],
    recipes: Sequence[Recipe],
    layout: OutputLayout,
    writers: Sequence[ShardWriter],
    *,
    block_elements: int,
    hash_algorithm: str | None,
    workers: int,
    progress: ProgressCallback | None = None,
) -> PassResult:
    """Stream every block of the inputs once and write every output's share of it.

    `workers` threads each take the next block, read it from every input, compute and
    write every output, then take the next; torch runs single-threaded inside each (many
    small parallel regions per block would cost more in synchronisation than they save,
    and degrade badly when the cores are shared). The calling thread is one of the
    workers, so Ctrl-C and `progress` (called after each of its blocks) are handled there.
    """
    formulas = {r.formula for r in recipes}
    if len(formulas) != 1:
        raise ValueError("all recipes of one pass must use the same formula")
    work = _Work(checkpoints, recipes, layout, writers, block_elements, hash_algorithm)
    helpers = [
        threading.Thread(target=work.run_helper, name=f"merge-worker-{i}", daemon=True)
        for i in range(workers - 1)
    ]
    threads_before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for thread in helpers:
            thread.start()
        work.run(progress)
        for thread in helpers:
            thread.join()
        work.raise_helper_error()
        digests = (
            [h.digests() for h in work.hashers] if hash_algorithm else [_unhashed(c) for c in checkpoints]
        )
        if progress is not None:
            progress(work.done, work.total)
        return PassResult(work.files.bytes_read + sum(h.bytes_read for h in work.hashers), digests)
    finally:
        work.stop.set()
        for h in work.hashers:
            h.abort()
        for thread in helpers:
            thread.join()
        work.files.close()
        torch.set_num_threads(threads_before)


def _unhashed(checkpoint: Checkpoint) -> list[FileDigest]:
    return [FileDigest(s.path.name, s.file_size, None) for s in checkpoint.shards]


class _Work:
    """What the workers share: the block queue, the files, the hashers and the outputs."""

    def __init__(
        self,
        checkpoints: Sequence[Checkpoint],
        recipes: Sequence[Recipe],
        layout: OutputLayout,
        writers: Sequence[ShardWriter],
        block_elements: int,
        hash_algorithm: str | None,
    ) -> None:
        self.recipes, self.layout, self.writers = list(recipes), layout, list(writers)
        self.block_elements = block_elements
        self.anchored = recipes[0].formula == "anchored"
        self.copies = [r.copies_input() for r in recipes]
        self.computed = [k for k, source in enumerate(self.copies) if source is None]
        self.mixer = mixer_for([self.recipes[k] for k in self.computed], len(checkpoints))
        self.files = InputFiles(checkpoints)
        self.hashers = (
            [OrderedHasher(c, j, hash_algorithm) for j, c in enumerate(checkpoints)] if hash_algorithm else []
        )
        self.total = sum(c.tensor_bytes for c in checkpoints)
        self.done = 0
        self.stop = threading.Event()
        self._specs = block_specs(checkpoints, block_elements)
        self._lock = threading.Lock()
        self._helper_error: BaseException | None = None

    def next_spec(self) -> BlockSpec | None:
        with self._lock:
            return None if self.stop.is_set() else next(self._specs, None)

    def run(self, progress: ProgressCallback | None) -> None:
        """The worker loop. A block's pages are released once it is merged and hashed; the
        hash of the last block may still be running while the next one is merged."""
        scratch = Scratch()
        previous: Block | None = None
        try:
            while (spec := self.next_spec()) is not None:
                block = self.files.read(spec)
                for hasher in self.hashers:
                    hasher.submit(block)
                self.merge_block(block, scratch)
                with self._lock:
                    self.done += block.nbytes
                if progress is not None:
                    progress(self.done, self.total)
                if previous is not None:
                    self._release(previous)
                previous = block
            if previous is not None:
                self._release(previous)
        except BaseException:
            self.stop.set()
            for hasher in self.hashers:
                hasher.abort()
            raise

    def _release(self, block: Block) -> None:
        for hasher in self.hashers:
            hasher.wait(block.spec.index)
        self.files.release(block)

    def run_helper(self) -> None:
        try:
            self.run(None)
        except BaseException as exc:
            self._helper_error = exc

    def raise_helper_error(self) -> None:
        if self._helper_error is not None:
            raise self._helper_error

    def merge_block(self, block: Block, scratch: Scratch) -> None:
        spec = block.spec
        shard, placed = self.layout.location[spec.name]
        in_dtype, out_dtype = spec.tensors[0].dtype, placed.dtype
        offset = placed.offset + spec.start * out_dtype.itemsize
        if in_dtype.kind != "float":
            for writer in self.writers:
                writer.write(shard, offset, block.data[0])
            return
        for k, source in enumerate(self.copies):
            if source is None:
                continue
            if out_dtype == in_dtype:
                self.writers[k].write(shard, offset, block.data[source])
            else:
                values = typed(block.raw[source], in_dtype)
                self.writers[k].write(shard, offset, convert(scratch, values, out_dtype, block.count))
        if not self.computed:
            return
        outputs = [scratch.get(f"out{k}", out_dtype.torch_dtype, block.count) for k in self.computed]
        if self.mixer is not None and self.mixer.handles(in_dtype.code, out_dtype.code, len(block.raw)):
            self.mixer.mix(block.raw, in_dtype.code, [target for target, _ in outputs], out_dtype.code)
        else:
            self._compute_with_torch(block, scratch, outputs)
        for k, (_, data) in zip(self.computed, outputs, strict=True):
            self.writers[k].write(shard, offset, data)

    def _compute_with_torch(
        self, block: Block, scratch: Scratch, outputs: list[tuple[torch.Tensor, memoryview]]
    ) -> None:
        # Compute in chunks small enough to stay in cache while every output is computed
        # from them.
        for lo in range(0, block.count, COMPUTE_CHUNK):
            hi = min(block.count, lo + COMPUTE_CHUNK)
            xs = load_inputs(scratch, block, lo, hi, writable=self.anchored)
            if self.anchored:
                for x in xs[1:]:
                    x.sub_(xs[0])
            for k, (target, _) in zip(self.computed, outputs, strict=True):
                target[lo:hi].copy_(evaluate(scratch, self.recipes[k], xs))
