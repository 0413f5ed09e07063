"""A byte-level BPE tokenizer built offline (no download): any text round-trips exactly,
as it does with a real model's tokenizer. Saved with save_pretrained for the trainers
that load a tokenizer from a path (verl's reward workers)."""

from __future__ import annotations

from pathlib import Path

CORPUS = [
    "# Problem: print 42\n# Problem: print 7\n",
    "```python\nprint(42)\n```\nprint(7)\nprint(8)\n",
    "Write a program that prints the answer. Answer with a Python program.",
]


def build_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300,
        special_tokens=["<s>", "</s>", "<pad>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    backend.train_from_iterator(CORPUS, trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=backend, bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )


def save_tokenizer(path: Path):
    tokenizer = build_tokenizer()
    tokenizer.save_pretrained(path)
    return tokenizer
