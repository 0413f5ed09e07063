"""The fill-in-the-middle training transform (Bavarian et al., 2022; Code Llama §2.3).

Each document is transformed with probability `rate` (Code Llama: 0.9); a transformed
document is cut at two character positions drawn uniformly over it (so a part may be
empty) into prefix, middle and suffix, and written in PSM or SPM order with equal
probability (`spm_rate` 0.5) in the sentinels of a format (`infilling.FORMATS`):

    PSM   <PRE> {prefix} <SUF>{suffix} <MID>{middle}<EOT>
    SPM   <PRE> <SUF>{suffix} <MID> {prefix}{middle}<EOT>

(the Code Llama spacing; StarCoder's has none). The rest stay as they were. The draw
for a document depends only on the seed and the document's index, so a `datasets` map
with any number of processes, a rerun, and the command all give the same output:

    from codefrontier.sampling.fim import FimSettings, FimTransform
    dataset = dataset.map(FimTransform(FimSettings(seed=1)), with_indices=True)

    codefrontier fim transform IN.jsonl --out OUT.jsonl --seed 1
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codefrontier.errors import InputError
from codefrontier.problems.io import iter_jsonl, write_jsonl_atomic
from codefrontier.sampling.infilling import FORMATS, InfillOrder, infill_format, infill_prompt
from codefrontier.settings import Settings, in_range, setting


@dataclass(frozen=True)
class FimSettings(Settings):
    section = "fim"

    seed: int = setting(
        0, "the seed; a document's draw depends only on it and the document's index", type=int
    )
    rate: float = setting(0.9, "probability that a document is transformed", type=float, check=in_range(0, 1))
    spm_rate: float = setting(
        0.5, "probability that a transformed document is in SPM order", type=float, check=in_range(0, 1)
    )
    format: str = setting("code-llama", "the sentinels", choices=tuple(FORMATS))
    field: str = setting("text", "the field of each record that holds the document")


@dataclass(frozen=True)
class FimDraw:
    """What the transform did to one document: its order (None: left as it was) and the
    three parts (the document is prefix + middle + suffix)."""

    order: InfillOrder | None
    prefix: str
    middle: str
    suffix: str


def draw(document: str, rng: random.Random, settings: FimSettings) -> FimDraw:
    """Whether to transform, where to cut and in which order, for one document."""
    if rng.random() >= settings.rate:
        return FimDraw(None, document, "", "")
    low, high = sorted(rng.randint(0, len(document)) for _ in range(2))
    order = InfillOrder.SPM if rng.random() < settings.spm_rate else InfillOrder.PSM
    return FimDraw(order, document[:low], document[low:high], document[high:])


def render(drawn: FimDraw, settings: FimSettings) -> str:
    """The training text of a draw."""
    if drawn.order is None:
        return drawn.prefix
    fmt = infill_format(settings.format)
    return infill_prompt(drawn.prefix, drawn.suffix, drawn.order, fmt) + drawn.middle + fmt.end


def rng_for(seed: int, index: int) -> random.Random:
    return random.Random(f"fim:{seed}:{index}")


class FimTransform:
    """A `datasets`-compatible map function (`with_indices=True`): replaces the document
    field by its training text and adds `fim_order` ("psm", "spm" or None)."""

    def __init__(self, settings: FimSettings | None = None) -> None:
        self.settings = settings or FimSettings()

    def __call__(self, example: dict[str, Any], index: int) -> dict[str, Any]:
        document = example[self.settings.field]
        if not isinstance(document, str):
            raise InputError(f"must be text, got {type(document).__name__}", field=self.settings.field)
        drawn = draw(document, rng_for(self.settings.seed, index), self.settings)
        return {
            self.settings.field: render(drawn, self.settings),
            "fim_order": drawn.order.value if drawn.order else None,
        }


def transform_file(source: Path, out: Path, settings: FimSettings) -> dict[str, int]:
    """Transform every record of a JSONL file into `out`, streaming (written to a temporary
    file, renamed at the end: a bad record leaves no output); the counts of each order."""
    transform = FimTransform(settings)
    counts = {"psm": 0, "spm": 0, "none": 0}

    def records() -> Iterator[dict[str, Any]]:
        for index, (line, record) in enumerate(iter_jsonl(source)):
            if settings.field not in record:
                raise InputError("missing", path=source, line=line, field=settings.field)
            try:
                changed = transform(record, index)
            except InputError as exc:
                raise InputError(exc.message, path=source, line=line, field=settings.field) from None
            counts[changed["fim_order"] or "none"] += 1
            yield {**record, **changed}

    write_jsonl_atomic(out, records())
    return counts
