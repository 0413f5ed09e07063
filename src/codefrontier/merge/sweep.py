"""The Python API: a whole sweep of merged checkpoints in one streaming pass.

    from codefrontier.merge import merge_sweep
    result = merge_sweep("ckpt/sft", "ckpt/rl", [-0.5, 0, 0.5, 1, 1.5], "sweeps/sft-rl")
    for output in result.outputs:
        print(output.alpha, output.path)

`merge(method, inputs, out)` runs any registered method (`codefrontier.merge.methods`);
`merge_sweep` and `merge_task_arithmetic` are it for the two built-in ones. Every check
runs before anything is written; the outputs appear together, complete, or not at all
(see `outdir`). The metadata record each output carries is described in docs/merge.md.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from argparse import Namespace
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch

from codefrontier import __version__
from codefrontier.errors import CodefrontierError, ConfigError
from codefrontier.merge import outdir
from codefrontier.merge.checkpoint import CONFIG_NAME, INDEX_NAME, RECORD_NAME, Checkpoint, open_checkpoint
from codefrontier.merge.checks import check_compatible, check_exact_tensors_equal, check_unsupported_dtypes
from codefrontier.merge.engine import compute_dtype, default_workers, run_pass
from codefrontier.merge.layout import OutputLayout, plan_layout
from codefrontier.merge.methods import Interpolation, MergeMethod, Output, TaskArithmetic
from codefrontier.merge.progress import human_bytes, progress_reporter
from codefrontier.merge.safetensors_io import OUTPUT_DTYPES, Dtype, TensorInfo
from codefrontier.merge.settings import MergeSettings, settings_with
from codefrontier.merge.stream import FileDigest
from codefrontier.merge.writer import ShardWriter

PathLike = str | os.PathLike[str]
RECORD_FORMAT = "codefrontier-merge/1"


@dataclass(frozen=True)
class InputRecord:
    """One input as the metadata records it: role, directory, and each weight file."""

    role: str
    path: Path
    config_sha256: str
    files: list[FileDigest]

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "path": str(self.path),
            "config_sha256": self.config_sha256,
            "files": [{"name": f.name, "bytes": f.bytes, "digest": f.digest} for f in self.files],
        }


@dataclass(frozen=True)
class MergedCheckpoint:
    """One written checkpoint: where it is and how it was made."""

    path: Path
    name: str  # the directory name: alpha_0.5, lambda_0.5_1
    parameters: dict[str, Any]  # the method's coefficients for it: {"alpha": 0.5}, {"lambdas": [...]}
    copied_from: str | None  # the input it reproduces bit for bit, if any
    bytes_written: int

    @property
    def alpha(self) -> float | None:
        """Interpolation (and other methods between low and high): the output's alpha."""
        return self.parameters.get("alpha")

    @property
    def lambdas(self) -> tuple[float, ...] | None:
        """Task arithmetic: the output's lambda vector."""
        lambdas = self.parameters.get("lambdas")
        return tuple(lambdas) if lambdas is not None else None


@dataclass(frozen=True)
class MergeResult:
    """What a sweep wrote, and what it cost."""

    out: Path
    outputs: list[MergedCheckpoint]
    inputs: list[InputRecord]
    bytes_read: int
    bytes_written: int
    seconds: float
    warnings: list[str] = field(default_factory=list)

    @property
    def paths(self) -> list[Path]:
        return [o.path for o in self.outputs]

    @property
    def read_throughput(self) -> float:
        """Bytes read per second."""
        return self.bytes_read / self.seconds if self.seconds > 0 else 0.0

    @property
    def write_throughput(self) -> float:
        """Bytes written per second."""
        return self.bytes_written / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        n = len(self.outputs)
        return (
            f"wrote {n} checkpoint{'s' if n != 1 else ''} to {self.out} in {self.seconds:.1f} s: "
            f"read {human_bytes(self.bytes_read)} ({human_bytes(self.read_throughput)}/s), "
            f"wrote {human_bytes(self.bytes_written)} ({human_bytes(self.write_throughput)}/s)"
        )


