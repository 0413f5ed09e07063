"""Assert problems under attack: the object protocol between the test's harness and the
solution (sandbox/runtime/remote.py) gives the solution handles, callbacks and names,
and none of them may let a wrong program pass, choose a verdict the judge reserves
(IE, TLE, MLE, CE), or take the worker down.

Every program is judged by `attack()`: never AC, never IE, one attempt, and the worker
still judges a known-good assert sample correctly right after.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from judge_kit import ADD_PY, add_assert_problem, assert_problem, judge_one, sample, verdicts

from codefrontier.contracts import Problem, SampleResult, Verdict
from codefrontier.judge.config import JudgeConfig
from codefrontier.judge.runner import SampleJudge
from codefrontier.problems.humaneval import load_humaneval

ADD = add_assert_problem("attacks-add", time_limit_s=1.0)
MEASURED = {Verdict.IE, Verdict.TLE, Verdict.MLE, Verdict.CE}


@pytest.fixture(scope="module")
def judge(compile_cache: Path) -> Iterator[SampleJudge]:
    worker = SampleJudge(JudgeConfig(wall_factor=20))
    try:
        yield worker
    finally:
        worker.close()


def attack(judge: SampleJudge, problem: Problem, code: str, allowed: set[Verdict]) -> SampleResult:
    result = judge.judge(problem, sample(problem, textwrap.dedent(code)))
    got = set(verdicts(result))
    assert Verdict.AC not in got, [t.detail for t in result.tests]
    assert not got & MEASURED, [(t.verdict, t.detail) for t in result.tests]
    assert got <= allowed, [(t.verdict, t.detail) for t in result.tests]
    assert result.attempts == 1, "the worker had to be restarted"
    assert judge_one(judge, ADD, ADD_PY).verdict is Verdict.AC
    return result


NUMERIC = assert_problem(
    "attacks-numeric",
    "area",
    [
        "assert abs(area(2) - 12.566370614359172) < 1e-9\n",
        "assert area(1) == 3.141592653589793\n",
        "assert 0 < area(3) < 100 and not (area(3) > 100)\n",
        "assert 3.14 in [area(1)] or area(1) in {3.141592653589793}\n",
        "assert sorted([area(1), 2.0]) == [2.0, 3.141592653589793]\n",
        "assert round(area(1), 2) == 3.14\n",
    ],
)

LIARS = {
    "everything equal, less, greater, contained": """
class Liar:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __gt__(self, other): return True
    def __le__(self, other): return True
    def __ge__(self, other): return True
    def __contains__(self, item): return True
    def __hash__(self): return hash(3.141592653589793)
def area(r):
    return Liar()
""",
    "arithmetic that makes every tolerance hold": """
class Zero:
    def __sub__(self, other): return 0.0
    def __rsub__(self, other): return 0.0
    def __abs__(self): return self
    def __round__(self, n=None): return self
    def __lt__(self, other): return True
    def __gt__(self, other): return True
def area(r):
    return Zero()
""",
    "a float subclass with lying operators": """
class F(float):
    def __eq__(self, other): return True
    def __sub__(self, other): return F(0.0)
    def __lt__(self, other): return True
    __hash__ = float.__hash__
def area(r):
    return F(-1.0)
""",
    "a pretend standard-library function": """
import math
def area(r):
    def fake(*args):
        return 3.141592653589793
    fake.__module__, fake.__qualname__ = "math", "isclose"
    return fake
""",
}


@pytest.mark.parametrize("liar", list(LIARS))
def test_no_object_of_the_solution_can_answer_for_a_value_of_the_test(judge: SampleJudge, liar: str) -> None:
    """Comparisons, arithmetic, membership and ordering between what the solution returned
    and what the test wrote run on the test's side with Python's builtins: whatever the
    solution's class says of itself, it equals (or is near) nothing the test wrote."""
    result = attack(judge, NUMERIC, LIARS[liar], {Verdict.WA, Verdict.RE})
    assert Verdict.AC not in verdicts(result)


def test_an_object_the_solution_returns_from_its_iterator_is_no_test_value(judge: SampleJudge) -> None:
    problem = assert_problem(
        "attacks-iter", "evens", ["assert list(evens(4)) == [0, 2]\n", "assert [*evens(2)] == [0]\n"]
    )
    code = """
    class Anything:
        def __eq__(self, other): return True
        __hash__ = object.__hash__
    def evens(n):
        yield from [Anything()] * (n // 2)
    """
    attack(judge, problem, code, {Verdict.WA})


