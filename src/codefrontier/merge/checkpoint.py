"""A checkpoint directory in the Hugging Face layout, opened without reading any tensor.

`config.json`, then either `model.safetensors.index.json` with the shards its
`weight_map` names, or a single `model.safetensors`. Everything else at the top level
(tokenizer, generation config, chat template, custom code) is a side file that merged
outputs copy; weights and training state are not.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codefrontier.errors import InputError
from codefrontier.merge.safetensors_io import SafetensorsFile, TensorInfo, read_safetensors_header

INDEX_NAME = "model.safetensors.index.json"
SINGLE_NAME = "model.safetensors"
CONFIG_NAME = "config.json"
RECORD_NAME = "codefrontier_merge.json"  # the metadata record each merged output carries

# Top-level files never copied into a merged checkpoint: weights in any format (the
# merge writes its own) and the training state of the input it would misdescribe.
NOT_COPIED = (
    "*.safetensors",
    "*.safetensors.index.json",
    "*.bin",
    "*.bin.index.json",
    "*.pt",
    "*.pth",
    "*.ckpt",
    "*.h5",
    "*.msgpack",
    "*.gguf",
    "*.npz",
    "trainer_state.json",
    "training_args.*",
    "optimizer*",
    "scheduler*",
    "rng_state*",
    RECORD_NAME,
    ".*",
)


@dataclass
class Checkpoint:
    """One input: its config, its tensors (in the order their bytes are stored) and files."""

    role: str  # "low", "high", "base", "task 1", ... : how messages name it
    path: Path
    config: dict[str, Any]
    tensors: dict[str, TensorInfo]
    shards: list[SafetensorsFile]

    @property
    def tensor_bytes(self) -> int:
        return sum(t.nbytes for t in self.tensors.values())

    def describe(self) -> str:
        return f"{self.role} checkpoint {self.path}"

    def side_files(self) -> list[Path]:
        """Top-level files a merged output copies from this checkpoint (config.json included)."""
        return sorted(
            p
            for p in self.path.iterdir()
            if p.is_file() and not any(fnmatch.fnmatch(p.name, pat) for pat in NOT_COPIED)
        )

    def config_sha256(self) -> str:
        return hashlib.sha256((self.path / CONFIG_NAME).read_bytes()).hexdigest()


def open_checkpoint(path: str | Path, role: str) -> Checkpoint:
    """Read the config and every shard header of a checkpoint directory; check that the
    index and the shards agree. Raises InputError naming the file at fault."""
    root = Path(path)
    if not root.is_dir():
        raise InputError(f"{role} checkpoint: not a directory", path=root)
    config = _read_json(root / CONFIG_NAME, what="config.json (the model configuration)")
    if not isinstance(config, dict):
        raise InputError("config.json is not a JSON object", path=root / CONFIG_NAME)
    weight_map = _read_weight_map(root)
    shards = [read_safetensors_header(p) for p in _shard_paths(root, weight_map)]
    tensors: dict[str, TensorInfo] = {}
    for shard in shards:
        for tensor in shard.tensors:
            if tensor.name in tensors:
                raise InputError(
                    f"tensor '{tensor.name}' is stored twice: in {tensors[tensor.name].path.name} "
                    f"and {shard.path.name}",
                    path=root,
                )
            tensors[tensor.name] = tensor
    if weight_map is not None:
        _check_index_matches(root / INDEX_NAME, weight_map, tensors)
    return Checkpoint(role, root, config, tensors, shards)


def _read_weight_map(root: Path) -> dict[str, str] | None:
    """The index's `weight_map` (tensor name -> shard file), or None without an index."""
    index_path = root / INDEX_NAME
    if not index_path.exists():
        return None
    index = _read_json(index_path, what=INDEX_NAME)
    weight_map = index.get("weight_map") if isinstance(index, dict) else None
    if not isinstance(weight_map, dict) or not weight_map:
        raise InputError("has no 'weight_map' naming the shards", path=index_path)
    return weight_map


def _shard_paths(root: Path, weight_map: dict[str, str] | None) -> list[Path]:
    if weight_map is not None:
        names = list(dict.fromkeys(weight_map.values()))  # first-seen order, then sorted below
        missing = [n for n in names if not (root / n).is_file()]
        if missing:
            raise InputError(
                f"names shards that are missing: {', '.join(missing[:10])}", path=root / INDEX_NAME
            )
        return [root / n for n in sorted(names)]
    if (root / SINGLE_NAME).is_file():
        return [root / SINGLE_NAME]
    others = sorted(p.name for p in root.glob("*.bin")) + sorted(p.name for p in root.glob("*.pt"))
    hint = f" (found {', '.join(others[:3])}: convert it to safetensors first)" if others else ""
    raise InputError(f"no {INDEX_NAME} or {SINGLE_NAME}: not a safetensors checkpoint{hint}", path=root)


def _check_index_matches(
    index_path: Path, weight_map: dict[str, str], tensors: dict[str, TensorInfo]
) -> None:
    wrong = [
        name for name, shard in weight_map.items() if name not in tensors or tensors[name].path.name != shard
    ]
    unlisted = [name for name in tensors if name not in weight_map]
    if wrong or unlisted:
        examples = ", ".join((wrong + unlisted)[:5])
        raise InputError(
            f"the index and the shard headers disagree on {len(wrong) + len(unlisted)} tensors "
            f"(for example {examples}); the checkpoint is incomplete or was edited",
            path=index_path,
        )


def _read_json(path: Path, *, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"missing {what}", path=path) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read {what}: {exc}", path=path) from exc
