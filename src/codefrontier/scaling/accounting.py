"""Compute accounting: what every method spent, so that methods are compared at equal
cost.

Each paid-for artifact (a rollout, a summary, a vote, the generated inputs of the
majority vote) carries a `Cost`: tokens in and out and model calls per role, the wall
time of its model calls and sandbox runs, and the sandbox CPU time it used. A method's
cost on a task is the sum over the DISTINCT artifacts it used (a rollout that two stages
of one method read is paid once). Judging the final programs on the hidden tests is
the evaluation, not part of any method, and is never charged.

Roles: `generator` (the agent's rollouts), `summarizer`, `judge` (tournament votes) and
`verifier` (inputs written for the majority vote).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

ROLES = ("generator", "summarizer", "judge", "verifier")


@dataclass
class Cost:
    """Tokens and calls per role, wall seconds and sandbox CPU seconds."""

    prompt_tokens: dict[str, int] = field(default_factory=dict)
    completion_tokens: dict[str, int] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0
    sandbox_cpu_s: float = 0.0

    @classmethod
    def of(
        cls,
        role: str,
        *,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        calls: int = 0,
        wall_s: float = 0.0,
        sandbox_cpu_s: float = 0.0,
    ) -> Cost:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        return cls({role: prompt_tokens}, {role: completion_tokens}, {role: calls}, wall_s, sandbox_cpu_s)

    def __add__(self, other: Cost) -> Cost:
        def merge(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
            return {r: a.get(r, 0) + b.get(r, 0) for r in ROLES if r in a or r in b}

        return Cost(
            merge(self.prompt_tokens, other.prompt_tokens),
            merge(self.completion_tokens, other.completion_tokens),
            merge(self.calls, other.calls),
            self.wall_s + other.wall_s,
            self.sandbox_cpu_s + other.sandbox_cpu_s,
        )

    def tokens(self, role: str | None = None) -> int:
        """Prompt plus completion tokens of one role, or of all."""
        roles = ROLES if role is None else (role,)
        return sum(self.prompt_tokens.get(r, 0) + self.completion_tokens.get(r, 0) for r in roles)

    def total_calls(self) -> int:
        return sum(self.calls.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "tokens": {r: self.tokens(r) for r in ROLES},
            "prompt_tokens": dict(self.prompt_tokens),
            "completion_tokens": dict(self.completion_tokens),
            "calls": dict(self.calls),
            "wall_s": self.wall_s,  # unrounded: a cost read back from a cache sums to the same total
            "sandbox_cpu_s": self.sandbox_cpu_s,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Cost:
        return cls(
            dict(data.get("prompt_tokens", {})),
            dict(data.get("completion_tokens", {})),
            dict(data.get("calls", {})),
            float(data.get("wall_s", 0.0)),
            float(data.get("sandbox_cpu_s", 0.0)),
        )


class Ledger:
    """The artifacts one method used on one task, each counted once."""

    def __init__(self) -> None:
        self._items: dict[str, Cost] = {}

    def charge(self, key: str, cost: Cost) -> None:
        self._items.setdefault(key, cost)

    def extend(self, other: Ledger) -> None:
        for key, cost in other._items.items():
            self.charge(key, cost)

    @property
    def total(self) -> Cost:
        total = Cost()
        for cost in self._items.values():
            total = total + cost
        return total

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class Point:
    """One method at one size: mean cost per task and the solve rate over tasks."""

    method: str
    n: int  # rollouts it chose from (or drew, for refinement)
    tokens: float  # mean tokens per task, all roles
    solve_rate: float
    tasks: int
    calls: float = 0.0
    wall_s: float = 0.0
    sandbox_cpu_s: float = 0.0


def mean_point(method: str, n: int, costs: Sequence[Cost], solved: Sequence[bool]) -> Point:
    """The mean over tasks of one method's costs and outcomes."""
    count = len(costs)
    if count == 0:
        return Point(method, n, math.nan, math.nan, 0)
    return Point(
        method,
        n,
        sum(c.tokens() for c in costs) / count,
        sum(solved) / count,
        count,
        sum(c.total_calls() for c in costs) / count,
        sum(c.wall_s for c in costs) / count,
        sum(c.sandbox_cpu_s for c in costs) / count,
    )


@dataclass(frozen=True)
class AtCost:
    """A method's solve rate read off its curve at a given token cost."""

    method: str
    tokens: float  # the cost asked about
    solve_rate: float
    how: str  # measured | interpolated | beyond (past the method's costliest point) | below (under its cheapest)
    at_tokens: float  # the cost of the point read (interpolated: the cost asked about)


def solve_rate_at(points: Iterable[Point], tokens: float, *, tolerance: float = 0.05) -> AtCost:
    """Linear interpolation in tokens between a method's measured points. A point within
    `tolerance` (relative) of the cost counts as measured there. Past the costliest point
    its rate is given and marked `beyond` (more compute was not measured, and is not
    assumed to help); under the cheapest, `below` and NaN."""
    curve = sorted((p for p in points if not math.isnan(p.tokens)), key=lambda p: (p.tokens, p.n))
    if not curve:
        raise ValueError("no points")
    method = curve[0].method
    nearest = min(curve, key=lambda p: abs(p.tokens - tokens))
    if abs(nearest.tokens - tokens) <= tolerance * max(abs(tokens), 1e-12):
        return AtCost(method, tokens, nearest.solve_rate, "measured", nearest.tokens)
    if tokens > curve[-1].tokens:
        return AtCost(method, tokens, curve[-1].solve_rate, "beyond", curve[-1].tokens)
    if tokens < curve[0].tokens:
        return AtCost(method, tokens, math.nan, "below", curve[0].tokens)
    for low, high in zip(curve, curve[1:], strict=False):
        if low.tokens <= tokens <= high.tokens:
            t = (tokens - low.tokens) / (high.tokens - low.tokens)
            rate = low.solve_rate + t * (high.solve_rate - low.solve_rate)
            return AtCost(method, tokens, rate, "interpolated", tokens)
    raise AssertionError("unreachable")


def equal_cost(points: Sequence[Point], reference: str) -> list[AtCost]:
    """Every method's solve rate at the token cost of `reference`'s costliest point."""
    by_method: dict[str, list[Point]] = {}
    for p in points:
        by_method.setdefault(p.method, []).append(p)
    if reference not in by_method:
        raise ValueError(f"no points for the reference method {reference!r}")
    target = max(by_method[reference], key=lambda p: p.tokens)
    return [solve_rate_at(curve, target.tokens) for method, curve in sorted(by_method.items())]
