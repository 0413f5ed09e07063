"""How the judge makes verdicts: one settings class (codefrontier/settings.py), whose fields
are the `judge` command's flags, the `[judge]` table of an experiment file and the
Python API's keyword arguments alike. Settings that change verdicts are recorded in a
results store's provenance, and a store made with other values cannot be resumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from codefrontier.contracts import Problem
from codefrontier.problems.levels import parse_level
from codefrontier.sandbox.isolation import LEVELS
from codefrontier.sandbox.worker import Limits
from codefrontier.settings import Settings, at_least, positive, setting

DEFAULT_MAX_CODE_BYTES = (
    256 << 10
)  # a program larger than this is refused before judging (judge and service alike)


class Mode(StrEnum):
    ALL = "all"  # run every test (the frontier needs to see past the first failure)
    FIRST_FAIL = "first-fail"  # stop at the first failing test (rewards)


def _level(value: Any) -> str | float | None:
    return None if value is None else parse_level(value)


def _whole(low: int):
    def check(value: Any) -> str | None:
        return (
            None
            if isinstance(value, int) and not isinstance(value, bool) and value >= low
            else f"must be a whole number >= {low}"
        )

    return check


@dataclass
class JudgeConfig(Settings):
    section = "judge"

    mode: Mode = setting(
        Mode.ALL,
        "all: run every test (the frontier needs it); first-fail: stop at the first failure",
        type=Mode,
        choices=list(Mode),
    )
    level: str | float | None = setting(
        None,
        "judge only this coverage level: a fraction like 0.5 or a tier name",
        type=_level,
        metavar="LEVEL",
    )
    time_scale: float = setting(
        1.0,
        "multiply every time limit (e.g. for a slower machine); recorded in provenance",
        type=float,
        check=positive,
    )
    wall_factor: float = setting(
        3.0, "wall-clock backstop = factor x CPU limit + 1 s", type=float, check=at_least(1.0)
    )
    output_limit_mb: int = setting(
        64, "output cap per test in MiB (at least twice the answer)", type=int, check=_whole(1)
    )
    isolation: str = setting(
        "auto",
        "sandbox isolation level (default: the strongest available; see `codefrontier doctor`)",
        choices=("auto", *LEVELS),
    )
    retries: int = setting(
        2, "extra attempts after an internal error of the judge", type=int, check=_whole(0)
    )
    tmpfs_mb: int = setting(512, "size of a run's scratch directory in MiB", type=int, check=_whole(1))
    max_code_bytes: int = setting(
        DEFAULT_MAX_CODE_BYTES,
        "largest program accepted, in bytes (a larger one is refused with a clear error before judging)",
        type=int,
        check=_whole(1),
    )

    def limits_for(self, problem: Problem, language: str, expected_bytes: int = 0) -> Limits:
        cpu = problem.time_limit_for(language) * self.time_scale
        output = max(self.output_limit_mb << 20, 2 * expected_bytes + (1 << 20))
        return Limits(
            cpu_s=cpu, wall_s=cpu * self.wall_factor + 1.0, memory_mb=problem.memory_mb, output_bytes=output
        )
