"""A tiny random Llama whose every token is a whole line of Python, with a chat template,
and small stdio problems it solves by chance: training on them really changes rewards.

A completion is a sequence of lines such as `print(42)` and `raise SystemExit`, so any
completion is a program; some print the right answer first and stop. That is what lets
the training tests see rewards that differ within a GRPO group, on a model small enough
to train in seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

PIECES = [
    "<pad>",
    "<eos>",
    "<unk>",
    "print(42)\n",
    "print(7)\n",
    "raise SystemExit\n",
    "pass\n",
    "```python\n",
    "```\n",
    "```",
]
CHAT_TEMPLATE = (
    "{% for m in messages %}{{ m['role'] }}\n{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant\n{% endif %}"
)


def tiny_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {piece: i for i, piece in enumerate(PIECES)}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Split("\n", behavior="merged_with_previous")
    backend.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, pad_token="<pad>", eos_token="<eos>", unk_token="<unk>"
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def save_tiny_policy(path: Path, seed: int = 0) -> Path:
    """A 2-layer Llama with random weights and the line tokenizer, saved as a checkpoint."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(PIECES),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=None,
        tie_word_embeddings=False,
    )
    LlamaForCausalLM(config).save_pretrained(path)
    tiny_tokenizer().save_pretrained(path)
    return path


def constant(problem_id: str, answer: str, *, levels_differ: bool = False) -> dict:
    """Print `answer`: two tests of sizes 1 and 2 (two coverage levels), a reference.
    `levels_differ`: the larger test wants the answer twice when it has input, so a
    completion that only prints the answer passes the lowest level and not the full one
    (the two GRPO runs then see different rewards)."""
    large = f"{answer}{answer}\n" if levels_differ else f"{answer}\n"
    code = (
        f"import sys\nprint('{answer}' * (2 if sys.stdin.read() else 1))\n"
        if levels_differ
        else f"print({answer})\n"
    )
    return {
        "id": problem_id,
        "kind": "stdio",
        "statement": f"Print {answer}.",
        "time_limit_s": 2.0,
        "memory_mb": 256,
        "tests": [
            {"id": "small", "input": "", "output": f"{answer}\n", "size": 1},
            {"id": "large", "input": "x\n", "output": large, "size": 2},
        ],
        "solutions": [{"name": "ref.py", "language": "python", "code": code, "expected": "AC"}],
    }


TRAIN_IDS = ["train-42", "train-7"]
EVAL_IDS = ["eval-42", "eval-7"]


def write_tiny_problems(path: Path) -> Path:
    problems = [
        constant("train-42", "42", levels_differ=True),
        constant("train-7", "7", levels_differ=True),
        constant("eval-42", "42"),
        constant("eval-7", "7"),
    ]
    path.write_text("".join(json.dumps(p) + "\n" for p in problems))
    return path