TAMPERED = {
    "a forged reference to an object of the test": """
import sys
remote = sys.modules["_codefrontier_remote"]
real = remote.SolutionEndpoint.encode
remote.SolutionEndpoint.encode = lambda self, value: {"__yours__": 999}
def add(a, b):
    return a + b
""",
    "a function of the harness by name": """
import sys
remote = sys.modules["_codefrontier_remote"]
remote.SolutionEndpoint.encode = lambda self, value: {"__named__": "builtins:exec"}
def add(a, b):
    return a + b
""",
    "garbage on the socket during the call": """
import socket
def add(a, b):
    channel = socket.socket(fileno=3)
    channel.send(b'{"re": 1, "gen": 0, "ok": 3}')
    channel.send(b'\\xff not json at all')
    channel.send(b'{"op": "call", "seq": 5, "target": 1, "args": [], "kwargs": {}}')
    channel.detach()
    return a + b
""",
    "a request for something the test never gave": """
import socket, json, sys
def add(a, b):
    endpoint = sys.modules["_codefrontier_remote"]
    channel = socket.socket(fileno=3)
    channel.send(json.dumps({"op": "getattr", "seq": 1, "target": 1, "name": "__globals__"}).encode())
    channel.detach()
    return a + b
""",
    "a message in a descriptor that is not a file": """
import os, socket
def add(a, b):
    r, w = os.pipe()
    socket.send_fds(socket.socket(fileno=3), [b'{"big": true}'], [r])
    return a + b
""",
}


@pytest.mark.parametrize("how", list(TAMPERED))
def test_a_solution_that_tampers_with_the_protocol_fails_its_test(judge: SampleJudge, how: str) -> None:
    """Whatever the solution process sends, the harness reads it defensively: a broken
    message fails the test (WA or RE), it never passes it nor claims a measured verdict."""
    attack(judge, ADD, TAMPERED[how], {Verdict.WA, Verdict.RE})


SWALLOWING = assert_problem(
    "attacks-swallow",
    "check",
    [
        "try:\n    check(-1)\nexcept:\n    pass\nassert True\n",
        "try:\n    check(-1)\nexcept BaseException:\n    pass\n",
    ],
)


@pytest.mark.parametrize(
    "ending", ["import os\n    os._exit(0)", "raise SystemExit(0)", "import sys\n    sys.exit()"]
)
def test_ending_the_process_fails_the_test_even_when_the_test_catches_everything(
    judge: SampleJudge, ending: str
) -> None:
    """In a one-process harness the process would be gone and the test with it: the test
    code catching the failed call does not make it pass."""
    code = f"def check(n):\n    {ending}\n"
    result = attack(judge, SWALLOWING, code, {Verdict.RE})
    assert verdicts(result) == [Verdict.RE, Verdict.RE]


def test_a_callback_gives_the_solution_no_way_into_the_harness(judge: SampleJudge) -> None:
    """A test's callable reaches the solution as something it can only call: no
    attribute leads to the harness's globals, its report pipe or its builtins."""
    problem = assert_problem("attacks-callback", "apply", ["assert apply(lambda x: x + 1) == 'ESCAPED'\n"])
    code = """
    def apply(fn):
        found = []
        for name in ("__globals__", "__code__", "__closure__", "__self__", "__func__", "__wrapped__"):
            try:
                getattr(fn, name)
                found.append(name)
            except AttributeError:
                pass
        try:
            fn.__class__.__call__(fn, 1)  # the call itself is allowed: it runs the test's lambda
        except Exception:
            pass
        return "ESCAPED" if found else "contained: %r" % (fn,)
    """
    attack(judge, problem, code, {Verdict.WA})


def test_a_huge_returned_value_is_charged_to_the_solution(judge: SampleJudge) -> None:
    problem = assert_problem("attacks-huge", "big", ["assert len(big()) == 3\n"], memory_mb=512)
    code = "def big():\n    return 'x' * (80 << 20)\n"
    attack(judge, problem, code, {Verdict.OLE, Verdict.RE, Verdict.WA})


@pytest.fixture(scope="module")
def humaneval() -> dict[str, Problem]:
    return {p.id: p for p in load_humaneval()}


@pytest.mark.parametrize(
    ("task", "cheat"),
    [
        (
            "HumanEval/32",
            "def poly(xs, x):\n    return 0.0\n\ndef find_zero(xs):\n    return 12345.0\n",
        ),
        (
            "HumanEval/38",
            "def encode_cyclic(s):\n    return s\n\ndef decode_cyclic(s):\n    return s\n",
        ),
        (
            "HumanEval/50",
            "def encode_shift(s):\n    return s\n\ndef decode_shift(s):\n    return s\n",
        ),
    ],
)
def test_redefining_a_helper_of_the_prompt_does_not_pass_humaneval(
    judge: SampleJudge, humaneval: dict[str, Problem], task: str, cheat: str
) -> None:
    """HumanEval/32, /38 and /50 call `poly`, `encode_cyclic` and `encode_shift`, which the
    prompt defines: they are the dataset's code, run in the harness; a solution that
    redefines them changes only its own copy."""
    attack(judge, humaneval[task], cheat, {Verdict.WA})
