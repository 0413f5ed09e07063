"""The state tree of a trace and the debugger actions on it (docs/traces.md, "Actions").

A *state* is an event of the trace (its index): where a debugger can stop. Events group
into *activations*, one per call event up to its return event (a generator's every
resume is an activation of its own, as in the trace); an activation's parent is the one
that was running when it was called, so the tree's depth is the call depth.

Forward actions are pure functions ``(tree, state[, arg]) -> state | None`` (None: the
action has no stop left: the program would run to its end):

* `step_into` — the next event, wherever it is (pdb ``step``).
* `step_over` — the next event of the same activation, calls in between run through
  (pdb ``next``); from a return event, the next event (the debugger is back in step mode).
* `step_return` — the return event of the current activation (pdb ``return``); from a
  return event, the next event of the caller.
* `breakpoint(line)` — the next line event at `line`, at any depth.
* `continue_(lines)` — the next line event at one of `lines`, else the last event.

These are the stops of `bdb.Bdb` (`set_step`, `set_next`, `set_return`, `set_break` +
`set_continue`) on the same program; tests check it stop by stop. (bdb does not stop at a
generator's yields and resumes under ``next`` and ``return``; the trace's activations do.)

Inverse actions are the same definitions on the reversed trace, where a return event
opens an activation and its call event closes it: `inv_step_into` (the previous event),
`inv_step_over` (the previous event of the same activation; from a call event, the
previous event), `inv_step_return` (the call event of the activation; from a call event,
the previous event of the caller) and `inv_breakpoint(line)` (the previous visit of
`line`). An action followed by its inverse returns to the start from every start of the
kind the inverse stops at: `step_into` from any event, `step_over` from any event but a
return, `step_return` from a call event, `breakpoint(line)` from a visit of `line` (and
the inverse followed by the action likewise: `inv_step_over` from any event but a call,
`inv_step_return` from a return event). From other starts no function of the state alone
could: a breakpoint reached from anywhere before it cannot know where the run began.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from codefrontier.errors import InputError


@dataclass(frozen=True)
class Activation:
    """One call of a function: its call event, its return event (None when the trace was
    cut before it), its parent activation (None at the top) and its events in order."""

    call: int
    ret: int | None
    parent: int | None
    events: tuple[int, ...]


class StateTree:
    """States and activations of one trace, with the lookups the actions need."""

    def __init__(self, kinds: Sequence[str], lines: Sequence[int]) -> None:
        if len(kinds) != len(lines):
            raise ValueError("kinds and lines differ in length")
        self.kinds = tuple(kinds)
        self.lines = tuple(lines)
        n = len(kinds)
        self.activation_of: list[int] = [0] * n  # the call event index of each event's activation
        members: dict[int, list[int]] = {}
        parents: dict[int, int | None] = {}
        returns: dict[int, int | None] = {}
        stack: list[int] = []
        for i, kind in enumerate(kinds):
            if kind == "call":
                parents[i] = stack[-1] if stack else None
                returns[i] = None
                members[i] = []
                stack.append(i)
            elif not stack:
                raise InputError(f"event {i} ({kind}) happens outside any call: not a trace of one call")
            active = stack[-1]
            self.activation_of[i] = active
            members[active].append(i)
            if kind == "return":
                returns[active] = i
                stack.pop()
        self.activations = {c: Activation(c, returns[c], parents[c], tuple(members[c])) for c in members}
        # Line events per line number, in order: breakpoints are binary searches.
        self.visits: dict[int, list[int]] = {}
        for i, kind in enumerate(kinds):
            if kind == "line":
                self.visits.setdefault(lines[i], []).append(i)
        self._position = {i: k for a in self.activations.values() for k, i in enumerate(a.events)}

    @classmethod
    def of(cls, trace: Any) -> StateTree:
        """The tree of a `Trace` (or anything with `.events` having `.kind` and `.line`)."""
        return cls([e.kind for e in trace.events], [e.line for e in trace.events])

    def __len__(self) -> int:
        return len(self.kinds)

    @property
    def last(self) -> int | None:
        return len(self.kinds) - 1 if self.kinds else None

    def activation(self, state: int) -> Activation:
        return self.activations[self.activation_of[state]]

    def depth(self, state: int) -> int:
        depth = 0
        parent = self.activation(state).parent
        while parent is not None:
            depth += 1
            parent = self.activations[parent].parent
        return depth

    def next_in_activation(self, state: int) -> int | None:
        events = self.activation(state).events
        k = self._position[state] + 1
        return events[k] if k < len(events) else None

    def previous_in_activation(self, state: int) -> int | None:
        k = self._position[state] - 1
        return self.activation(state).events[k] if k >= 0 else None

    def next_in(self, activation: int | None, after: int) -> int | None:
        """The first event of `activation` after index `after`."""
        if activation is None:
            return None
        events = self.activations[activation].events
        k = bisect.bisect_right(events, after)
        return events[k] if k < len(events) else None

    def previous_in(self, activation: int | None, before: int) -> int | None:
        if activation is None:
            return None
        events = self.activations[activation].events
        k = bisect.bisect_left(events, before) - 1
        return events[k] if k >= 0 else None

    def check(self, state: int) -> None:
        if not 0 <= state < len(self.kinds):
            raise InputError(f"state {state} is not in this trace (0..{len(self.kinds) - 1})")


# ----------------------------------------------------------------------------- forward


def step_into(tree: StateTree, state: int) -> int | None:
    tree.check(state)
    return state + 1 if state + 1 < len(tree) else None


def step_over(tree: StateTree, state: int) -> int | None:
    tree.check(state)
    if tree.kinds[state] == "return":
        return step_into(tree, state)
    return tree.next_in_activation(state)


def step_return(tree: StateTree, state: int) -> int | None:
    tree.check(state)
    act = tree.activation(state)
    if tree.kinds[state] == "return":
        return tree.next_in(act.parent, state)
    return act.ret


def breakpoint(tree: StateTree, state: int, line: int) -> int | None:  # noqa: A001 - the debugger's word
    tree.check(state)
    visits = tree.visits.get(line, [])
    k = bisect.bisect_right(visits, state)
    return visits[k] if k < len(visits) else None


def continue_(tree: StateTree, state: int, lines: Sequence[int] = ()) -> int | None:
    tree.check(state)
    stops = [s for s in (breakpoint(tree, state, line) for line in lines) if s is not None]
    if stops:
        return min(stops)
    return tree.last if state != tree.last else None


# ----------------------------------------------------------------------------- inverse


def inv_step_into(tree: StateTree, state: int) -> int | None:
    tree.check(state)
    return state - 1 if state > 0 else None


def inv_step_over(tree: StateTree, state: int) -> int | None:
    tree.check(state)
    if tree.kinds[state] == "call":
        return inv_step_into(tree, state)
    return tree.previous_in_activation(state)


def inv_step_return(tree: StateTree, state: int) -> int | None:
    tree.check(state)
    act = tree.activation(state)
    if tree.kinds[state] == "call":
        return tree.previous_in(act.parent, state)
    return act.call


def inv_breakpoint(tree: StateTree, state: int, line: int) -> int | None:
    tree.check(state)
    visits = tree.visits.get(line, [])
    k = bisect.bisect_left(visits, state) - 1
    return visits[k] if k >= 0 else None


# ----------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Action:
    """A debugger action: `run(tree, state, arg)`. `arg` is a line number (breakpoints), a
    tuple of line numbers (continue) or None."""

    name: str
    function: Callable[..., int | None]
    arg: str | None  # None | "line" | "lines"
    inverse: str | None  # the name of its inverse action
    forward: bool

    def run(self, tree: StateTree, state: int, arg: Any = None) -> int | None:
        if self.arg is None:
            return self.function(tree, state)
        if self.arg == "line":
            return self.function(tree, state, int(arg))
        return self.function(tree, state, tuple(arg or ()))


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("step_into", step_into, None, "inv_step_into", True),
        Action("step_over", step_over, None, "inv_step_over", True),
        Action("step_return", step_return, None, "inv_step_return", True),
        Action("breakpoint", breakpoint, "line", "inv_breakpoint", True),
        Action("continue", continue_, "lines", None, True),
        Action("inv_step_into", inv_step_into, None, "step_into", False),
        Action("inv_step_over", inv_step_over, None, "step_over", False),
        Action("inv_step_return", inv_step_return, None, "step_return", False),
        Action("inv_breakpoint", inv_breakpoint, "line", "breakpoint", False),
    )
}
FORWARD = tuple(name for name, a in ACTIONS.items() if a.forward)
INVERSE = tuple(name for name, a in ACTIONS.items() if not a.forward)


def apply(tree: StateTree, state: int, action: str, arg: Any = None) -> int | None:
    """Run the action named `action` (a key of ACTIONS)."""
    try:
        chosen = ACTIONS[action]
    except KeyError:
        raise InputError(f"unknown debugger action {action!r}; known: {', '.join(ACTIONS)}") from None
    return chosen.run(tree, state, arg)
