"""Checks on the inputs, made before anything is written: the same architecture, the same
tensor names, shapes and dtypes, nothing that cannot be merged linearly, and equal
integer tensors. (The output directory is checked in `outdir`.)

Differences are collected, not raised one at a time, so a user sees the whole picture
(the first ten and a count) in one error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from codefrontier.errors import InputError
from codefrontier.merge.checkpoint import Checkpoint
from codefrontier.merge.safetensors_io import TensorInfo

SHOWN_DIFFERENCES = 10

# Config keys that record how or where a checkpoint was saved, not what it is. The
# tensor dtypes are compared directly, so the config's dtype is not compared twice.
IGNORED_CONFIG_KEYS = frozenset(
    {"_name_or_path", "transformers_version", "_commit_hash", "use_cache", "dtype", "torch_dtype"}
)


class CheckpointMismatchError(InputError):
    """Two inputs differ in architecture, tensor names, shapes or dtypes; `differences`
    lists every difference found (the message shows the first ten and a count)."""

    def __init__(self, reference: Checkpoint, other: Checkpoint, differences: list[str]) -> None:
        self.differences = differences
        shown = "; ".join(differences[:SHOWN_DIFFERENCES])
        more = len(differences) - SHOWN_DIFFERENCES
        tail = f"; and {more} more" if more > 0 else ""
        super().__init__(
            f"cannot merge with the {reference.describe()}: {len(differences)} difference"
            f"{'s' if len(differences) != 1 else ''} ({reference.role} vs {other.role}): {shown}{tail}. "
            "Nothing was written",
            path=other.path,
        )


def check_compatible(checkpoints: Sequence[Checkpoint]) -> None:
    """Raise CheckpointMismatchError if any input differs from the first."""
    reference = checkpoints[0]
    for other in checkpoints[1:]:
        differences = find_differences(reference, other)
        if differences:
            raise CheckpointMismatchError(reference, other, differences)


def find_differences(reference: Checkpoint, other: Checkpoint) -> list[str]:
    """Every way `other` differs from `reference`, vocabulary size first."""
    a, b = reference.role, other.role
    vocab = [
        f"vocabulary size differs: {a} has {x} tokens, {b} has {y} (config '{key}'); resize the "
        "embeddings of one checkpoint to match before merging"
        for key, x, y in _config_differences(reference.config, other.config)
        if key.split(".")[-1] == "vocab_size"
    ]
    config = [
        f"config '{key}': {a} {_show(x)} vs {b} {_show(y)}"
        for key, x, y in _config_differences(reference.config, other.config)
        if key.split(".")[-1] != "vocab_size"
    ]
    only_ref = [f"tensor '{n}' only in {a}" for n in reference.tensors if n not in other.tensors]
    only_other = [f"tensor '{n}' only in {b}" for n in other.tensors if n not in reference.tensors]
    shapes, dtypes = [], []
    for name, t in reference.tensors.items():
        u = other.tensors.get(name)
        if u is None:
            continue
        if t.shape != u.shape:
            shapes.append(f"tensor '{name}' shape {list(t.shape)} vs {list(u.shape)}")
        if t.dtype != u.dtype:
            dtypes.append(f"tensor '{name}' dtype {t.dtype.name} vs {u.dtype.name}")
    return vocab + config + only_ref + only_other + shapes + dtypes


def _config_differences(x: Any, y: Any, prefix: str = "") -> Iterator[tuple[str, Any, Any]]:
    if isinstance(x, dict) and isinstance(y, dict):
        for key in sorted(x.keys() | y.keys()):
            if key in IGNORED_CONFIG_KEYS:
                continue
            yield from _config_differences(x.get(key, _MISSING), y.get(key, _MISSING), f"{prefix}{key}.")
    elif x != y:
        yield prefix.removesuffix("."), x, y


class _Missing:
    def __repr__(self) -> str:
        return "(absent)"


_MISSING = _Missing()


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_unsupported_dtypes(checkpoint: Checkpoint) -> None:
    unsupported = [t for t in checkpoint.tensors.values() if t.dtype.kind == "unsupported"]
    if unsupported:
        names = ", ".join(f"'{t.name}' ({t.dtype.code})" for t in unsupported[:SHOWN_DIFFERENCES])
        raise InputError(
            f"{len(unsupported)} tensors are 8-bit floats, which carry separate scales and cannot be "
            f"merged linearly: {names}; dequantize the checkpoint first",
            path=checkpoint.path,
        )


def check_exact_tensors_equal(checkpoints: Sequence[Checkpoint], chunk_bytes: int = 1 << 20) -> None:
    """Integer and boolean tensors (position ids, masks, quantization tables) cannot be
    averaged, so every input must hold the same bytes; they are then copied. They are small
    in a floating-point checkpoint, so they are read here once more, before anything is written."""
    reference = checkpoints[0]
    exact = [t for t in reference.tensors.values() if t.dtype.kind in ("int", "bool")]
    for other in checkpoints[1:]:
        differing = [t.name for t in exact if not _same_bytes(t, other.tensors[t.name], chunk_bytes)]
        if differing:
            raise CheckpointMismatchError(
                reference,
                other,
                [
                    f"integer tensor '{n}' differs (integer and boolean tensors are copied, not merged)"
                    for n in differing
                ],
            )


def _same_bytes(a: TensorInfo, b: TensorInfo, chunk_bytes: int) -> bool:
    with open(a.path, "rb", buffering=0) as fa, open(b.path, "rb", buffering=0) as fb:
        done = 0
        while done < a.nbytes:
            n = min(chunk_bytes, a.nbytes - done)
            if os.pread(fa.fileno(), n, a.offset + done) != os.pread(fb.fileno(), n, b.offset + done):
                return False
            done += n
    return True
