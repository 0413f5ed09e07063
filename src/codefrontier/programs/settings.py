"""The settings of `codefrontier programs`, declared once with `codefrontier.settings`
(light: the CLI imports this module to build its parser)."""

from __future__ import annotations

from dataclasses import dataclass

from codefrontier.settings import Settings, at_least, positive, setting


@dataclass
class FuzzConfig(Settings):
    """How a suite is fuzzed (`tests` and `seed` are flags of `codefrontier programs fuzz`)."""

    tests: int = setting(40, "tests to keep", check=at_least(1))
    seed: int = setting(0, "fuzzing seed")
    candidates: int | None = setting(
        None, "candidates run on the reference (default: 5 per test)", check=at_least(1), cli=False
    )
    repeat: int = setting(
        3, "runs of each candidate; outputs that still differ are unstable", check=at_least(1), cli=False
    )
    timeout_s: float = setting(5.0, "seconds per run of a candidate", check=positive, cli=False)
    max_output: int = setting(
        32 << 10, "bytes of output a kept candidate may write", check=at_least(1), cli=False
    )
