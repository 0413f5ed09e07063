"""The pieces under the merge: safetensors headers, shard layout, sizes and names."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from safetensors import safe_open
from safetensors.torch import save_file

from codefrontier.errors import ConfigError, InputError
from codefrontier.merge.layout import plan_layout
from codefrontier.merge.methods import Interpolation, TaskArithmetic, format_coefficient
from codefrontier.merge.safetensors_io import (
    DTYPES,
    OUTPUT_DTYPES,
    TensorInfo,
    encode_header,
    read_safetensors_header,
)
from codefrontier.merge.settings import parse_size


def test_our_header_reading_agrees_with_the_safetensors_library(tmp_path: Path) -> None:
    tensors = {
        "a": torch.randn(3, 5).to(torch.bfloat16),
        "b": torch.arange(7, dtype=torch.int64),
        "c": torch.tensor(2.5),
        "d": torch.zeros(0, 4),
        "e": torch.tensor([True, False]),
    }
    path = tmp_path / "x.safetensors"
    save_file(tensors, path, metadata={"format": "pt"})

    parsed = read_safetensors_header(path)

    assert parsed.metadata == {"format": "pt"}
    raw = path.read_bytes()
    for info in parsed.tensors:
        expected = tensors[info.name]
        assert info.shape == tuple(expected.shape) and info.dtype.torch_dtype == expected.dtype
        data = raw[info.offset : info.offset + info.nbytes]
        assert data == expected.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()


def test_headers_we_write_are_read_by_the_safetensors_library(tmp_path: Path) -> None:
    values = {
        "w": torch.randn(4, 3),
        "h": torch.randn(5).to(torch.float16),
        "i": torch.arange(3, dtype=torch.int32),
    }
    entries = [(n, DTYPES[code], tuple(values[n].shape), values[n].numel() * values[n].element_size())
               for n, code in (("w", "F32"), ("i", "I32"), ("h", "F16"))]  # fmt: skip
    header, placed = encode_header(entries, {"format": "pt"})
    path = tmp_path / "ours.safetensors"
    with open(path, "wb") as f:
        f.write(header)
        for p in placed:
            f.seek(p.offset)
            f.write(values[p.name].reshape(-1).view(torch.uint8).numpy().tobytes())

    assert len(header) % 8 == 0
    with safe_open(path, framework="pt") as f:
        assert f.metadata() == {"format": "pt"}
        for name, tensor in values.items():
            assert torch.equal(f.get_tensor(name), tensor)


def header(entries: dict[str, object], data_bytes: int) -> bytes:
    body = json.dumps(entries).encode()
    return struct.pack("<Q", len(body)) + body + bytes(data_bytes)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x01\x00", "shorter than the 8-byte header length"),
        (struct.pack("<Q", 1000) + b"{}", "does not fit the file"),
        (struct.pack("<Q", 4) + b"nope", "header is not JSON"),
        (struct.pack("<Q", 2) + b"[]", "not a JSON object"),
        (
            struct.pack("<Q", 40) + b'{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}'[:40],
            "header is not JSON",
        ),
        (
            struct.pack("<Q", 55) + b'{"a":{"dtype":"F32","shape":null,"data_offsets":[0,4]}}' + bytes(4),
            "shape must be a list of integers",
        ),
        (struct.pack("<Q", 18) + b'{"__metadata__":1}', "'__metadata__' is not a JSON object"),
        (
            header({"a": {"dtype": "F32", "shape": [-8, -4], "data_offsets": [0, 128]}}, 128),
            "negative dimension",
        ),
        (header({"a": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}}, 8), "list of integers"),
        (header({"a": {"dtype": "F32", "shape": [True], "data_offsets": [0, 4]}}, 4), "list of integers"),
        (header({"a": {"dtype": "F32", "shape": [0], "data_offsets": [8, 0]}}, 8), "do not match shape"),
    ],
)
def test_malformed_files_are_refused_naming_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.safetensors"
    path.write_bytes(content)

    with pytest.raises(InputError, match=message) as caught:
        read_safetensors_header(path)
    assert caught.value.path == str(path)


def test_a_header_whose_offsets_disagree_with_the_shape_is_refused(tmp_path: Path) -> None:
    body = b'{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}'
    path = tmp_path / "bad.safetensors"
    path.write_bytes(struct.pack("<Q", len(body)) + body + bytes(8))

    with pytest.raises(
        InputError, match=r"tensor 'a': data_offsets \[0, 8\] do not match shape \[3\] of F32"
    ):
        read_safetensors_header(path)


def info(name: str, shape: tuple[int, ...], code: str = "BF16") -> TensorInfo:
    dtype = DTYPES[code]
    return TensorInfo(name, dtype, shape, Path("x"), 0, math.prod(shape) * dtype.itemsize)


def test_shards_fill_up_to_the_cap_and_a_larger_tensor_gets_its_own() -> None:
    tensors = [
        info("a", (100,)),
        info("b", (100,)),
        info("c", (100,)),
        info("big", (1000,)),
        info("d", (10,)),
    ]

    layout = plan_layout(tensors, lambda t: t.dtype, max_shard_bytes=450)

    assert [[t.name for t in s.tensors] for s in layout.shards] == [["a", "b"], ["c"], ["big"], ["d"]]
    assert [s.filename for s in layout.shards][0] == "model-00001-of-00004.safetensors"
    assert layout.filenames[-1] == "model.safetensors.index.json"


def test_inside_a_shard_tensors_are_ordered_so_each_starts_aligned() -> None:
    tensors = [
        info("half", (3,), "BF16"),
        info("full", (3,), "F32"),
        info("byte", (1,), "U8"),
        info("wide", (1,), "F64"),
    ]

    (shard,) = plan_layout(tensors, lambda t: t.dtype, max_shard_bytes=10**9).shards

    assert [t.name for t in shard.tensors] == ["wide", "full", "half", "byte"]
    assert all(t.offset % t.dtype.itemsize == 0 for t in shard.tensors)


def test_the_output_dtype_decides_the_layout() -> None:
    layout = plan_layout(
        [info("w", (10,), "F32")], lambda t: OUTPUT_DTYPES["bfloat16"], max_shard_bytes=10**9
    )

    (placed,) = layout.shards[0].tensors
    assert placed.nbytes == 20 and placed.dtype.code == "BF16"
    assert layout.index_json() is None  # one shard: model.safetensors alone, as transformers writes it


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5GB", 5 * 10**9),
        ("500MB", 500 * 10**6),
        ("2GiB", 2 * 2**30),
        ("50KB", 50_000),
        ("1.5GB", 1_500_000_000),
        (1234, 1234),
    ],
)
def test_shard_sizes_read_like_transformers(text: str | int, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["5 parsecs", "GB", "-1GB", 0])
def test_nonsense_shard_sizes_are_refused(text: str | int) -> None:
    with pytest.raises(ConfigError):
        parse_size(text)


@pytest.mark.parametrize(
    ("alpha", "name"),
    [(0.0, "0"), (-0.0, "0"), (1.0, "1"), (-0.5, "-0.5"), (0.25, "0.25"), (1e-05, "1e-05"), (3.0, "3")],
)
def test_output_names_are_the_shortest_exact_spelling_of_alpha(alpha: float, name: str) -> None:
    assert format_coefficient(alpha) == name


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_an_output_name_reads_back_as_its_alpha(alpha: float) -> None:
    assert float(format_coefficient(alpha)) == alpha


def test_exact_copies_are_recognised_only_where_the_math_gives_an_input() -> None:
    assert [o.copies for o in Interpolation([0, 1, 0.5, 2]).outputs()] == [0, 1, None, None]
    lambdas = [[0.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    assert [o.copies for o in TaskArithmetic(lambdas, n_tasks=2).outputs()] == [0, 2, None]
