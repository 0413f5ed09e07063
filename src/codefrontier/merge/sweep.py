"""The Python API: a whole sweep of merged checkpoints in one streaming pass.

    from codefrontier.merge import merge_sweep
    result = merge_sweep("ckpt/sft", "ckpt/rl", [-0.5, 0, 0.5, 1, 1.5], "sweeps/sft-rl")
    for output in result.outputs:
        print(output.alpha, output.path)

Every check runs before anything is written; the outputs appear together, complete,
or not at all (see `outdir`). The metadata record each output carries is described in
docs/merge.md.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import time
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
from codefrontier.merge.layout import DEFAULT_MAX_SHARD_SIZE, OutputLayout, parse_size, plan_layout
from codefrontier.merge.progress import ProgressCallback, human_bytes, progress_reporter
from codefrontier.merge.recipes import Recipe, interpolation_recipes, task_arithmetic_recipes
from codefrontier.merge.safetensors_io import OUTPUT_DTYPES, Dtype, TensorInfo
from codefrontier.merge.stream import BLOCK_ELEMENTS, HASH_ALGORITHMS, FileDigest
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
    alpha: float | None  # interpolation
    lambdas: tuple[float, ...] | None  # task arithmetic
    copied_from: str | None  # the input it reproduces bit for bit, if any
    bytes_written: int


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


def merge_sweep(
    low: PathLike,
    high: PathLike,
    alphas: Sequence[float],
    out: PathLike,
    *,
    out_dtype: str | None = None,
    max_shard_size: int | str = DEFAULT_MAX_SHARD_SIZE,
    overwrite: bool = False,
    input_hash: str | None = "blake3",
    fsync: bool = False,
    progress: bool | ProgressCallback = False,
    block_elements: int = BLOCK_ELEMENTS,
    workers: int | None = None,
) -> MergeResult:
    """Write `theta(alpha) = (1 - alpha) * theta_low + alpha * theta_high` for every alpha
    to `out/alpha_<alpha>/`, reading each input tensor once.

    `out_dtype` ("float32", "bfloat16", "float16") converts floating-point tensors; by
    default each keeps its input dtype. `max_shard_size` caps the tensor bytes per output
    shard ("5GB", "500MB", or an int). `input_hash` ("blake3", "sha256", or None for
    none) records each input file's digest in the metadata (computed from the same reads,
    on a thread of its own per input). `fsync` makes the outputs durable before they are
    renamed into place. `progress` is True for a progress bar on stderr, or a callable
    taking (bytes done, bytes in all), called on this thread.
    `block_elements` is how many elements of a tensor are read and written at a time,
    `workers` how many threads merge blocks (default: one per core, at most 8). Memory
    beyond the interpreter and torch is a few blocks per worker: about
    `block_elements * (2 * inputs * 2 + outputs * 2)` bytes for bf16 (3 MB for one alpha at
    the defaults), independent of the model's size.
    """
    recipes = interpolation_recipes(alphas)
    return _merge(
        [("low", low), ("high", high)],
        recipes,
        out,
        method="interpolation",
        formula="(1 - alpha) * low + alpha * high",
        coefficients=[{"alpha": r.weights[1]} for r in recipes],
        options=_Options(
            out_dtype, max_shard_size, overwrite, input_hash, fsync, progress, block_elements, workers
        ),
    )


def merge_task_arithmetic(
    base: PathLike,
    tasks: Sequence[PathLike],
    lambdas: Sequence[Sequence[float]],
    out: PathLike,
    *,
    out_dtype: str | None = None,
    max_shard_size: int | str = DEFAULT_MAX_SHARD_SIZE,
    overwrite: bool = False,
    input_hash: str | None = "blake3",
    fsync: bool = False,
    progress: bool | ProgressCallback = False,
    block_elements: int = BLOCK_ELEMENTS,
    workers: int | None = None,
) -> MergeResult:
    """Write `theta_base + sum_i lambda_i * (theta_task_i - theta_base)` for every lambda
    vector (one lambda per task) to `out/lambda_<l1>_<l2>.../`, in one pass. Options as
    for `merge_sweep`."""
    if not tasks:
        raise ConfigError("give at least one --task checkpoint")
    recipes = task_arithmetic_recipes(lambdas, len(tasks))
    inputs = [("base", base)] + [(f"task {i + 1}", t) for i, t in enumerate(tasks)]
    return _merge(
        inputs,
        recipes,
        out,
        method="task_arithmetic",
        formula="base + sum_i lambda_i * (task_i - base)",
        coefficients=[{"lambdas": list(r.weights)} for r in recipes],
        options=_Options(
            out_dtype, max_shard_size, overwrite, input_hash, fsync, progress, block_elements, workers
        ),
    )


@dataclass(frozen=True)
class _Options:
    out_dtype: str | None
    max_shard_size: int | str
    overwrite: bool
    input_hash: str | None
    fsync: bool
    progress: bool | ProgressCallback
    block_elements: int
    workers: int | None


def check_hash_available(algorithm: str | None) -> None:
    """Refuse an unknown digest, or BLAKE3 without its package, before anything is read."""
    if algorithm is None:
        return
    if algorithm not in HASH_ALGORITHMS:
        raise ConfigError(
            f"unknown input hash {algorithm!r}; choose one of {', '.join(HASH_ALGORITHMS)} or none"
        )
    if algorithm == "blake3" and importlib.util.find_spec("blake3") is None:
        raise ConfigError(
            "the blake3 package is not installed: pip install 'codefrontier[merge]' "
            "(or choose --hash sha256, or --hash none)"
        )


def resolve_out_dtype(name: str | None) -> Dtype | None:
    if name is None:
        return None
    key = name.removeprefix("torch.")
    if key not in OUTPUT_DTYPES:
        raise ConfigError(f"--out-dtype {name!r}: choose one of {', '.join(OUTPUT_DTYPES)}")
    return OUTPUT_DTYPES[key]


def output_dtype_for(out_dtype: Dtype | None) -> Callable[[TensorInfo], Dtype]:
    """What each tensor is written as: `out_dtype` for floating-point tensors if given,
    else its own dtype."""

    def choose(t: TensorInfo) -> Dtype:
        return out_dtype if out_dtype is not None and t.dtype.kind == "float" else t.dtype

    return choose


def _merge(
    inputs: list[tuple[str, PathLike]],
    recipes: list[Recipe],
    out: PathLike,
    *,
    method: str,
    formula: str,
    coefficients: list[dict[str, Any]],
    options: _Options,
) -> MergeResult:
    started = time.perf_counter()
    job = _prepare(inputs, recipes, Path(out), method, formula, coefficients, options)
    outdir.remove_leftovers(job.out)
    partial = outdir.make_partial(job.out)
    try:
        result = _write(job, partial, started)
        outdir.publish(partial, job.out, fsync=options.fsync)
    except BaseException:
        outdir.discard(partial)
        raise
    return result


@dataclass(frozen=True)
class _Job:
    """A merge with every check passed and every byte placed, before anything is written."""

    out: Path
    checkpoints: list[Checkpoint]
    recipes: list[Recipe]
    coefficients: list[dict[str, Any]]  # per recipe: {"alpha": a} or {"lambdas": [...]}
    method: str
    formula: str
    out_dtype: Dtype | None
    max_shard_bytes: int
    layout: OutputLayout
    side_files: list[Path]
    workers: int
    warnings: list[str]
    options: _Options


def _prepare(
    inputs: list[tuple[str, PathLike]],
    recipes: list[Recipe],
    out: Path,
    method: str,
    formula: str,
    coefficients: list[dict[str, Any]],
    options: _Options,
) -> _Job:
    """Every check, in the order a user would want to hear about problems; writes nothing."""
    out_dtype = resolve_out_dtype(options.out_dtype)
    max_shard_bytes = parse_size(options.max_shard_size)
    if options.block_elements < 1:
        raise ConfigError("block_elements must be a positive number of elements")
    workers = default_workers() if options.workers is None else options.workers
    if workers < 1:
        raise ConfigError("workers must be at least 1")
    check_hash_available(options.input_hash)
    checkpoints = [open_checkpoint(path, role) for role, path in inputs]
    check_compatible(checkpoints)
    check_unsupported_dtypes(checkpoints[0])
    outdir.check_output(out, [c.path for c in checkpoints], options.overwrite)
    check_exact_tensors_equal(checkpoints)
    layout = plan_layout(checkpoints[0].tensors.values(), output_dtype_for(out_dtype), max_shard_bytes)
    side_files = checkpoints[0].side_files()
    per_output = layout.total_bytes + sum(p.stat().st_size for p in side_files)
    _check_free_space(out, len(recipes) * per_output)
    return _Job(
        out=out,
        checkpoints=checkpoints,
        recipes=recipes,
        coefficients=coefficients,
        method=method,
        formula=formula,
        out_dtype=out_dtype,
        max_shard_bytes=max_shard_bytes,
        layout=layout,
        side_files=side_files,
        workers=workers,
        warnings=_side_file_warnings(checkpoints),
        options=options,
    )


def _write(job: _Job, partial: Path, started: float) -> MergeResult:
    """The streaming pass into `partial`, then each output's index, side files and record."""
    writers: list[ShardWriter] = []
    try:
        for recipe in job.recipes:
            (partial / recipe.name).mkdir()
            writers.append(ShardWriter(partial / recipe.name, job.layout, fsync=job.options.fsync))
        with progress_reporter(job.options.progress, "merging") as report:
            streamed = run_pass(
                job.checkpoints,
                job.recipes,
                job.layout,
                writers,
                block_elements=job.options.block_elements,
                hash_algorithm=job.options.input_hash,
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
    outputs = []
    for recipe, writer, coefficient in zip(job.recipes, writers, job.coefficients, strict=True):
        source = recipe.copies_input()
        copied_from = job.checkpoints[source].role if source is not None else None
        written = _finish_output(partial / recipe.name, coefficient, copied_from, inputs, job)
        outputs.append(
            MergedCheckpoint(
                path=job.out.absolute() / recipe.name,
                name=recipe.name,
                alpha=coefficient.get("alpha"),
                lambdas=tuple(coefficient["lambdas"]) if "lambdas" in coefficient else None,
                copied_from=copied_from,
                bytes_written=writer.bytes_written + written,
            )
        )
    bytes_written = sum(o.bytes_written for o in outputs)
    seconds = time.perf_counter() - started
    sweep_record = {
        "format": RECORD_FORMAT,
        "tool": f"codefrontier {__version__}",
        "method": job.method,
        "outputs": [r.name for r in job.recipes],
        "inputs": [r.to_json() for r in inputs],
        "bytes_read": streamed.bytes_read,
        "bytes_written": bytes_written,
        "seconds": round(seconds, 3),
    }
    _write_json(partial / outdir.SWEEP_RECORD, sweep_record)
    return MergeResult(
        job.out.absolute(), outputs, inputs, streamed.bytes_read, bytes_written, seconds, job.warnings
    )


def _finish_output(
    directory: Path,
    coefficient: dict[str, Any],
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
        "method": job.method,
        "formula": job.formula,
        **coefficient,
        "copied_from": copied_from,
        "inputs": [r.to_json() for r in inputs],
        "dtypes": {
            "input": input_names,
            "output": [job.out_dtype.name] if job.out_dtype is not None else input_names,
            "compute": sorted({str(compute_dtype(d)).removeprefix("torch.") for d in float_dtypes}),
            "rounding": "nearest, ties to even",
        },
        "max_shard_size": job.max_shard_bytes,
        "sweep": [r.name for r in job.recipes],
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
