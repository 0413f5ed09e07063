"""Assert problems judge as the datasets' own harnesses do (HumanEval's `check`, MBPP's
asserts run in one namespace with the solution), although the test code runs in a
harness process and the solution in another: arguments the solution mutates, lambdas the
test passes, builtin results, objects of the solution's classes, type arguments, the
modules the solution imports and `re.Match` results all behave as in one process.

Each test here is a correct program that a narrower protocol judged wrong, next to a
wrong one that must stay wrong. Both run in every mode (all tests in one request, and one
test at a time): the verdicts must not depend on it.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from judge_kit import assert_problem, sample, verdicts

from codefrontier.contracts import Problem, Verdict
from codefrontier.judge.config import JudgeConfig, Mode
from codefrontier.judge.runner import SampleJudge

_ids = itertools.count()


@pytest.fixture(scope="module", params=[Mode.ALL, Mode.FIRST_FAIL], ids=["all", "first-fail"])
def judge(compile_cache: Path, request: pytest.FixtureRequest) -> Iterator[SampleJudge]:
    # A generous wall-clock backstop: the machine the tests run on may be busy.
    worker = SampleJudge(JudgeConfig(mode=request.param, wall_factor=20))
    try:
        yield worker
    finally:
        worker.close()


def problem(entry: str, *tests: str, prelude: str = "") -> Problem:
    made = assert_problem(
        f"asserts-{next(_ids)}", entry, [textwrap.dedent(t) for t in tests], time_limit_s=2.0
    )
    made.prelude = prelude
    return made


def judged(judge: SampleJudge, made: Problem, code: str) -> list[Verdict]:
    """The verdicts of every test; in first-fail mode, of the tests up to the first failure."""
    result = judge.judge(made, sample(made, textwrap.dedent(code)))
    assert result.verdict is not Verdict.IE, result.detail
    return verdicts(result)


def expected(judge: SampleJudge, want: list[Verdict]) -> list[Verdict]:
    """`want`, cut after its first failure when the judge stops there."""
    if judge.config.mode is Mode.FIRST_FAIL:
        for i, verdict in enumerate(want):
            if verdict is not Verdict.AC:
                return want[: i + 1]
    return want


def details(judge: SampleJudge, made: Problem, code: str) -> list[str]:
    return [t.detail for t in judge.judge(made, sample(made, textwrap.dedent(code))).tests]


def test_an_argument_the_solution_mutates_is_seen_mutated_by_the_test(judge: SampleJudge) -> None:
    made = problem(
        "f",
        "a = [3, 1, 2]\nf(a)\nassert a == [1, 2, 3]\n",
        "grid = [[2, 1], [4, 3]]\nrow = grid[1]\nf(grid)\nassert grid == [[1, 2], [3, 4]] and row is grid[1]\n",
        "d = {'b': 1}\nf(d)\nassert d == {'b': 1, 'seen': True}\n",
        "s = bytearray(b'ba')\nf(s)\nassert s == bytearray(b'ab')\n",
    )
    sorts = """
    def f(x):
        if isinstance(x, dict):
            x["seen"] = True
        elif isinstance(x, bytearray):
            x[:] = bytes(sorted(x))
        elif x and isinstance(x[0], list):
            for row in x:
                row.sort()
        else:
            x.sort()
    """
    assert judged(judge, made, sorts) == expected(judge, [Verdict.AC] * 4)
    assert judged(judge, made, "def f(x):\n    return sorted(x)\n") == expected(judge, [Verdict.WA] * 4)


def test_a_callable_the_test_passes_runs_in_the_test_and_can_call_the_solution(judge: SampleJudge) -> None:
    made = problem(
        "apply",
        "assert apply([1, 2, 3], lambda x: x * 2) == [2, 4, 6]\n",
        "assert apply(['b', 'A', 'c'], str.lower) == ['a', 'b', 'c']\n",
        "assert apply([3, 1, 2], sorted) == [1, 2, 3]\n",
        # a callback that calls the solution again: the calls nest across the boundary
        "assert apply([2, 3], lambda n: apply([n], lambda m: m + 1)[0]) == [3, 4]\n",
        "seen = []\napply([5, 6], seen.append)\nassert seen == [5, 6]\n",
    )
    code = """
    def apply(items, fn):
        if fn is sorted:
            return fn(items)
        if fn is str.lower:
            return sorted(map(fn, items))
        return [fn(x) for x in items]
    """
    assert judged(judge, made, code) == expected(judge, [Verdict.AC] * 5)


def test_builtin_and_standard_library_results_cross_as_themselves(judge: SampleJudge) -> None:
    made = problem(
        "f",
        "assert f('range') == range(2, 5) and list(f('range')) == [2, 3, 4]\n",
        "from collections import Counter\nassert f('counter') == Counter('abca')\nassert f('counter').most_common(1) == [('a', 2)]\n",
        "from collections import deque\nassert f('deque') == deque([1, 2], maxlen=3)\n",
        "from collections import OrderedDict\nassert f('ordered') == OrderedDict([(2, 'b'), (1, 'a')])\n",
        "d = f('defaultdict')\nassert d['missing'] == [] and dict(d) == {'x': [1], 'missing': []}\n",
        "from fractions import Fraction\nassert f('fraction') == Fraction(1, 3)\n",
        "assert f('big') == 3 ** 20000\n",
        "assert f('keys') == {1, 2} and list(f('items')) == [(1, 'a'), (2, 'b')] and sorted(f('values')) == ['a', 'b']\n",
        "assert f('gen') != [1, 2]\nassert list(f('gen')) == [1, 2]\nassert sorted(f('gen'), reverse=True) == [2, 1]\n",
    )
    code = """
    from collections import Counter, OrderedDict, defaultdict, deque
    from fractions import Fraction
    def f(kind):
        if kind == "defaultdict":
            d = defaultdict(list)
            d["x"].append(1)
            return d
        return {
            "range": range(2, 5),
            "counter": Counter("abca"),
            "deque": deque([1, 2], maxlen=3),
            "ordered": OrderedDict([(2, "b"), (1, "a")]),
            "fraction": Fraction(1, 3),
            "big": 3 ** 20000,
            "keys": {1: "a", 2: "b"}.keys(),
            "items": {1: "a", 2: "b"}.items(),
            "values": {1: "a", 2: "b"}.values(),
            "gen": (x for x in [1, 2]),
        }[kind]
    """
    assert judged(judge, made, code) == expected(judge, [Verdict.AC] * 9)
    flat = """
    def f(kind):
        return {"range": [2, 3, 4], "counter": {"a": 2, "b": 1, "c": 1}, "deque": [1, 2],
                "ordered": {1: "a"}, "defaultdict": {"x": [1]}, "fraction": 1 / 3,
                "big": 3 ** 20000 + 1, "keys": [1, 2], "gen": [1, 2]}[kind]
    """
    assert judged(judge, made, flat) == expected(judge, [Verdict.WA] * 9)


PAIR = """
class Pair:
    def __init__(self, a, b):
        self.a, self.b = a, b
    def __eq__(self, other):
        return isinstance(other, Pair) and (self.a, self.b) == (other.a, other.b)
    def __hash__(self):
        return hash((self.a, self.b))
    def __repr__(self):
        return f"Pair({self.a}, {self.b})"
