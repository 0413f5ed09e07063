"""Tiny Llama-architecture checkpoints with random weights, saved by transformers for real.

A "pair" is what merges are made of: `low` is a random initialisation and `high` the
same weights after a small random update, as a fine-tuning run would leave them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

VOCAB = 128
# Small enough that a model saves in milliseconds; 50KB shards give a few shards each.
SHARD = "50KB"


def tiny_config(**overrides: Any) -> LlamaConfig:
    settings: dict[str, Any] = {
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "vocab_size": VOCAB,
        "max_position_embeddings": 64,
        "tie_word_embeddings": False,
    }
    settings.update(overrides)
    return LlamaConfig(**settings)


def random_model(config: LlamaConfig, seed: int, dtype: torch.dtype) -> LlamaForCausalLM:
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config).to(dtype)
    with torch.no_grad():
        for p in model.parameters():  # norms start at exactly 1: give them values of their own
            p.add_(torch.randn_like(p) * 0.02)
    return model


def fine_tune(model: LlamaForCausalLM, seed: int, scale: float = 0.01) -> None:
    """A small random update of every weight, in place (what an RL step leaves behind)."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            update = torch.randn(p.shape, generator=generator) * scale
            p.copy_((p.float() + update).to(p.dtype))


def save(model: LlamaForCausalLM, path: Path, *, sharded: bool, tokenizer: bool = True) -> Path:
    model.save_pretrained(path, max_shard_size=SHARD if sharded else "1GB")
    if tokenizer:
        save_tokenizer(path)
    return path


def save_tokenizer(path: Path) -> None:
    vocab = {"<unk>": 0} | {f"t{i}": i for i in range(1, VOCAB)}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="<unk>", bos_token="t1", eos_token="t2"
    )
    tokenizer.save_pretrained(path)


@dataclass(frozen=True)
class Pair:
    low: Path
    high: Path
    dtype: torch.dtype
    sharded: bool


def make_pair(root: Path, dtype: torch.dtype, *, sharded: bool, tied: bool = False, seed: int = 0) -> Pair:
    config = tiny_config(tie_word_embeddings=tied)
    model = random_model(config, seed, dtype)
    with torch.no_grad():  # signed zeros: arithmetic would turn -0.0 into +0.0, copies must not
        model.model.layers[0].mlp.up_proj.weight[0, :4] = -0.0
    low = save(model, root / "low", sharded=sharded)
    fine_tune(model, seed + 1)
    high = save(model, root / "high", sharded=sharded)
    return Pair(low, high, dtype, sharded)


def load_tensors(checkpoint: Path) -> dict[str, torch.Tensor]:
    """Every tensor of a checkpoint directory, read with the safetensors library."""
    tensors: dict[str, torch.Tensor] = {}
    for path in sorted(checkpoint.glob("*.safetensors")):
        with safe_open(path, framework="pt") as f:
            for name in f.keys():  # noqa: SIM118 - safe_open is not a mapping
                tensors[name] = f.get_tensor(name)
    return tensors


def nbytes(tensors: dict[str, torch.Tensor]) -> int:
    return sum(t.numel() * t.element_size() for t in tensors.values())


def same_bits(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Equal dtype, shape and bytes (so -0.0 differs from 0.0 and nan equals itself)."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    return torch.equal(
        a.contiguous().reshape(-1).view(torch.uint8), b.contiguous().reshape(-1).view(torch.uint8)
    )


def interpolate(low: torch.Tensor, high: torch.Tensor, alpha: float) -> torch.Tensor:
    """The reference: the formula of the issue in float32, rounded once to the input dtype."""
    return ((1 - alpha) * low.float() + alpha * high.float()).to(low.dtype)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())


PAUSED_MERGE = textwrap.dedent(
    """
    import json, sys
    from codefrontier.merge import merge_sweep

    paused = False

    def pause_midway(done, total):
        global paused
        if not paused and done > total // 3:
            paused = True
            print("midway", flush=True)
            sys.stdin.readline()  # until the test says go on (or kills the process)

    low, high, out, alphas = sys.argv[1:5]
    merge_sweep(low, high, json.loads(alphas), out, block_elements=1000, workers=1, progress=pause_midway)
    print("done", flush=True)
    """
)


def paused_merge(pair: Pair, out: Path, alphas: Sequence[float]) -> subprocess.Popen[str]:
    """A merge in a child process, stopped a third of the way through: it has printed
    "midway" when this returns, and goes on (printing "done" at the end) when a line is
    written to its stdin."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            PAUSED_MERGE,
            str(pair.low),
            str(pair.high),
            str(out),
            json.dumps(list(alphas)),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline() == "midway\n"
    return process
