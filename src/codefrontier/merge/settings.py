"""How a merge is written, declared once: `MergeSettings`.

Each field is a `codefrontier.settings.setting` carrying its help text, its check and its
command-line spelling, and the class checks its own values, so the Python API refuses
exactly what `codefrontier merge` refuses; the command's flags are generated from the
fields (`MergeSettings.add_arguments`, `MergeSettings.from_args`), never written out a
second time. This module imports no torch: the command builds its help from it.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from dataclasses import dataclass
from typing import Any

from codefrontier.errors import ConfigError
from codefrontier.merge.progress import ProgressCallback
from codefrontier.settings import Settings, at_least, checked_by, setting

# The dtypes floating-point tensors may be written in (--out-dtype), torch's spelling.
OUT_DTYPES = ("float32", "bfloat16", "float16")
# The digests a merge can record for its inputs, fastest first.
HASH_ALGORITHMS = ("blake3", "sha256")
DEFAULT_MAX_SHARD_SIZE = "5GB"
# 256 Ki elements per block: the unit of reading, writing and releasing pages. Smaller
# blocks measured slower (more system calls and page faults per byte). 1 Mi-element blocks
# were faster for one alpha (1.05 s against 1.31 s on a 1 GB pair; 1.21 s against 1.64 s
# hashing) but raised the resident set past the memory test's bound, so they are left to
# `block_elements`. The arithmetic runs in cache-sized chunks (engine.COMPUTE_CHUNK).
BLOCK_ELEMENTS = 1 << 18

_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
_UNITS |= {"KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def parse_size(size: int | str) -> int:
    """Bytes from an int or a transformers-style size: "5GB" (10^9), "500MB", "2GiB" (2^30)."""
    if isinstance(size, bool) or not isinstance(size, int | str):
        raise ConfigError(f"shard size {size!r} is not a size like 5GB, 500MB or 2GiB")
    if isinstance(size, int):
        value = size
    else:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", size)
        unit = match.group(2).upper() if match else None
        if match is None or unit not in _UNITS:
            raise ConfigError(f"shard size {size!r} is not a size like 5GB, 500MB or 2GiB")
        value = int(float(match.group(1)) * _UNITS[unit])
    if value <= 0:
        raise ConfigError(f"shard size {size!r} must be positive")
    return value


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


def _dtype_name(value: Any) -> Any:
    return value.removeprefix("torch.") if isinstance(value, str) else value


def _elements(value: int) -> str | None:
    return None if value >= 1 else "must be a positive number of elements"


def _progress(value: Any) -> str | None:
    ok = isinstance(value, bool) or callable(value)
    return None if ok else "must be true, false or a callable(bytes_done, bytes_total)"


@dataclass(frozen=True)
class MergeSettings(Settings):
    """How the outputs are written: everything about a merge except its method, inputs
    and output directory. Invalid values raise ConfigError naming the setting."""

    out_dtype: str | None = setting(
        None,
        "dtype of floating-point tensors (default: as input)",
        type=_dtype_name,
        choices=OUT_DTYPES,
    )
    max_shard_size: int | str = setting(
        DEFAULT_MAX_SHARD_SIZE,
        "tensor bytes per output shard: 5GB (10^9), 2GiB (2^30), 500MB or bytes (default 5GB)",
        check=checked_by(parse_size),
        metavar="SIZE",
    )
    overwrite: bool = setting(False, "replace an earlier merge output at --out")
    input_hash: str | None = setting(
        "blake3",
        "digest of each input file for the metadata record (default blake3; sha256 matches "
        "sha256sum and the Hugging Face Hub but costs about 4x the CPU)",
        check=checked_by(check_hash_available),
        flag="--hash",
        choices=HASH_ALGORITHMS,
        none="none",
        also=[("--no-hash", None, "the same as --hash none")],
    )
    fsync: bool = setting(False, "make outputs durable (fsync) before they appear")
    progress: bool | ProgressCallback = setting(False, "no progress bar", check=_progress, invert="--quiet")
    block_elements: int = setting(
        BLOCK_ELEMENTS,
        f"elements of a tensor read and written at a time (default {BLOCK_ELEMENTS}); memory grows with it",
        check=_elements,
        metavar="N",
    )
    workers: int | None = setting(
        None, "threads merging blocks (default: one per core, at most 8)", check=at_least(1), metavar="N"
    )

    @property
    def max_shard_bytes(self) -> int:
        return parse_size(self.max_shard_size)


def settings_with(settings: MergeSettings | None, options: dict[str, Any]) -> MergeSettings:
    """`settings` (default: the defaults) with `options` (field name -> value) applied;
    an unknown name is a ConfigError naming it."""
    names = {f.name for f in dataclasses.fields(MergeSettings)}
    unknown = sorted(set(options) - names)
    if unknown:
        raise ConfigError(
            f"unknown merge setting {unknown[0]!r}; the settings are {', '.join(sorted(names))}"
        )
    base = settings if settings is not None else MergeSettings()
    return dataclasses.replace(base, **options) if options else base
