"""Real tokenizer files for the infilling tests, no downloads: SmolLM2-135M's tokenizer
(a published byte-level BPE vocabulary, shipped gzipped in tests/fixtures/tokenizers), and
a Code Llama-style sentencepiece BPE tokenizer (Metaspace "▁" with the implicit leading
space, the sentinels "▁<PRE>", "▁<SUF>", "▁<MID>", "▁<EOT>" as special tokens) trained with
the `tokenizers` library on HumanEval's prompts. Each is saved with `save_pretrained`
and loaded back with `AutoTokenizer.from_pretrained`, as a model directory would be."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tokenizers"
CODE_LLAMA_SENTINELS = ["▁<PRE>", "▁<SUF>", "▁<MID>", "▁<EOT>"]
STARCODER_SENTINELS = ["<fim_prefix>", "<fim_middle>", "<fim_suffix>", "<fim_pad>"]


def smollm2_dir(tmp: Path, *, starcoder_sentinels: bool = False) -> Path:
    """SmolLM2's tokenizer as a model directory; with StarCoder's sentinels added as
    special tokens when asked (as one would before teaching it to fill in the middle)."""
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    out = tmp / ("smollm2-fim" if starcoder_sentinels else "smollm2")
    if out.exists():
        return out
    raw = tmp / "smollm2-raw"
    raw.mkdir(parents=True, exist_ok=True)
    with (
        gzip.open(FIXTURES / "smollm2-135m" / "tokenizer.json.gz", "rb") as src,
        open(raw / "tokenizer.json", "wb") as dst,
    ):
        shutil.copyfileobj(src, dst)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_file=str(raw / "tokenizer.json"),
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
        unk_token="<|endoftext|>",
    )
    if starcoder_sentinels:
        tokenizer.add_special_tokens({"additional_special_tokens": STARCODER_SENTINELS})
    tokenizer.save_pretrained(out)
    AutoTokenizer.from_pretrained(out)  # it loads as a model directory would
    return out


def code_llama_style_dir(tmp: Path, corpus: list[str]) -> Path:
    out = tmp / "code-llama-style"
    if out.exists():
        return out
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE(unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    backend.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    trainer = trainers.BpeTrainer(
        vocab_size=3000,
        special_tokens=["<unk>", "<s>", "</s>"],
        initial_alphabet=[chr(c) for c in range(32, 127)] + ["\n", "\t", "☺"],
    )
    backend.train_from_iterator(corpus, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, bos_token="<s>", eos_token="</s>", unk_token="<unk>"
    )
    tokenizer.add_special_tokens({"additional_special_tokens": CODE_LLAMA_SENTINELS})
    tokenizer.save_pretrained(out)
    return out
