"""The one streaming pass: every input block is read once and every output written from it.

Numerics, block by block:

- floating-point inputs are widened to float32 (float64 stays float64; widening is
  exact), each output's combination (see `methods.base.Combination`) is evaluated one
  rounded operation at a time, left to right, exactly as written, and the result is
  rounded once to the output dtype by torch's conversion, which rounds to nearest, ties
  to even;
- an output that is mathematically one of the inputs (alpha 0 or 1, all lambdas 0, ...)
  is that input's bytes, converted straight to the output dtype if it differs, so the
  identity holds bit for bit (the arithmetic would turn -0.0 into +0.0 and inf into nan);
- integer and boolean tensors, checked equal in every input beforehand, are copied;
- an output element that is infinite or NaN where every input element is finite (the
  coefficients pushed it past the output dtype's range) stops the merge with
  MergeOverflowError naming the output and the tensor: a checkpoint of infinities is
  never written.

All scratch buffers are allocated once per worker and reused, so the pass allocates
nothing per tensor or block; at the default block size the working set of one block stays
in cache while every output of a sweep is computed from it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from codefrontier.errors import CodefrontierError
from codefrontier.merge.checkpoint import Checkpoint
from codefrontier.merge.kernel import Mixer, mixer_for
from codefrontier.merge.layout import OutputLayout
from codefrontier.merge.methods import Combination, MergeMethod, Output
from codefrontier.merge.progress import ProgressCallback
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


class MergeOverflowError(CodefrontierError):
    """An output element came out infinite or NaN where every input element was finite:
    the coefficients (a large |alpha| or lambda) took it past the output dtype's range.
    `output` is the output's name, `tensor` the tensor; nothing is written."""

    def __init__(self, output: str, tensor: str, dtype: str) -> None:
        self.output, self.tensor = output, tensor
        super().__init__(
            f"{output}: tensor '{tensor}' overflows {dtype} (an element is ±inf or NaN where every input "
            "is finite); choose a coefficient of smaller magnitude. Nothing was written"
        )


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
    used in place when no widening is needed and the combination does not modify its inputs."""
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


def evaluate(scratch: Scratch, combination: Combination, xs: Sequence[torch.Tensor]) -> torch.Tensor:
    """The combination on one chunk, one rounded operation at a time (no fused
    multiply-add, so the result is what the formula written in Python with torch tensors
    gives). For an anchored combination, `xs[1:]` already hold the differences
    x_j - x_0."""
    count = xs[0].numel()
    acc, _ = scratch.get("acc", xs[0].dtype, count)
    tmp, _ = scratch.get("tmp", xs[0].dtype, count)
    if combination.kind == "linear":
        torch.mul(xs[0], combination.weights[0], out=acc)
        terms = zip(xs[1:], combination.weights[1:], strict=True)
    else:
        acc.copy_(xs[0])
        terms = zip(xs[1:], combination.weights, strict=True)
    for x, weight in terms:
        torch.mul(x, weight, out=tmp)
        acc.add_(tmp)
    return acc


def overflowed(result: torch.Tensor, inputs: Sequence[torch.Tensor]) -> bool:
    """Whether `result` has an infinite or NaN element where every input is finite."""
    if bool(torch.isfinite(result).all()):
        return False
    bad = ~torch.isfinite(result)
    for x in inputs:
        bad &= torch.isfinite(x)
    return bool(bad.any())


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
    method: MergeMethod,
    layout: OutputLayout,
    writers: Sequence[ShardWriter],
    *,
    block_elements: int,
    hash_algorithm: str | None,
    workers: int,
    progress: ProgressCallback | None = None,
) -> PassResult:
    """Stream every block of the inputs once and write every output's share of it
    (`writers` in the order of `method.outputs()`).

    `workers` threads each take the next block, read it from every input, compute and
    write every output, then take the next; torch runs single-threaded inside each (many
    small parallel regions per block would cost more in synchronisation than they save,
    and degrade badly when the cores are shared). The calling thread is one of the
    workers, so Ctrl-C and `progress` (called after each of its blocks) are handled there.
    """
    work = _Work(checkpoints, method, layout, writers, block_elements, hash_algorithm)
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
        work.plans.cancel()
        for h in work.hashers:
            h.abort()
        for thread in helpers:
            thread.join()
        work.files.close()
        torch.set_num_threads(threads_before)


def _unhashed(checkpoint: Checkpoint) -> list[FileDigest]:
    return [FileDigest(s.path.name, s.file_size, None) for s in checkpoint.shards]


@dataclass
class _Plan:
    """How the computed outputs of one tensor are made: their combinations, and the C
    kernel bound to them (None: torch)."""

    combinations: list[Combination]
    mixer: Mixer | None
    anchored: bool


@dataclass
class _Pending:
    ready: threading.Event = field(default_factory=threading.Event)
    plan: _Plan | None = None
    error: BaseException | None = None


class _Plans:
    """The plan for each tensor. A method without statistics has one plan for the whole
    pass; otherwise the first worker to reach a tensor computes its statistics from chunks
    of the tensor (read, then released, like blocks) while the others wait for it."""

    def __init__(
        self, method: MergeMethod, computed: list[int], files: InputFiles, n_inputs: int, chunk: int
    ) -> None:
        self.method, self.computed, self.files = method, computed, files
        self.n_inputs, self.chunk = n_inputs, chunk
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._cancelled = False
        self._constant = None if method.needs_statistics else self._plan(None)

    def _plan(self, statistics: Any) -> _Plan:
        combinations = self.method.combinations(statistics)
        chosen = [combinations[k] for k in self.computed]
        if len({c.kind for c in chosen}) > 1:
            raise ValueError(f"merge method {self.method.name!r} mixes kinds of combination in one tensor")
        return _Plan(chosen, mixer_for(chosen, self.n_inputs), bool(chosen) and chosen[0].kind == "anchored")

    def get(self, spec: BlockSpec) -> _Plan:
        if self._constant is not None:
            return self._constant
        with self._lock:
            pending = self._pending.get(spec.name)
            owner = pending is None
            if pending is None:
                pending = self._pending[spec.name] = _Pending()
        if owner:
            try:
                pending.plan = self._plan(self.method.tensor_statistics(self._chunks(spec)))
            except BaseException as exc:
                pending.error = exc
                raise
            finally:
                pending.ready.set()
        else:
            pending.ready.wait()
        if pending.error is not None:  # the owner's failure, raised here too
            raise pending.error
        if pending.plan is None:
            raise RuntimeError(f"the merge stopped before the statistics of tensor '{spec.name}'")
        return pending.plan

    def _chunks(self, spec: BlockSpec) -> Iterator[tuple[torch.Tensor, ...]]:
        dtype = spec.tensors[0].dtype
        for start in range(0, spec.tensors[0].numel, self.chunk):
            if self._cancelled:
                raise RuntimeError("the merge was stopped")
            count = min(self.chunk, spec.tensors[0].numel - start)
            block = self.files.read(BlockSpec(-1, spec.tensors, start, count), consume=False)
            try:
                yield tuple(typed(raw, dtype) for raw in block.raw)
            finally:
                self.files.release(block)

    def cancel(self) -> None:
        self._cancelled = True
        with self._lock:
            for pending in self._pending.values():
                pending.ready.set()


class _Work:
    """What the workers share: the block queue, the files, the hashers and the outputs."""

    def __init__(
        self,
        checkpoints: Sequence[Checkpoint],
        method: MergeMethod,
        layout: OutputLayout,
        writers: Sequence[ShardWriter],
        block_elements: int,
        hash_algorithm: str | None,
    ) -> None:
        self.outputs: list[Output] = method.outputs()
        self.layout, self.writers = layout, list(writers)
        self.block_elements = block_elements
        self.copies = [o.copies for o in self.outputs]
        self.computed = [k for k, source in enumerate(self.copies) if source is None]
        self.files = InputFiles(checkpoints)
        self.plans = _Plans(method, self.computed, self.files, len(checkpoints), block_elements)
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
            self.plans.cancel()
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
                assert out_dtype.torch_dtype is not None
                converted, data = scratch.get("out", out_dtype.torch_dtype, block.count)
                converted.copy_(values)  # rounded to nearest, ties to even
                if overflowed(converted, [values]):  # float32 beyond float16's range, say
                    raise MergeOverflowError(self.outputs[k].name, spec.name, out_dtype.name)
                self.writers[k].write(shard, offset, data)
        if not self.computed:
            return
        plan = self.plans.get(spec)
        outputs = [scratch.get(f"out{k}", out_dtype.torch_dtype, block.count) for k in self.computed]
        targets = [target for target, _ in outputs]
        if plan.mixer is not None and plan.mixer.handles(in_dtype.code, out_dtype.code, len(block.raw)):
            bad = plan.mixer.mix(block.raw, in_dtype.code, targets, out_dtype.code)
        else:
            bad = self._compute_with_torch(block, scratch, plan, targets)
        if bad is not None:
            raise MergeOverflowError(self.outputs[self.computed[bad]].name, spec.name, out_dtype.name)
        for k, (_, data) in zip(self.computed, outputs, strict=True):
            self.writers[k].write(shard, offset, data)

    def _compute_with_torch(
        self, block: Block, scratch: Scratch, plan: _Plan, targets: list[torch.Tensor]
    ) -> int | None:
        """Every computed output into `targets`; the number of one that overflowed, or None."""
        # Compute in chunks small enough to stay in cache while every output is computed
        # from them.
        for lo in range(0, block.count, COMPUTE_CHUNK):
            hi = min(block.count, lo + COMPUTE_CHUNK)
            xs = load_inputs(scratch, block, lo, hi, writable=plan.anchored)
            if plan.anchored:
                for x in xs[1:]:
                    x.sub_(xs[0])
            for target, combination in zip(targets, plan.combinations, strict=True):
                target[lo:hi].copy_(evaluate(scratch, combination, xs))
        dtype = block.spec.tensors[0].dtype
        inputs = [typed(raw, dtype) for raw in block.raw]
        for i, target in enumerate(targets):
            if overflowed(target, inputs):
                return i
        return None
