"""Nested coverage levels (DESIGN.md, "Nested coverage").

Tests are ordered by `size` (stable, ties broken by id). Coverage level `c` in (0, 1]
is the smallest ceil(c * n) tests; a named tier is every test whose tier is that tier
or a smaller one. Levels are nested: passing one implies passing every smaller one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from codefrontier.contracts import Problem, TestCase
from codefrontier.errors import ConfigError


def sorted_tests(problem: Problem) -> list[TestCase]:
    """The problem's tests smallest first: by size, ties by id (numeric ids numerically)."""
    return sorted(problem.tests, key=lambda t: (t.size, _id_key(t.id)))


def _id_key(test_id: str) -> tuple[int, int, str]:
    return (0, int(test_id), "") if test_id.isdigit() else (1, 0, test_id)


@dataclass(frozen=True)
class Level:
    """One nested coverage level: its name, the fraction of tests it covers, its tests."""

    name: str
    fraction: float
    tests: tuple[TestCase, ...]


def parse_level(spec: str | float) -> str | float:
    """A level given on the command line: a fraction like 0.5 or a tier name like `medium`."""
    if isinstance(spec, float | int):
        value = float(spec)
    else:
        try:
            value = float(spec)
        except ValueError:
            return spec
    if not 0 < value <= 1:
        raise ConfigError(f"coverage level must be in (0, 1] or a tier name, got {spec!r}")
    return value


def level_tests(problem: Problem, level: str | float) -> list[TestCase]:
    """Tests of coverage level `level` (a fraction or a tier name), smallest first."""
    ordered = sorted_tests(problem)
    if isinstance(level, str):
        if level not in problem.tiers:
            raise ConfigError(
                f"problem {problem.id!r} has no tier {level!r}"
                + (
                    f" (tiers: {', '.join(problem.tiers)})"
                    if problem.tiers
                    else " (it has no named tiers; use a fraction)"
                )
            )
        allowed = set(problem.tiers[: problem.tiers.index(level) + 1])
        return [t for t in ordered if t.tier in allowed]
    return ordered[: ceil_count(level, len(ordered))]


def levels(problem: Problem, fractions: Sequence[float] | None = None) -> list[Level]:
    """The nested levels of a problem: by named tier when it has tiers (and no fractions
    are asked for), otherwise by the given fractions (default quarters)."""
    ordered = sorted_tests(problem)
    n = len(ordered)
    out: list[Level] = []
    if problem.tiers and fractions is None:
        for tier in problem.tiers:
            tests = tuple(level_tests(problem, tier))
            if tests:
                out.append(Level(tier, len(tests) / n, tests))
        return out
    for c in fractions or (0.25, 0.5, 0.75, 1.0):
        tests = tuple(ordered[: ceil_count(c, n)])
        out.append(Level(f"{c:g}", c, tests))
    return out


def highest_passed_prefix(ordered_ids: Sequence[str], ac_ids: set[str]) -> int:
    """Length of the longest prefix of the ordered tests that are all AC."""
    count = 0
    for tid in ordered_ids:
        if tid not in ac_ids:
            break
        count += 1
    return count


def highest_level(problem: Problem, ac_ids: set[str]) -> tuple[float, str | None]:
    """The highest coverage level a sample passes: (fraction of the ordered suite that is
    an all-AC prefix, name of the highest fully passed tier or None)."""
    ordered = sorted_tests(problem)
    prefix = highest_passed_prefix([t.id for t in ordered], ac_ids)
    tier_name = None
    for tier in problem.tiers:
        tests = level_tests(problem, tier)
        if tests and all(t.id in ac_ids for t in tests):
            tier_name = tier
        else:
            break
    return (prefix / len(ordered) if ordered else 0.0), tier_name


def ceil_count(fraction: float, n: int) -> int:
    """Number of tests in coverage level `fraction` of a suite of n tests."""
    if not 0 < fraction <= 1:
        raise ValueError(f"coverage level must be in (0, 1], got {fraction}")
    return min(n, max(1, math.ceil(fraction * n - 1e-9)))
