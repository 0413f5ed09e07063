"""The safetensors file format, read and written without loading tensors.

A safetensors file is an 8-byte little-endian header length N, N bytes of JSON
(`{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}`,
offsets relative to the end of the header), then the tensor bytes. Reading the header
ourselves gives each tensor's absolute byte range, so the merge can stream any tensor
block by block from a memory map, and write outputs at offsets planned in advance.
"""

from __future__ import annotations

import json
import math
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch

from codefrontier.errors import InputError
from codefrontier.merge.settings import OUT_DTYPES

MAX_HEADER_BYTES = 100_000_000  # the limit safetensors itself enforces
HEADER_ALIGNMENT = 8  # safetensors pads the header so tensor data starts 8-byte aligned

DtypeKind = Literal["float", "int", "bool", "unsupported"]


@dataclass(frozen=True)
class Dtype:
    """A safetensors dtype: its name in the header, the torch dtype, its size and kind."""

    code: str  # as written in the header: "BF16", "F32", ...
    torch_dtype: torch.dtype | None
    itemsize: int
    kind: DtypeKind

    @property
    def name(self) -> str:
        """The torch spelling ("bfloat16"), used in messages, configs and --out-dtype."""
        if self.torch_dtype is None:
            return self.code
        return str(self.torch_dtype).removeprefix("torch.")


def _dtype(code: str, torch_name: str | None, itemsize: int, kind: DtypeKind) -> Dtype:
    torch_dtype = getattr(torch, torch_name, None) if torch_name else None
    return Dtype(code, torch_dtype, itemsize, kind)


DTYPES: dict[str, Dtype] = {
    d.code: d
    for d in (
        _dtype("F64", "float64", 8, "float"),
        _dtype("F32", "float32", 4, "float"),
        _dtype("F16", "float16", 2, "float"),
        _dtype("BF16", "bfloat16", 2, "float"),
        # 8-bit floats come with separate scale tensors; a linear merge of values and
        # scales is not the merge of the weights they encode, so they are refused.
        _dtype("F8_E4M3", "float8_e4m3fn", 1, "unsupported"),
        _dtype("F8_E5M2", "float8_e5m2", 1, "unsupported"),
        _dtype("I64", "int64", 8, "int"),
        _dtype("I32", "int32", 4, "int"),
        _dtype("I16", "int16", 2, "int"),
        _dtype("I8", "int8", 1, "int"),
        _dtype("U64", "uint64", 8, "int"),
        _dtype("U32", "uint32", 4, "int"),
        _dtype("U16", "uint16", 2, "int"),
        _dtype("U8", "uint8", 1, "int"),
        _dtype("BOOL", "bool", 1, "bool"),
    )
}

# The dtypes a merge may write floating-point tensors in (--out-dtype).
OUTPUT_DTYPES: dict[str, Dtype] = {name: d for name in OUT_DTYPES for d in DTYPES.values() if d.name == name}


@dataclass(frozen=True)
class TensorInfo:
    """Where one tensor's bytes are: `offset` is absolute in `path`."""

    name: str
    dtype: Dtype
    shape: tuple[int, ...]
    path: Path
    offset: int
    nbytes: int

    @property
    def numel(self) -> int:
        return math.prod(self.shape)


@dataclass(frozen=True)
class SafetensorsFile:
    """A parsed header: the tensors in the order their bytes appear in the file."""

    path: Path
    tensors: list[TensorInfo]
    metadata: dict[str, str]
    header_bytes: int  # 8 + N: where tensor data begins
    file_size: int


