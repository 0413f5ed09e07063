"""The viability filter and the yield report (docs/synth.md, "Filtering").

A problem is viable when its measured pass rate p satisfies low < p < high (default
0.01 < p < 0.97): some attempts pass and some fail, so it carries a learning signal.
The yield of a turn is how many of the problems the teacher was asked for at that turn
came out viable (and unique).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from codefrontier.errors import ConfigError


@dataclass(frozen=True)
class ViableRange:
    low: float = 0.01
    high: float = 0.97

    def __post_init__(self) -> None:
        if not 0 <= self.low < self.high <= 1:
            raise ConfigError(f"the viable range needs 0 <= low < high <= 1, got {self.low} and {self.high}")

    def holds(self, pass_rate: float | None) -> bool:
        return pass_rate is not None and self.low < pass_rate < self.high


def yield_by_turn(
    rows: Iterable[dict[str, Any]], viable: ViableRange, unique_ids: set[str] | None = None
) -> list[dict[str, Any]]:
    """Per turn: teacher answers, accepted problems, viable ones (and viable after
    deduplication when `unique_ids` is given), the yield (viable / answers) and the
    rejections by reason. `rows` are turn summaries: turn, task_id, pass_rate, rejection."""
    per: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = per.setdefault(
            int(row["turn"]),
            {"turn": int(row["turn"]), "answers": 0, "accepted": 0, "viable": 0, "rejections": Counter()},
        )
        entry["answers"] += 1
        if row.get("rejection"):
            entry["rejections"][row["rejection"]] += 1
            continue
        entry["accepted"] += 1
        if viable.holds(row.get("pass_rate")):
            entry["viable"] += 1
            if unique_ids is not None and row.get("task_id") in unique_ids:
                entry["viable_unique"] = entry.get("viable_unique", 0) + 1
    out = []
    for turn in sorted(per):
        entry = per[turn]
        if unique_ids is not None:
            entry.setdefault("viable_unique", 0)
        entry["yield"] = round(entry["viable"] / entry["answers"], 4) if entry["answers"] else 0.0
        entry["rejections"] = dict(sorted(entry["rejections"].items()))
        out.append(entry)
    return out