def merge(
    method: MergeMethod,
    inputs: Sequence[PathLike],
    out: PathLike,
    settings: MergeSettings | None = None,
    **options: Any,
) -> MergeResult:
    """Write every output of `method` (a configured `MergeMethod`) to `out/<output name>/`,
    reading each input tensor once. `inputs` are checkpoint directories, one per role of
    the method (`method.roles()`, side files are copied from the first); `settings` (or
    its fields as keywords, e.g. `out_dtype="bfloat16"`) say how the outputs are written.

    Memory beyond the interpreter and torch is a few blocks per worker: about
    `block_elements * (2 * inputs * 2 + outputs * 2)` bytes for bf16 (3 MB for one alpha
    at the defaults), independent of the model's size.
    """
    started = time.perf_counter()
    settings = settings_with(settings, options)
    roles = method.roles()
    if isinstance(inputs, str | os.PathLike) or len(inputs) != len(roles):
        raise ConfigError(
            f"the {method.name} merge takes {len(roles)} checkpoints ({', '.join(roles)}), "
            f"not {1 if isinstance(inputs, str | os.PathLike) else len(inputs)}"
        )
    out = Path(out)
    try:
        job = _prepare(method, list(zip(roles, inputs, strict=True)), out, settings)
        outdir.remove_leftovers(job.out)
        partial = outdir.make_partial(job.out)
        try:
            result = _write(job, partial, started)
            outdir.publish(partial, job.out, fsync=settings.fsync, overwrite=settings.overwrite)
        except BaseException:
            outdir.discard(partial)
            raise
    except OSError as exc:  # what no check foresaw (a file vanished, EIO): one line, not a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        raise CodefrontierError(f"{where}{exc.strerror or exc}; nothing was written") from exc
    return result


def merge_sweep(
    low: PathLike,
    high: PathLike,
    alphas: Sequence[float],
    out: PathLike,
    settings: MergeSettings | None = None,
    **options: Any,
) -> MergeResult:
    """Write `theta(alpha) = (1 - alpha) * theta_low + alpha * theta_high` for every alpha
    to `out/alpha_<alpha>/`, reading each input tensor once.

    Settings (`MergeSettings`, or its fields as keywords): `out_dtype` ("float32",
    "bfloat16", "float16") converts floating-point tensors, by default each keeps its input
    dtype; `max_shard_size` caps the tensor bytes per output shard ("5GB", "500MB", or an
    int); `input_hash` ("blake3", "sha256", or None) records each input file's digest in
    the metadata (computed from the same reads, on a thread of its own per input); `fsync`
    makes the outputs durable before they are renamed into place; `progress` is True for a
    progress bar on stderr, or a callable taking (bytes done, bytes in all), called on this
    thread; `block_elements` is how many elements of a tensor are read and written at a
    time, `workers` how many threads merge blocks (default: one per core, at most 8).
    """
    return merge(Interpolation(alphas), [low, high], out, settings, **options)


def merge_task_arithmetic(
    base: PathLike,
    tasks: Sequence[PathLike],
    lambdas: Sequence[Sequence[float]],
    out: PathLike,
    settings: MergeSettings | None = None,
    **options: Any,
) -> MergeResult:
    """Write `theta_base + sum_i lambda_i * (theta_task_i - theta_base)` for every lambda
    vector (one lambda per task) to `out/lambda_<l1>_<l2>.../`, in one pass. Settings as
    for `merge_sweep`."""
    return merge(TaskArithmetic(lambdas, n_tasks=len(tasks)), [base, *tasks], out, settings, **options)


