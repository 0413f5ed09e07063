"""Fill-in-the-middle prompts in the Code Llama style, in both orders.

Code Llama (Rozière et al., 2023) was trained on two orders of the same three parts:

- prefix-suffix-middle (PSM): ``<PRE> {prefix} <SUF>{suffix} <MID>``
- suffix-prefix-middle (SPM): ``<PRE> <SUF>{suffix} <MID> {prefix}``

and ends the middle with ``<EOT>``. In both the model then writes the middle. The
spaces are Code Llama's: its sentencepiece tokenizer puts one after each sentinel of the
prefix part. Other fill-in-the-middle models use other sentinels (StarCoder:
``<fim_prefix>``, ``<fim_suffix>``, ``<fim_middle>``, ``<|endoftext|>``, no spaces); an
`InfillFormat` names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from codefrontier.errors import ConfigError
from codefrontier.sampling.backends.base import Backend


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


CODE_LLAMA = InfillFormat("<PRE>", "<SUF>", "<MID>", "<EOT>", space=" ")
STARCODER = InfillFormat("<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<|endoftext|>")


def infill_prompt(
    prefix: str, suffix: str, order: InfillOrder | str = InfillOrder.PSM, fmt: InfillFormat = CODE_LLAMA
) -> str:
    """The prompt after which the model writes the middle."""
    try:
        order = InfillOrder(order)
    except ValueError:
        raise ConfigError(f"infilling order must be psm or spm, got {order!r}") from None
    s = fmt.space
    if order is InfillOrder.PSM:
        return f"{fmt.prefix}{s}{prefix}{s}{fmt.suffix}{suffix}{s}{fmt.middle}"
    return f"{fmt.prefix}{s}{fmt.suffix}{suffix}{s}{fmt.middle}{s}{prefix}"


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
    n: int = 1,
    temperature: float = 0.2,
    max_tokens: int = 512,
    seed: int | None = None,
) -> list[tuple[str, bool]]:
    """`n` middles from a fill-in-the-middle model (a raw completion, no chat template),
    each with whether the model ended it."""
    prompt = infill_prompt(prefix, suffix, order, fmt)
    completions = await backend.complete(
        prompt, n=n, temperature=temperature, max_tokens=max_tokens, seed=seed, stop=[fmt.end]
    )
    return [_middle(c.text, c.finish_reason, fmt) for c in completions]


def _middle(text: str, finish_reason: str, fmt: InfillFormat) -> tuple[str, bool]:
    middle, ended = split_middle(text, fmt)
    return middle, ended or finish_reason == "stop"
