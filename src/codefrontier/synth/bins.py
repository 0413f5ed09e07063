"""Difficulty bins by pass rate (docs/synth.md, "Difficulty bins").

A problem's bin is the first bin, in order, whose closed range holds its pass rate; a
pass rate in no range has no bin. The default (narrow) bins leave gaps between them on
purpose, so that the three sets are clearly apart; the broad bins cover 0.10-0.97.
"""

from __future__ import annotations

from dataclasses import dataclass

from codefrontier.errors import ConfigError


@dataclass(frozen=True)
class Bin:
    name: str
    low: float
    high: float

    def holds(self, pass_rate: float) -> bool:
        return self.low <= pass_rate <= self.high


NARROW = (Bin("easy", 0.81, 0.91), Bin("medium", 0.41, 0.59), Bin("hard", 0.05, 0.16))
BROAD = (
    Bin("easy", 0.85, 0.97),
    Bin("easy-medium", 0.61, 0.85),
    Bin("medium", 0.26, 0.61),
    Bin("hard", 0.10, 0.26),
)
BIN_SETS = {"narrow": NARROW, "broad": BROAD}


def bin_set(name: str) -> tuple[Bin, ...]:
    try:
        return BIN_SETS[name]
    except KeyError:
        raise ConfigError(f"unknown bins {name!r}; choose one of {', '.join(BIN_SETS)}") from None


def bin_of(pass_rate: float | None, bins: tuple[Bin, ...] = NARROW) -> str | None:
    if pass_rate is None:
        return None
    return next((b.name for b in bins if b.holds(pass_rate)), None)


def bin_named(name: str, bins: tuple[Bin, ...]) -> Bin:
    for b in bins:
        if b.name == name:
            return b
    raise ConfigError(f"no bin named {name!r} (bins: {', '.join(b.name for b in bins)})")