def resolve_out_dtype(name: str | None) -> Dtype | None:
    """The dtype `--out-dtype` names (checked as the command checks it, so that a refusal
    names the flag: "--out-dtype 'float8': choose one of ..."), or None."""
    if name is None:
        return None
    return OUTPUT_DTYPES[MergeSettings.from_args(Namespace(out_dtype=name)).out_dtype or ""]


def output_dtype_for(out_dtype: Dtype | None) -> Callable[[TensorInfo], Dtype]:
    """What each tensor is written as: `out_dtype` for floating-point tensors if given,
    else its own dtype."""

    def choose(t: TensorInfo) -> Dtype:
        return out_dtype if out_dtype is not None and t.dtype.kind == "float" else t.dtype

    return choose


@dataclass(frozen=True)
class _Job:
    """A merge with every check passed and every byte placed, before anything is written."""

    out: Path
    method: MergeMethod
    outputs: list[Output]
    checkpoints: list[Checkpoint]
    settings: MergeSettings
    out_dtype: Dtype | None
    layout: OutputLayout
    side_files: list[Path]
    workers: int
    warnings: list[str]


def _prepare(
    method: MergeMethod, inputs: list[tuple[str, PathLike]], out: Path, settings: MergeSettings
) -> _Job:
    """Every check, in the order a user would want to hear about problems; writes nothing.
    (The method checked its parameters and `settings` its values when they were made.)"""
    out_dtype = resolve_out_dtype(settings.out_dtype)
    checkpoints = [open_checkpoint(path, role) for role, path in inputs]
    check_compatible(checkpoints)
    check_unsupported_dtypes(checkpoints[0])
    outdir.check_output(out, [c.path for c in checkpoints], settings.overwrite)
    check_exact_tensors_equal(checkpoints)
    layout = plan_layout(
        checkpoints[0].tensors.values(), output_dtype_for(out_dtype), settings.max_shard_bytes
    )
    side_files = checkpoints[0].side_files()
    outputs = method.outputs()
    per_output = layout.total_bytes + sum(p.stat().st_size for p in side_files)
    _check_free_space(out, len(outputs) * per_output)
    return _Job(
        out=out,
        method=method,
        outputs=outputs,
        checkpoints=checkpoints,
        settings=settings,
        out_dtype=out_dtype,
        layout=layout,
        side_files=side_files,
        workers=default_workers() if settings.workers is None else settings.workers,
        warnings=_side_file_warnings(checkpoints),
    )


def _write(job: _Job, partial: Path, started: float) -> MergeResult:
    """The streaming pass into `partial`, then each output's index, side files and record."""
    writers: list[ShardWriter] = []
    try:
        for output in job.outputs:
            (partial / output.name).mkdir()
            writers.append(ShardWriter(partial / output.name, job.layout, fsync=job.settings.fsync))
        with progress_reporter(job.settings.progress, "merging") as report:
            streamed = run_pass(
                job.checkpoints,
                job.method,
                job.layout,
                writers,
                block_elements=job.settings.block_elements,
                hash_algorithm=job.settings.input_hash,
                workers=job.workers,
                progress=report,
            )
        for writer in writers:
            writer.finish()
    finally:
        for writer in writers:
            writer.abort()
    inputs = [
        InputRecord(c.role, c.path.resolve(), c.config_sha256(), digests)
        for c, digests in zip(job.checkpoints, streamed.digests, strict=True)
    ]
    merged = []
    for output, writer in zip(job.outputs, writers, strict=True):
        copied_from = job.checkpoints[output.copies].role if output.copies is not None else None
        written = _finish_output(partial / output.name, output, copied_from, inputs, job)
        merged.append(
            MergedCheckpoint(
                path=job.out.absolute() / output.name,
                name=output.name,
                parameters=output.parameters,
                copied_from=copied_from,
                bytes_written=writer.bytes_written + written,
            )
        )
    bytes_written = sum(o.bytes_written for o in merged)
    seconds = time.perf_counter() - started
    sweep_record = {
        "format": RECORD_FORMAT,
        "tool": f"codefrontier {__version__}",
        "method": job.method.name,
        "outputs": [o.name for o in job.outputs],
        "inputs": [r.to_json() for r in inputs],
        "bytes_read": streamed.bytes_read,
        "bytes_written": bytes_written,
        "seconds": round(seconds, 3),
    }
    _write_json(partial / outdir.SWEEP_RECORD, sweep_record)
    return MergeResult(
        job.out.absolute(), merged, inputs, streamed.bytes_read, bytes_written, seconds, job.warnings
    )


