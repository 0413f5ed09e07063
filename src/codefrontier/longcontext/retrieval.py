"""Code Llama's synthetic long-context test (Rozière et al., 2023, §3.3): a Python file of
a given length, made of plain filler functions, holds one function ``f_k`` that returns
a chosen integer; it sits at a chosen depth (0 = the start of the file, 1 = the end). The
prompt is the file followed by ``assert f_k() ==``; the model passes when the integer it
writes next is that one (exact match).

Lengths are in tokens of the model's tokenizer where one is given, else in characters
divided by `CHARS_PER_TOKEN` (an estimate, recorded as such). Everything is a function of
the seed, the length, the depth and the trial: the same grid gives the same files.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

CHARS_PER_TOKEN = 4.0
KEY_NAME = "f_k"
PROMPT_END = f"assert {KEY_NAME}() =="
LEADING_INTEGER = re.compile(r"\s*(-?\d+)")

TEMPLATES = [
    "def {name}(x):\n    return x * {a} + {b}\n",
    "def {name}(values):\n    total = 0\n    for v in values:\n        total += v % {a}\n    return total + {b}\n",
    "def {name}(text):\n    words = text.split()\n    return [w[:{a}] for w in words if len(w) > {b}]\n",
    "def {name}(n):\n    if n < {a}:\n        return n\n    return {name}(n - {a}) + {b}\n",
    "class {cls}:\n    def __init__(self, size={a}):\n        self.items = [0] * size\n\n"
    "    def bump(self, i):\n        self.items[i % len(self.items)] += {b}\n        return self.items\n",
    "def {name}(a, b):\n    # keep the larger, shifted by a constant\n    return max(a, b) - {b} + {a}\n",
]
WORDS = [
    "parse",
    "load",
    "merge",
    "scale",
    "clip",
    "count",
    "render",
    "split",
    "join",
    "score",
    "shift",
    "check",
]


@dataclass(frozen=True)
class Case:
    length: int  # the requested length (tokens)
    depth: float  # where f_k sits, 0..1
    trial: int
    key: int  # what f_k returns
    prompt: str
    key_offset: int  # the character offset of f_k's definition in the prompt

    @property
    def id(self) -> str:
        return f"L{self.length}-d{self.depth:g}-t{self.trial}"


def filler_function(rng: random.Random, index: int) -> str:
    template = rng.choice(TEMPLATES)
    name = f"{rng.choice(WORDS)}_{rng.choice(WORDS)}_{index}"
    cls = "".join(w.title() for w in (rng.choice(WORDS), rng.choice(WORDS))) + str(index)
    return template.format(name=name, cls=cls, a=rng.randint(2, 97), b=rng.randint(1, 999)) + "\n\n"


def make_case(
    length: int, depth: float, trial: int, *, seed: int = 0, count_tokens: Callable[[str], int] | None = None
) -> Case:
    """The file of `length` tokens with f_k at `depth`, and the prompt that ends with
    ``assert f_k() ==``."""
    if not 0.0 <= depth <= 1.0:
        raise ValueError(f"depth must be between 0 and 1, got {depth}")
    rng = random.Random(f"key-retrieval:{seed}:{length}:{depth}:{trial}")
    key = rng.randint(1000, 99999)
    key_code = f"def {KEY_NAME}():\n    return {key}\n\n\n"
    measure = count_tokens or (lambda text: int(len(text) / CHARS_PER_TOKEN))
    budget = length - measure(key_code + PROMPT_END)
    blocks: list[str] = []
    used = 0
    while True:
        block = filler_function(rng, len(blocks))
        cost = measure(block)
        if used + cost > budget and blocks:
            break
        blocks.append(block)
        used += cost
    # the parts were measured one by one: trim on the whole text (token counts do not add up exactly)
    while len(blocks) > 1 and measure("".join(blocks) + key_code + PROMPT_END) > length:
        blocks.pop()
    at = round(depth * len(blocks))
    before, after = "".join(blocks[:at]), "".join(blocks[at:])
    prompt = before + key_code + after + PROMPT_END
    return Case(length, depth, trial, key, prompt, len(before))


def answer_of(completion: str) -> int | None:
    """The integer the model wrote right after the prompt, if any."""
    match = LEADING_INTEGER.match(completion)
    return int(match.group(1)) if match else None


def grid(lengths: list[int], depths: list[float], trials: int, *, seed: int = 0,
         count_tokens: Callable[[str], int] | None = None) -> list[Case]:  # fmt: skip
    return [
        make_case(length, depth, trial, seed=seed, count_tokens=count_tokens)
        for length in lengths
        for depth in depths
        for trial in range(trials)
    ]
