"""Debugger actions: the forward ones stop where a real `bdb.Bdb` stops on the same
program, and the inverse ones undo them (docs/traces.md, "Actions")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from codefrontier.errors import InputError
from codefrontier.traces import Trace, Tracer
from codefrontier.traces.tree import ACTIONS, FORWARD, StateTree, apply

from . import bdb_reference, programs


def queries(trace: Trace, tree: StateTree) -> Iterator[tuple[int, str, Any]]:
    """Every (state, action, arg) worth asking: each forward action from each state, a
    breakpoint on every line the program has, continue with and without breakpoints.
    bdb does not stop at a generator's yields and resumes under next/return, so those two
    are asked only outside generator activations (docs/traces.md)."""
    lines = sorted(set(tree.lines))
    for state in range(len(tree)):
        in_generator = trace.events[tree.activation(state).call].generator
        for action in FORWARD:
            if action in ("step_over", "step_return") and in_generator:
                continue
            if action == "breakpoint":
                for line in lines:
                    yield state, action, line
            elif action == "continue":
                yield state, action, ()
                yield state, action, (lines[-1], lines[0])
            else:
                yield state, action, None


def expected_stop(tree: StateTree, action: str, bdb_stop: Any) -> Any:
    """bdb's answer in the tree's terms: `continue` without a breakpoint left runs to the
    end, which the tree calls its last state."""
    if action == "continue" and bdb_stop is None:
        return tree.last
    return bdb_stop


@pytest.mark.parametrize("name", sorted(programs.ALL))
def test_forward_actions_stop_where_bdb_stops(tracer: Tracer, name: str) -> None:
    code, call = programs.ALL[name]
    trace = tracer.trace(code, call)
    tree = StateTree.of(trace)
    assert len(tree) == bdb_reference.count_events(code, call)  # the same events, counted by bdb
    asked = 0
    for state, action, arg in queries(trace, tree):
        stop = bdb_reference.stop_after(code, call, state, action, arg)
        mine = apply(tree, state, action, arg)
        if action == "continue" and state == tree.last:
            assert mine is None
            continue
        assert mine == expected_stop(tree, action, stop), (state, action, arg)
        asked += 1
    assert asked > 5 * len(tree)


def test_bdb_and_the_tree_differ_only_at_generator_yields(tracer: Tracer) -> None:
    code, call = programs.GENERATOR
    trace = tracer.trace(code, call)
    tree = StateTree.of(trace)
    yield_line = next(e.line for e in trace.events if e.kind == "return" and e.depth == 1)
    state = next(i for i, e in enumerate(trace.events) if e.kind == "line" and e.line == yield_line)
    assert trace.events[apply(tree, state, "step_over")].kind == "return"  # the yield
    assert bdb_reference.stop_after(code, call, state, "step_over") != apply(tree, state, "step_over")


def all_traces(tracer: Tracer) -> Iterator[tuple[str, StateTree]]:
    for name, (code, call) in sorted(programs.ALL.items()):
        yield name, StateTree.of(tracer.trace(code, call))


# Where an action followed by its inverse returns to the start (and the inverse followed
# by the action): the starts of the kind the other one stops at.
UNDO_FROM = {
    "step_into": lambda tree, s: True,
    "step_over": lambda tree, s: tree.kinds[s] != "return",
    "step_return": lambda tree, s: tree.kinds[s] == "call",
    "breakpoint": lambda tree, s: tree.kinds[s] == "line",
}
REDO_FROM = {
    "inv_step_into": lambda tree, s: True,
    "inv_step_over": lambda tree, s: tree.kinds[s] != "call",
    "inv_step_return": lambda tree, s: tree.kinds[s] == "return",
    "inv_breakpoint": lambda tree, s: tree.kinds[s] == "line",
}


def test_an_action_followed_by_its_inverse_returns_to_the_start(tracer: Tracer) -> None:
    checked = 0
    for name, tree in all_traces(tracer):
        for action, applies in {**UNDO_FROM, **REDO_FROM}.items():
            inverse = ACTIONS[action].inverse
            for s in range(len(tree)):
                if not applies(tree, s):
                    continue
                arg = tree.lines[s] if ACTIONS[action].arg == "line" else None
                t = apply(tree, s, action, arg)
                if t is None:
                    continue
                assert apply(tree, t, inverse, arg) == s, (name, action, s, t)
                checked += 1
    assert checked > 300


def test_inverse_actions_are_the_forward_ones_on_the_reversed_trace(tracer: Tracer) -> None:
    for _, tree in all_traces(tracer):
        for s in range(len(tree)):
            back = apply(tree, s, "inv_step_into")
            assert back == (s - 1 if s else None)
            over = apply(tree, s, "inv_step_over")
            if tree.kinds[s] != "call":
                assert over is not None and over < s and tree.activation(over) == tree.activation(s)
                assert all(tree.activation(k) != tree.activation(s) for k in range(over + 1, s))
            ret = apply(tree, s, "inv_step_return")
            if tree.kinds[s] != "call":
                assert ret == tree.activation(s).call
            for line in set(tree.lines):
                prev = apply(tree, s, "inv_breakpoint", line)
                visits = [k for k in range(s) if tree.kinds[k] == "line" and tree.lines[k] == line]
                assert prev == (visits[-1] if visits else None)


def test_the_tree_depth_is_the_call_depth(tracer: Tracer) -> None:
    trace = tracer.trace(*programs.RECURSION)
    tree = StateTree.of(trace)
    assert [tree.depth(s) for s in range(len(tree))] == [e.depth for e in trace.events]
    assert len(tree.activations) == 3


def test_actions_refuse_states_outside_the_trace(tracer: Tracer) -> None:
    tree = StateTree.of(tracer.trace(*programs.RECURSION))
    with pytest.raises(InputError, match="not in this trace"):
        apply(tree, len(tree), "step_into")
    with pytest.raises(InputError, match="unknown debugger action"):
        apply(tree, 0, "jump")