"""


def test_objects_of_the_solution_s_classes_are_built_by_the_test_and_used_by_both(
    judge: SampleJudge,
) -> None:
    """MBPP 601 (`max_chain_length([Pair(5, 24), ...], 4)`) and its relatives."""
    made = problem(
        "longest",
        "assert longest([Pair(5, 24), Pair(15, 25), Pair(27, 40), Pair(50, 60)], 4) == 3\n",
        "p = Pair(1, 2)\np.b = 7\nassert longest([p, Pair(8, 9)], 2) == 2 and p.b == 7\n",
        "assert best([Pair(1, 2), Pair(3, 4)]) == Pair(3, 4) and str(best([Pair(0, 1)])) == 'Pair(0, 1)'\n",
        "assert Pair(3, 4) in [best([Pair(1, 2), Pair(3, 4)])] and len({Pair(1, 1), Pair(1, 1)}) == 1\n",
    )
    code = (
        PAIR
        + """
def longest(arr, n):
    best = [1] * n
    for i in range(1, n):
        for j in range(i):
            if arr[i].a > arr[j].b and best[i] < best[j] + 1:
                best[i] = best[j] + 1
    return max(best)
def best(pairs):
    return max(pairs, key=lambda p: p.b)
"""
    )
    assert judged(judge, made, code) == expected(judge, [Verdict.AC] * 4)
    wrong = code.replace("return max(best)", "return min(best)").replace("p: p.b", "p: -p.b")
    assert judged(judge, made, wrong) == expected(judge, [Verdict.WA] * 4)


NODE = """
class Node:
    def __init__(self, data):
        self.data = data
        self.left = None
        self.right = None
