"""Where every output tensor goes, decided before anything is written.

All outputs of a sweep share one layout (same names, shapes and dtypes), so it is
planned once: tensors fill shards in the order they are streamed, a shard closes when
the next tensor would take it past the cap (a tensor larger than the cap gets a shard of
its own, as transformers does), and inside a shard the tensors are ordered by element
size, largest first, so every tensor starts aligned to its element size.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from codefrontier.merge.checkpoint import INDEX_NAME, SINGLE_NAME
from codefrontier.merge.safetensors_io import Dtype, PlannedTensor, TensorInfo, encode_header

SHARD_METADATA = {"format": "pt"}  # what transformers writes and checks when loading


@dataclass(frozen=True)
class ShardPlan:
    filename: str
    header: bytes
    tensors: list[PlannedTensor]

    @property
    def size(self) -> int:
        return len(self.header) + sum(t.nbytes for t in self.tensors)


@dataclass(frozen=True)
class OutputLayout:
    shards: list[ShardPlan]
    location: dict[str, tuple[int, PlannedTensor]]  # tensor name -> (shard number, placement)

    @property
    def total_bytes(self) -> int:
        return sum(s.size for s in self.shards)

    @property
    def tensor_bytes(self) -> int:
        return sum(t.nbytes for s in self.shards for t in s.tensors)

    def index_json(self) -> bytes | None:
        """The model.safetensors.index.json transformers writes for a sharded checkpoint."""
        if len(self.shards) == 1:
            return None
        parameters = sum(math.prod(t.shape) for s in self.shards for t in s.tensors)
        weight_map = {name: self.shards[i].filename for name, (i, _) in sorted(self.location.items())}
        index = {
            "metadata": {"total_parameters": parameters, "total_size": self.tensor_bytes},
            "weight_map": weight_map,
        }
        return (json.dumps(index, indent=2) + "\n").encode()

    @property
    def filenames(self) -> list[str]:
        names = [s.filename for s in self.shards]
        return names if len(names) == 1 else [*names, INDEX_NAME]


def plan_layout(
    tensors: Iterable[TensorInfo], output_dtype: Callable[[TensorInfo], Dtype], max_shard_bytes: int
) -> OutputLayout:
    """Assign tensors (in streaming order) to shards of at most `max_shard_bytes` of data."""
    groups: list[list[tuple[str, Dtype, tuple[int, ...], int]]] = [[]]
    filled = 0
    for t in tensors:
        dtype = output_dtype(t)
        nbytes = t.numel * dtype.itemsize
        if groups[-1] and filled + nbytes > max_shard_bytes:
            groups.append([])
            filled = 0
        groups[-1].append((t.name, dtype, t.shape, nbytes))
        filled += nbytes
    n = len(groups)
    shards, location = [], {}
    for i, group in enumerate(groups):
        filename = SINGLE_NAME if n == 1 else f"model-{i + 1:05d}-of-{n:05d}.safetensors"
        ordered = sorted(group, key=lambda entry: -entry[1].itemsize)  # stable: stream order within a size
        header, planned = encode_header(ordered, SHARD_METADATA)
        shards.append(ShardPlan(filename, header, planned))
        for p in planned:
            location[p.name] = (i, p)
    return OutputLayout(shards, location)
