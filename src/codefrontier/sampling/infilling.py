"""Fill-in-the-middle prompts in the Code Llama style, in both orders, as text and as
tokens.

Code Llama (Rozière et al., 2023) was trained on two orders of the same three parts:

- prefix-suffix-middle (PSM): ``<PRE> {prefix} <SUF>{suffix} <MID>``
- suffix-prefix-middle (SPM): ``<PRE> <SUF>{suffix} <MID> {prefix}``

and ends the middle with ``<EOT>``. In both the model then writes the middle. The
spaces are Code Llama's: its sentencepiece tokenizer puts one after each sentinel of the
prefix part. Other fill-in-the-middle models use other sentinels (StarCoder:
``<fim_prefix>``, ``<fim_suffix>``, ``<fim_middle>``, ``<|endoftext|>``, no spaces); an
`InfillFormat` names them.

Text prompts are what an OpenAI-compatible completions endpoint takes. A model's own
tokenizer needs more care, which `TokenInfill` takes (Code Llama's `generation.py` is the
reference): the sentinels are special tokens, never text that could be split; the suffix
and the middle are encoded *without* the tokenizer's implicit leading space (a
sentencepiece tokenizer writes "▁" before the first word of every `encode`) by encoding
them behind a sentinel string and dropping the sentinel's tokens; the prefix is encoded
as usual (that leading space is the " " after ``<PRE>`` in the text form); and the BOS
token comes once, at the start, never before a part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from codefrontier.errors import ConfigError

if TYPE_CHECKING:  # annotations only: `codefrontier --help` builds the fim parser from this module
    from codefrontier.sampling.backends.base import Backend, Completion, GenerationParams


class InfillOrder(StrEnum):
    PSM = "psm"  # prefix, suffix, middle
    SPM = "spm"  # suffix, prefix, middle


@dataclass(frozen=True)
class InfillFormat:
    prefix: str
    suffix: str
    middle: str
    end: str  # what ends the middle
    space: str = ""  # written after the prefix sentinel and after the middle sentinel (SPM)
    name: str = ""
    bos: bool = False  # token prompts start with the tokenizer's BOS token

    @property
    def sentinels(self) -> tuple[str, str, str, str]:
        return (self.prefix, self.suffix, self.middle, self.end)


CODE_LLAMA = InfillFormat("<PRE>", "<SUF>", "<MID>", "<EOT>", space=" ", name="code-llama", bos=True)
STARCODER = InfillFormat("<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<|endoftext|>", name="starcoder")
FORMATS = {f.name: f for f in (CODE_LLAMA, STARCODER)}


def infill_format(name: str | InfillFormat) -> InfillFormat:
    if isinstance(name, InfillFormat):
        return name
    fmt = FORMATS.get(name)
    if fmt is None:
        raise ConfigError(f"unknown infilling format {name!r}; known: {', '.join(FORMATS)}")
    return fmt


def infill_order(order: InfillOrder | str) -> InfillOrder:
    try:
        return InfillOrder(order)
    except ValueError:
        raise ConfigError(f"infilling order must be psm or spm, got {order!r}") from None


def infill_prompt(
    prefix: str, suffix: str, order: InfillOrder | str = InfillOrder.PSM, fmt: InfillFormat = CODE_LLAMA
) -> str:
    """The prompt after which the model writes the middle."""
    order = infill_order(order)
    s = fmt.space
    if order is InfillOrder.PSM:
        return f"{fmt.prefix}{s}{prefix}{s}{fmt.suffix}{suffix}{s}{fmt.middle}"
    return f"{fmt.prefix}{s}{fmt.suffix}{suffix}{s}{fmt.middle}{s}{prefix}"


# Strings to encode in front of a text so that it gets no implicit leading space; the
# first whose tokens stay a clean prefix of the text's tokens is used.
SENTINEL_CANDIDATES = ("\n", "☺", "#")


class TokenInfill:
    """Fill-in-the-middle prompts as token ids for one Hugging Face tokenizer (a
    `PreTrainedTokenizerBase`: anything with `encode`, `decode`, `convert_tokens_to_ids`).

    The sentinels are looked up as tokens, with and without sentencepiece's "▁" (Code
    Llama's vocabulary spells them "▁<PRE>", ...); a tokenizer that lacks any of them is a
    `ConfigError` naming the missing tokens."""

    def __init__(self, tokenizer: Any, fmt: InfillFormat | str = CODE_LLAMA) -> None:
        self.tokenizer = tokenizer
        self.fmt = infill_format(fmt)
        ids: list[int] = []
        missing: list[str] = []
        for token in self.fmt.sentinels:
            found = self._token_id(token)
            if found is None:
                missing.append(token)
            else:
                ids.append(found)
        if missing:
            raise ConfigError(
                f"the tokenizer has no infilling token {', '.join(missing)}: the {self.fmt.name} format needs "
                f"{' '.join(self.fmt.sentinels)} as tokens of its vocabulary (a model trained to fill in the "
                "middle has them; choose the format that matches it, or add them and train)"
            )
        self.prefix_id, self.suffix_id, self.middle_id, self.end_id = ids
        self._adds_space: bool | None = None
        self.bos_id: int | None = None
        if self.fmt.bos:
            self.bos_id = getattr(tokenizer, "bos_token_id", None)
            if self.bos_id is None:
                raise ConfigError(
                    f"the {self.fmt.name} format starts with BOS, and the tokenizer has no bos_token"
                )

    def _token_id(self, token: str) -> int | None:
        vocab = self.tokenizer.get_vocab()
        for spelling in (token, "▁" + token):
            if spelling in vocab:
                return int(vocab[spelling])
        return None

    # -- encoding ---------------------------------------------------------------------------
    def encode(self, text: str) -> list[int]:
        """Tokens of `text` as the tokenizer writes them (with its implicit leading space)."""
        return list(self.tokenizer.encode(text, add_special_tokens=False))

    def encode_infilling(self, text: str) -> list[int]:
        """Tokens of `text` without an implicit leading space: encoded behind a sentinel
        string whose tokens are then dropped (a tokenizer that adds no space encodes it as is)."""
        if not text or not self.adds_space:
            return self.encode(text)
        for sentinel in SENTINEL_CANDIDATES:
            head = self.encode(sentinel)
            ids = self.encode(sentinel + text)
            if ids[: len(head)] == head and self.decode_infilling(ids[len(head) :]) == text:
                return ids[len(head) :]
        raise ValueError(f"cannot encode {text[:40]!r} without a leading space: no sentinel stays apart")

    @property
    def adds_space(self) -> bool:
        """Whether `encode` writes a space before the text (sentencepiece's "▁", a byte-level
        tokenizer's add_prefix_space "Ġ")."""
        if self._adds_space is None:
            first = self.tokenizer.convert_ids_to_tokens(self.encode("a"))[0]
            self._adds_space = first.startswith(("▁", "Ġ")) and first != "a"
        return self._adds_space

    def decode_infilling(self, ids: Sequence[int]) -> str:
        """The text of tokens that continue other text (a middle): decoded behind a
        sentinel, so that a decoder that strips the first token's leading space strips the
        sentinel's instead."""
        ids = list(ids)
        if not ids or not self.adds_space:
            return self.tokenizer.decode(ids, skip_special_tokens=False)
        head = self.encode(SENTINEL_CANDIDATES[0])
        shown = self.tokenizer.decode(head, skip_special_tokens=False)
        text = self.tokenizer.decode(head + ids, skip_special_tokens=False)
        return text[len(shown) :] if text.startswith(shown) else self.tokenizer.decode(ids)

    # -- prompts ----------------------------------------------------------------------------
    def prompt_ids(self, prefix: str, suffix: str, order: InfillOrder | str = InfillOrder.PSM) -> list[int]:
        """The tokens after which the model writes the middle: PSM ``BOS <PRE> prefix <SUF>
        suffix <MID>``, SPM ``BOS <PRE> <SUF> suffix <MID> prefix``."""
        start = [self.bos_id] if self.bos_id is not None else []
        if infill_order(order) is InfillOrder.PSM:
            return [
                *start,
                self.prefix_id,
                *self.encode(prefix),
                self.suffix_id,
                *self.encode_infilling(suffix),
                self.middle_id,
            ]
        return [
            *start,
            self.prefix_id,
            self.suffix_id,
            *self.encode_infilling(suffix),
            self.middle_id,
            *self.encode(prefix),
        ]

    def training_ids(
        self, prefix: str, middle: str, suffix: str, order: InfillOrder | str = InfillOrder.PSM
    ) -> list[int]:
        """A whole training sequence: the prompt, the middle, the end token."""
        return [*self.prompt_ids(prefix, suffix, order), *self.encode_infilling(middle), self.end_id]

    def middle_of(self, generated: Sequence[int]) -> tuple[str, bool]:
        """The middle in generated tokens, cut at the end token, and whether it was reached."""
        generated = list(generated)
        ended = self.end_id in generated
        if ended:
            generated = generated[: generated.index(self.end_id)]
        return self.decode_infilling(generated), ended


def split_middle(generated: str, fmt: InfillFormat = CODE_LLAMA) -> tuple[str, bool]:
    """The middle a model wrote, cut at the end sentinel, and whether it was reached
    (a middle that ran out of tokens is incomplete)."""
    if fmt.end in generated:
        return generated[: generated.index(fmt.end)], True
    return generated, False


def fill(prefix: str, middle: str, suffix: str) -> str:
    """The whole program: prefix, middle, suffix."""
    return prefix + middle + suffix


async def infill(
    backend: Backend,
    prefix: str,
    suffix: str,
    *,
    order: InfillOrder | str = InfillOrder.PSM,
    fmt: InfillFormat = CODE_LLAMA,
    tokens: TokenInfill | None = None,
    params: GenerationParams | None = None,
    n: int = 1,
) -> list[Completion]:
    """`n` completions of a fill-in-the-middle prompt (a raw completion, no chat template):
    the text prompt, or with `tokens` the model's own token-level prompt, sampled with
    `params` (temperature 0.2, 512 tokens when None) plus the format's end as a stop. Read
    each one's middle with `middle_of`."""
    from dataclasses import replace

    from codefrontier.sampling.backends.base import GenerationParams

    params = params or GenerationParams(temperature=0.2, max_tokens=512)
    if tokens is not None:
        ends = replace(params, stop=(tokens.fmt.end,), stop_token_ids=(tokens.end_id,))
        return await backend.complete(tokens.prompt_ids(prefix, suffix, order), ends, n=n)
    return await backend.complete(
        infill_prompt(prefix, suffix, order, fmt), replace(params, stop=(fmt.end,)), n=n
    )


def middle_of(
    completion: Completion, fmt: InfillFormat = CODE_LLAMA, tokens: TokenInfill | None = None
) -> tuple[str, bool]:
    """The middle a completion holds and whether the model ended it: from its tokens when
    the backend returned them and the prompt was token-level (decoded without losing a
    leading space), else from its text."""
    if tokens is not None and completion.token_ids is not None:
        middle, ended = tokens.middle_of(completion.token_ids)
    else:
        middle, ended = split_middle(completion.text, tokens.fmt if tokens is not None else fmt)
    return middle, ended or completion.finish_reason == "stop"
