"""The progression rule, the difficulty bins, the viability filter and deduplication."""

from __future__ import annotations

import pytest

from codefrontier.synth.bins import BROAD, NARROW, bin_of
from codefrontier.synth.dedup import ast_key, dedup
from codefrontier.synth.filtering import ViableRange, yield_by_turn
from codefrontier.synth.progression import DEFAULT_PROGRESSION, Instruction
from codefrontier.synth.task import SynthTask


@pytest.mark.parametrize(
    ("pass_rate", "instruction"),
    [
        (1.0, Instruction.HARDER),
        (0.66, Instruction.HARDER),
        (0.65, Instruction.AIM),  # not above 0.65
        (0.5, Instruction.AIM),
        (0.35, Instruction.AIM),
        (0.03, Instruction.AIM),  # some signal: aim, slightly easier
        (0.0, Instruction.EASIER),
        (None, Instruction.FIX),  # the answer was rejected
    ],
)
def test_the_progression_rule(pass_rate, instruction):
    assert DEFAULT_PROGRESSION.next(pass_rate) is instruction


def test_the_instruction_text_asks_for_the_target_band():
    assert "harder" in DEFAULT_PROGRESSION.text(
        Instruction.HARDER, 0.9
    ) and "0.35-0.65" in DEFAULT_PROGRESSION.text(Instruction.HARDER, 0.9)
    assert "easier" in DEFAULT_PROGRESSION.text(Instruction.EASIER, 0.0)
    assert "slightly easier" in DEFAULT_PROGRESSION.text(Instruction.AIM, 0.1)
    assert "about right" in DEFAULT_PROGRESSION.text(Instruction.AIM, 0.5)


@pytest.mark.parametrize(
    ("pass_rate", "narrow", "broad"),
    [
        (0.97, None, "easy"),
        (0.91, "easy", "easy"),
        (0.85, "easy", "easy"),  # a shared boundary goes to the first bin
        (0.81, "easy", "easy-medium"),
        (0.7, None, "easy-medium"),
        (0.59, "medium", "medium"),
        (0.41, "medium", "medium"),
        (0.3, None, "medium"),
        (0.16, "hard", "hard"),
        (0.05, "hard", None),
        (0.0, None, None),
        (None, None, None),
    ],
)
def test_bins_by_pass_rate(pass_rate, narrow, broad):
    assert bin_of(pass_rate, NARROW) == narrow
    assert bin_of(pass_rate, BROAD) == broad


def test_the_viability_filter_is_strict_at_both_ends():
    viable = ViableRange()
    assert [viable.holds(p) for p in (0.0, 0.01, 0.02, 0.5, 0.96, 0.97, 1.0, None)] == [
        False, False, True, True, True, False, False, False,
    ]  # fmt: skip


def task(program: str, inputs=((1,),), env: str = "induction", id: str = "t") -> SynthTask:
    return SynthTask(id, env, program, list(inputs), [0] * len(inputs), "hint")


ORIGINAL = '''
def f(values, limit):
    """Sum the values under the limit."""
    total = 0
    for v in values:
        if v < limit:
            total += v * 2
    return total
'''
RENAMED = """
def f(xs, cap):
    acc = 0
    for item in xs:
        if item < cap:
            acc += item * 3
    return acc
"""
DIFFERENT = ORIGINAL.replace("v < limit", "v > limit")
OTHER_BUILTIN = "def f(xs):\n    return max(xs)\n"
SAME_SHAPE = "def f(ys):\n    return min(ys)\n"


def test_renamed_copies_with_other_constants_are_duplicates():
    assert ast_key(ORIGINAL) == ast_key(RENAMED)
    assert ast_key(ORIGINAL) != ast_key(DIFFERENT)
    assert ast_key(OTHER_BUILTIN) != ast_key(SAME_SHAPE)  # builtins keep their names


def test_dedup_drops_exact_and_ast_duplicates_and_keeps_the_first():
    tasks = [
        task(ORIGINAL, id="a"),
        task(ORIGINAL, id="b"),  # exact copy
        task(RENAMED, id="c"),  # renamed, other literal
        task(DIFFERENT, id="d"),
        task(ORIGINAL, id="e", env="deduction"),  # another environment is another problem
    ]
    kept, dropped = dedup(tasks, lambda t: t)
    assert [t.id for t in kept] == ["a", "d", "e"]
    assert dropped == {"exact": 1, "ast": 1}


def test_yield_by_turn_counts_viable_unique_problems_per_turn():
    rows = [
        {"turn": 1, "task_id": "a", "pass_rate": 1.0},
        {"turn": 1, "task_id": None, "pass_rate": None, "rejection": "no_f"},
        {"turn": 2, "task_id": "b", "pass_rate": 0.5},
        {"turn": 2, "task_id": "c", "pass_rate": 0.4},
    ]
    report = yield_by_turn(rows, ViableRange(), {"b"})
    assert report[0] == {
        "turn": 1, "answers": 2, "accepted": 1, "viable": 0, "viable_unique": 0, "yield": 0.0,
        "rejections": {"no_f": 1},
    }  # fmt: skip
    assert report[1]["viable"] == 2 and report[1]["viable_unique"] == 1 and report[1]["yield"] == 1.0