def read_safetensors_header(path: Path) -> SafetensorsFile:
    """Parse and check one file's header; raise InputError naming the file on any defect."""
    try:
        with open(path, "rb") as f:
            file_size = os.fstat(f.fileno()).st_size
            prefix = f.read(8)
            if len(prefix) < 8:
                raise InputError("not a safetensors file: shorter than the 8-byte header length", path=path)
            (length,) = struct.unpack("<Q", prefix)
            if length > MAX_HEADER_BYTES or 8 + length > file_size:
                raise InputError(
                    f"not a safetensors file: header length {length} does not fit the file", path=path
                )
            raw = f.read(length)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from exc
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not a safetensors file: header is not JSON ({exc})", path=path) from exc
    if not isinstance(header, dict):
        raise InputError("not a safetensors file: header is not a JSON object", path=path)
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict):
        raise InputError("not a safetensors file: '__metadata__' is not a JSON object", path=path)
    data_start = 8 + length
    tensors = [_tensor_info(path, name, entry, data_start, file_size) for name, entry in header.items()]
    tensors.sort(key=lambda t: (t.offset, t.nbytes))
    for before, after in zip(tensors, tensors[1:], strict=False):
        if after.offset < before.offset + before.nbytes:
            raise InputError(
                f"tensors '{before.name}' and '{after.name}' share bytes; safetensors does not allow "
                "that (re-save the checkpoint with safetensors)",
                path=path,
            )
    return SafetensorsFile(path, tensors, dict(metadata), data_start, file_size)


def _tensor_info(path: Path, name: str, entry: object, data_start: int, file_size: int) -> TensorInfo:
    if not isinstance(entry, dict) or not {"dtype", "shape", "data_offsets"} <= entry.keys():
        raise InputError(f"tensor '{name}': header entry needs dtype, shape and data_offsets", path=path)
    code = entry["dtype"]
    if not isinstance(code, str) or code not in DTYPES:
        raise InputError(f"tensor '{name}': unknown dtype {code!r}", path=path)
    dtype = DTYPES[code]
    shape, offsets = entry["shape"], entry["data_offsets"]
    if (
        not isinstance(shape, list)
        or not all(_is_int(n) for n in shape)
        or not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(_is_int(n) for n in offsets)
    ):
        raise InputError(
            f"tensor '{name}': shape must be a list of integers and data_offsets a pair of integers "
            f"(got {shape!r} and {offsets!r})",
            path=path,
        )
    if any(n < 0 for n in shape):
        raise InputError(f"tensor '{name}': shape {shape} has a negative dimension", path=path)
    begin, end = offsets
    if begin < 0 or end < begin or math.prod(shape) * dtype.itemsize != end - begin:
        raise InputError(
            f"tensor '{name}': data_offsets [{begin}, {end}] do not match shape {shape} of {code} "
            f"({math.prod(shape)} elements of {dtype.itemsize} bytes)",
            path=path,
        )
    if data_start + end > file_size:
        raise InputError(f"tensor '{name}': bytes run past the end of the file (truncated?)", path=path)
    return TensorInfo(name, dtype, tuple(shape), path, data_start + begin, end - begin)


def _is_int(value: object) -> bool:
    """A JSON integer (not a float, string or boolean, which int() would also accept)."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class PlannedTensor:
    """A tensor placed in an output file; `offset` is absolute in the file."""

    name: str
    dtype: Dtype
    shape: tuple[int, ...]
    offset: int
    nbytes: int


def encode_header(
    tensors: list[tuple[str, Dtype, tuple[int, ...], int]], metadata: dict[str, str]
) -> tuple[bytes, list[PlannedTensor]]:
    """Lay tensors out back to back in the given order; return the header bytes (length
    prefix included, padded with spaces as safetensors does) and each tensor's absolute offset."""
    entries: dict[str, object] = {"__metadata__": metadata} if metadata else {}
    cursor = 0
    relative: list[tuple[str, Dtype, tuple[int, ...], int, int]] = []
    for name, dtype, shape, nbytes in tensors:
        entries[name] = {"dtype": dtype.code, "shape": list(shape), "data_offsets": [cursor, cursor + nbytes]}
        relative.append((name, dtype, shape, cursor, nbytes))
        cursor += nbytes
    body = json.dumps(entries, separators=(",", ":")).encode()
    body += b" " * (-(8 + len(body)) % HEADER_ALIGNMENT)
    header = struct.pack("<Q", len(body)) + body
    planned = [PlannedTensor(n, d, s, len(header) + begin, size) for n, d, s, begin, size in relative]
    return header, planned
