"""How a merge is written, declared once: `MergeSettings`.

Each field carries its help text and command-line spelling in its metadata, and the class
checks its own values, so the Python API refuses exactly what `codefrontier merge`
refuses; the command's flags are generated from the fields (`add_setting_flags`), never
written out a second time. This module imports no torch: the command builds its help
from it.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import re
from dataclasses import dataclass, field
from typing import Any

from codefrontier.errors import ConfigError
from codefrontier.merge.progress import ProgressCallback

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


def setting(default: Any, help: str, **cli: Any) -> Any:
    """A settings field: its default, its help text, and how the command spells it.

    `cli` keys: `flag` (default `--<name-with-dashes>`), `metavar`, `choices`, `none`
    (the word the command uses for None, added to the choices), `invert` (a flag that
    turns a true-by-default boolean off on the command line, such as --quiet),
    `also` ((flag, value, help) aliases), `type` (int or str, for the parser)."""
    return field(default=default, metadata={"help": help, **cli})


@dataclass(frozen=True)
class MergeSettings:
    """How the outputs are written: everything about a merge except its method, inputs
    and output directory. Invalid values raise ConfigError naming the option."""

    out_dtype: str | None = setting(
        None,
        "dtype of floating-point tensors (default: as input)",
        choices=OUT_DTYPES,
    )
    max_shard_size: int | str = setting(
        DEFAULT_MAX_SHARD_SIZE,
        "tensor bytes per output shard: 5GB (10^9), 2GiB (2^30), 500MB or bytes (default 5GB)",
        metavar="SIZE",
        type=str,
    )
    overwrite: bool = setting(False, "replace an earlier merge output at --out")
    input_hash: str | None = setting(
        "blake3",
        "digest of each input file for the metadata record (default blake3; sha256 matches "
        "sha256sum and the Hugging Face Hub but costs about 4x the CPU)",
        flag="--hash",
        choices=HASH_ALGORITHMS,
        none="none",
        also=[("--no-hash", None, "the same as --hash none")],
    )
    fsync: bool = setting(False, "make outputs durable (fsync) before they appear")
    progress: bool | ProgressCallback = setting(
        False,
        "no progress bar",
        invert="--quiet",
    )
    block_elements: int = setting(
        BLOCK_ELEMENTS,
        f"elements of a tensor read and written at a time (default {BLOCK_ELEMENTS}); memory grows with it",
        metavar="N",
        type=int,
    )
    workers: int | None = setting(
        None, "threads merging blocks (default: one per core, at most 8)", metavar="N", type=int
    )

    def __post_init__(self) -> None:
        if self.out_dtype is not None:
            name = self.out_dtype.removeprefix("torch.") if isinstance(self.out_dtype, str) else None
            if name not in OUT_DTYPES:
                raise ConfigError(f"--out-dtype {self.out_dtype!r}: choose one of {', '.join(OUT_DTYPES)}")
            object.__setattr__(self, "out_dtype", name)
        try:
            parse_size(self.max_shard_size)
        except ConfigError as exc:
            raise ConfigError(f"--max-shard-size: {exc}") from None
        if self.input_hash == "none":
            object.__setattr__(self, "input_hash", None)
        check_hash_available(self.input_hash)
        for name in ("overwrite", "fsync"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be true or false, not {getattr(self, name)!r}")
        if not isinstance(self.progress, bool) and not callable(self.progress):
            raise ConfigError("progress must be true, false or a callable(bytes_done, bytes_total)")
        if not _is_int(self.block_elements) or self.block_elements < 1:
            raise ConfigError(
                f"--block-elements {self.block_elements!r}: must be a positive number of elements"
            )
        if self.workers is not None and (not _is_int(self.workers) or self.workers < 1):
            raise ConfigError(f"--workers {self.workers!r}: must be at least 1")

    @property
    def max_shard_bytes(self) -> int:
        return parse_size(self.max_shard_size)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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


# --- the command line, generated from the fields ---------------------------------------


def add_setting_flags(group: argparse._ActionsContainer, cls: type = MergeSettings) -> None:
    """One flag per field of `cls` (and its aliases), with the field's help text; the
    parsed values land under the field's name (see `settings_from_arguments`)."""
    for f in dataclasses.fields(cls):
        meta = f.metadata
        help_text = meta["help"]
        if "invert" in meta:
            group.add_argument(meta["invert"], dest=f.name, action="store_false", help=help_text)
            group.set_defaults(**{f.name: True})
            continue
        flag = meta.get("flag", "--" + f.name.replace("_", "-"))
        if f.default is False:
            group.add_argument(flag, dest=f.name, action="store_true", help=help_text)
            continue
        choices = meta.get("choices")
        if choices is not None and "none" in meta:
            choices = (*choices, meta["none"])
        default = meta["none"] if f.default is None and "none" in meta else f.default
        group.add_argument(
            flag,
            dest=f.name,
            default=default,
            choices=choices,
            type=meta.get("type", str),
            metavar=meta.get("metavar"),
            help=help_text,
        )
        for alias, value, alias_help in meta.get("also", ()):
            group.add_argument(alias, dest=f.name, action="store_const", const=value, help=alias_help)


def settings_from_arguments(args: argparse.Namespace, cls: type = MergeSettings) -> Any:
    """The settings the parsed flags describe, checked by the class itself."""
    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(cls) if hasattr(args, f.name)}
    return cls(**values)
