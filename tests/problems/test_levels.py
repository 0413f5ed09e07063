"""Nested coverage levels: ordering, fractions, tiers, and the highest level passed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from codefrontier.contracts import Problem, ProblemKind, TestCase
from codefrontier.problems.levels import highest_level, level_tests, levels, sorted_tests


def tiered(sizes_by_tier: dict[str, list[int]]) -> Problem:
    tests = [
        TestCase(id=f"{tier}-{i}", input="", output="", size=size, tier=tier)
        for tier, sizes in sizes_by_tier.items()
        for i, size in enumerate(sizes)
    ]
    return Problem(id="p", kind=ProblemKind.STDIO, statement="", tests=tests, tiers=list(sizes_by_tier))


def test_tests_are_ordered_by_size_then_numeric_id():
    tests = [TestCase(id=i, input="", output="", size=s) for i, s in (("10", 5), ("9", 5), ("2", 1))]
    problem = Problem(id="p", kind=ProblemKind.STDIO, statement="", tests=tests)
    assert [t.id for t in sorted_tests(problem)] == ["2", "9", "10"]


def test_fraction_level_is_the_smallest_ceil_c_n_tests():
    problem = tiered({"all": [50, 10, 40, 20, 30]})
    assert [t.size for t in level_tests(problem, 0.5)] == [10, 20, 30]  # ceil(2.5) = 3
    assert [t.size for t in level_tests(problem, 1.0)] == [10, 20, 30, 40, 50]
    assert len(level_tests(problem, 0.01)) == 1


def test_named_tier_level_includes_every_smaller_tier():
    problem = tiered({"tiny": [1, 2], "small": [10], "large": [100, 200]})
    assert [t.id for t in level_tests(problem, "small")] == ["tiny-0", "tiny-1", "small-0"]
    assert [lv.name for lv in levels(problem)] == ["tiny", "small", "large"]


def test_highest_level_is_the_all_ac_prefix_and_the_last_full_tier():
    problem = tiered({"tiny": [1, 2], "small": [10], "large": [100, 200]})
    assert highest_level(problem, {"tiny-0", "tiny-1", "small-0", "large-1"}) == (3 / 5, "small")
    assert highest_level(problem, {"tiny-1"}) == (0.0, None)


@given(
    sizes=st.lists(st.integers(0, 1000), min_size=1, max_size=30),
    a=st.floats(0.01, 1.0),
    b=st.floats(0.01, 1.0),
)
def test_levels_are_nested(sizes, a, b):
    problem = tiered({"t": sizes})
    low, high = sorted((a, b))
    small = {t.id for t in level_tests(problem, low)}
    large = {t.id for t in level_tests(problem, high)}
    assert small <= large