"""


def test_setup_code_builds_trees_of_the_solution_s_nodes(judge: SampleJudge) -> None:
    """MBPP 367 and 927: `test_setup_code` builds `Node` trees before the asserts."""
    setup = "root = Node(1)\nroot.left = Node(2)\nroot.right = Node(3)\nroot.left.left = Node(4)\n"
    made = problem(
        "max_height", setup + "assert max_height(root) == 3\n", setup + "assert max_height(root.right) == 1\n"
    )
    code = (
        NODE
        + "def max_height(node):\n    return 0 if node is None else 1 + max(max_height(node.left), max_height(node.right))\n"
    )
    assert judged(judge, made, code) == expected(judge, [Verdict.AC] * 2)
    assert judged(judge, made, code.replace("1 + max", "2 + max")) == expected(judge, [Verdict.WA] * 2)


def test_a_type_argument_reaches_the_solution_as_its_own_type(judge: SampleJudge) -> None:
    """MBPP 533: `remove_datatype((4, 5, 4, 7.7, 1.2), int)`."""
    made = problem(
        "remove_datatype",
        "assert remove_datatype((4, 5, 4, 7.7, 1.2), int) == [7.7, 1.2]\n",
        "assert remove_datatype((7, 8, 9, 'SR'), str) == [7, 8, 9]\n",
        "assert remove_datatype((1, None), type(None)) == [1] and remove_datatype((1,), object) == []\n",
    )
    code = "def remove_datatype(t, kind):\n    return [x for x in t if not isinstance(x, kind)]\n"
    assert judged(judge, made, code) == expected(judge, [Verdict.AC] * 3)
    assert judged(judge, made, code.replace("not isinstance", "isinstance")) == expected(
        judge, [Verdict.WA] * 3
    )


def test_a_module_the_solution_imported_is_the_test_s_own(judge: SampleJudge) -> None:
    """MBPP 596: `tuple_size(t) == sys.getsizeof(t)`, `sys` imported by the solution only."""
    made = problem(
        "tuple_size",
        'assert tuple_size(("A", 1, "B", 2)) == sys.getsizeof(("A", 1, "B", 2))\n',
        "assert tuple_size(()) == sys.getsizeof(())\n",
        "assert isclose(tuple_size.__name__ and 1.0, 1.0) and re.match('a', 'a')\n",
    )
    code = "import sys, re\nfrom math import isclose\ndef tuple_size(t):\n    return sys.getsizeof(t)\n"
    assert judged(judge, made, code) == expected(judge, [Verdict.AC] * 3)
    assert judged(judge, made, code.replace("getsizeof(t)", "getsizeof(t) + 1"))[0] is Verdict.WA


def test_a_returned_match_object_answers_the_test(judge: SampleJudge) -> None:
    """Sanitized MBPP 596, 737, 787, 794 return `re.Match` objects (or None)."""
    made = problem(
        "text_match",
        "assert text_match('abbbc')\n",
        "assert not text_match('ac')\nassert text_match('ac') is None\n",
        "m = text_match('xxabbc')\nassert m.group(0) == 'abbc' and m.span() == (2, 6) and m.start() == 2\n",
        "assert text_match('abc') != 'abc' and bool(text_match('abc')) is True\n",
    )
    code = "import re\ndef text_match(text):\n    return re.search('ab+c', text)\n"
    assert judged(judge, made, code) == expected(judge, [Verdict.AC] * 4)
    anchored = code.replace("re.search", "re.match")
    assert judged(judge, made, anchored) == expected(judge, [Verdict.AC, Verdict.AC, Verdict.WA, Verdict.AC])


def test_an_exception_the_test_expects_is_caught_and_any_other_is_a_runtime_error(judge: SampleJudge) -> None:
    made = problem(
        "checked",
        "try:\n    checked(-1)\n    assert False, 'no error'\nexcept ValueError as exc:\n    assert exc.args == ('negative',)\n",
        "assert checked(2) == 2\n",
        "assert checked(-1) == 1\n",
    )
    code = "def checked(n):\n    if n < 0:\n        raise ValueError('negative')\n    return n\n"
    assert judged(judge, made, code) == expected(judge, [Verdict.AC, Verdict.AC, Verdict.RE])
    assert "ValueError: negative" in details(judge, made, code)[2]
    assert judged(judge, made, code.replace("ValueError", "KeyError")) == expected(
        judge, [Verdict.RE, Verdict.AC, Verdict.RE]
    )


def test_the_prelude_is_the_test_s_and_the_solution_s(judge: SampleJudge) -> None:
    """A dataset's prelude (HumanEval's prompt helpers, MBPP's imports) runs before the
    solution's code and before the test's, each in its own process."""
    prelude = "import math\n\ndef double(x):\n    return 2 * x\n"
    made = problem("quad", "assert quad(3) == double(double(3)) == 12 and math.pi > 3\n", prelude=prelude)
    assert judged(judge, made, "def quad(x):\n    return double(double(x))\n") == expected(
        judge, [Verdict.AC]
    )
    # Redefining the helper changes only the solution's copy: the test keeps the dataset's.
    cheat = "def double(x):\n    return 3\ndef quad(x):\n    return 3\n"
    assert judged(judge, made, cheat) == expected(judge, [Verdict.WA])