def _finish_output(
    directory: Path,
    output: Output,
    copied_from: str | None,
    inputs: list[InputRecord],
    job: _Job,
) -> int:
    """Write the index, the side files and the metadata record of one output; return
    the bytes written."""
    written = 0
    index = job.layout.index_json()
    if index is not None:
        (directory / INDEX_NAME).write_bytes(index)
        written += len(index)
    reference = job.checkpoints[0]
    for source in job.side_files:
        target = directory / source.name
        if source.name == CONFIG_NAME and job.out_dtype is not None:
            written += _write_json(target, _config_with_dtype(reference.config, job.out_dtype))
        else:
            shutil.copyfile(source, target)
            written += source.stat().st_size
    float_dtypes = _float_dtypes(reference)
    input_names = sorted(d.name for d in float_dtypes)
    record = {
        "format": RECORD_FORMAT,
        "tool": f"codefrontier {__version__}",
        "versions": {"codefrontier": __version__, "torch": torch.__version__},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **job.method.record(output),
        "copied_from": copied_from,
        "inputs": [r.to_json() for r in inputs],
        "dtypes": {
            "input": input_names,
            "output": [job.out_dtype.name] if job.out_dtype is not None else input_names,
            "compute": sorted({str(compute_dtype(d)).removeprefix("torch.") for d in float_dtypes}),
            "rounding": "nearest, ties to even",
        },
        "max_shard_size": job.settings.max_shard_bytes,
        "sweep": [o.name for o in job.outputs],
    }
    written += _write_json(directory / RECORD_NAME, record)
    return written


def _float_dtypes(checkpoint: Checkpoint) -> set[Dtype]:
    return {t.dtype for t in checkpoint.tensors.values() if t.dtype.kind == "float"}


def _config_with_dtype(config: dict[str, Any], dtype: Dtype) -> dict[str, Any]:
    """The config with its dtype key(s) naming the output dtype (`dtype` in transformers 5,
    `torch_dtype` before)."""
    updated = dict(config)
    keys = [k for k in ("dtype", "torch_dtype") if k in updated] or ["dtype"]
    for key in keys:
        updated[key] = dtype.name
    return updated


def _write_json(path: Path, value: Any) -> int:
    data = (json.dumps(value, indent=2) + "\n").encode()
    path.write_bytes(data)
    return len(data)


def _check_free_space(out: Path, needed: int) -> None:
    existing = out.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    if free < needed:
        raise CodefrontierError(
            f"{existing}: the merge needs {human_bytes(needed)} and the disk has {human_bytes(free)} free; "
            "free space, write fewer outputs at a time, or choose another --out"
        )


def _side_file_warnings(checkpoints: list[Checkpoint]) -> list[str]:
    """Tokenizer and other side files are copied from the first input; say where the
    other inputs' differ, since that is usually worth knowing but not an error."""
    reference = checkpoints[0]
    warnings = []
    for source in reference.side_files():
        if source.name == CONFIG_NAME:
            continue
        for other in checkpoints[1:]:
            counterpart = other.path / source.name
            if not counterpart.is_file():
                warnings.append(
                    f"{source.name} is missing from the {other.describe()}; copied from {reference.role}"
                )
            elif counterpart.read_bytes() != source.read_bytes():
                warnings.append(
                    f"{source.name} differs between {reference.role} and {other.role}; copied from {reference.role}"
                )
    return warnings
