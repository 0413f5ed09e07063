"""Every verdict, for stdio programs in Python and C++ and for function and assert samples.

Each test judges a program written to earn exactly one verdict and checks the per-test
verdicts, the sample's verdict and failure class, and what was measured.
"""

from __future__ import annotations

import pytest
from judge_kit import (
    ADD_PY,
    GOOD_STDIO,
    add_assert_problem,
    add_function_problem,
    judge_one,
    stdio_problem,
    stopped_at_limit,
    verdicts,
)

from codefrontier.contracts import Checker, CheckerKind, FailureClass, Verdict
from codefrontier.judge.runner import SampleJudge

LIMIT_S = 0.5
MEMORY_MB = 128


def two_sums():
    return stdio_problem(
        "two-sums", [("2 3\n", "5\n"), ("10 20\n", "30\n")], time_limit_s=LIMIT_S, memory_mb=MEMORY_MB
    )


STDIO = {
    "python": {
        "WA": "a, b = map(int, input().split())\nprint(a - b)\n",
        "TLE": "while True:\n    pass\n",
        "MLE": "blocks = []\nwhile True:\n    blocks.append(bytearray(1 << 20))\n",
        "RE": "input()\nraise ValueError('boom')\n",
        "CE": "print(1\n",
        "OLE": "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n",
    },
    "cpp": {
        "WA": '#include <cstdio>\nint main() { long long a, b; scanf("%lld %lld", &a, &b); printf("%lld\\n", a - b); }',
        "TLE": "int main() { volatile unsigned long x = 0; while (true) x++; }",
        "MLE": """
#include <cstring>
#include <vector>
int main() {
    std::vector<char*> blocks;
    while (true) { char* p = new char[1 << 20]; memset(p, 1, 1 << 20); blocks.push_back(p); }
}""",
        "RE": "int main() { return 3; }",
        "CE": "int main() { this is not C++ }",
        # Ignores every failed write, as careless programs do: still OLE, not TLE.
        "OLE": '#include <cstdio>\nint main() { while (true) fputs("xxxxxxxxxxxxxxxx", stdout); }',
    },
}


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_correct_stdio_program_is_accepted(judge: SampleJudge, language: str) -> None:
    result = judge_one(judge, two_sums(), GOOD_STDIO[language], language)
    assert verdicts(result) == [Verdict.AC, Verdict.AC]
    assert result.verdict is Verdict.AC and result.failure_class is FailureClass.SOLVED
    assert all(0 < t.rss_mb < MEMORY_MB for t in result.tests)  # measured for AC tests too


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_wrong_output_is_wrong_answer(judge: SampleJudge, language: str) -> None:
    result = judge_one(judge, two_sums(), STDIO[language]["WA"], language)
    assert verdicts(result) == [Verdict.WA, Verdict.WA]
    assert result.failure_class is FailureClass.CORRECTNESS
    assert "expected '5'" in result.tests[0].detail


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_spinning_program_is_time_limit_exceeded_by_cpu_time(judge: SampleJudge, language: str) -> None:
    result = judge_one(judge, two_sums(), STDIO[language]["TLE"], language)
    assert verdicts(result) == [Verdict.TLE, Verdict.TLE]
    assert result.failure_class is FailureClass.OPTIMIZATION
    for test in result.tests:
        assert stopped_at_limit(test, LIMIT_S), test


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_memory_hog_is_memory_limit_exceeded(judge: SampleJudge, language: str) -> None:
    result = judge_one(judge, two_sums(), STDIO[language]["MLE"], language)
    assert verdicts(result) == [Verdict.MLE, Verdict.MLE]
    assert result.failure_class is FailureClass.OPTIMIZATION
    assert all(t.rss_mb > MEMORY_MB / 2 for t in result.tests)


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_crash_is_runtime_error(judge: SampleJudge, language: str) -> None:
    result = judge_one(judge, two_sums(), STDIO[language]["RE"], language)
    assert verdicts(result) == [Verdict.RE, Verdict.RE]
    assert result.failure_class is FailureClass.CORRECTNESS
    if language == "python":
        assert "ValueError: boom" in result.tests[0].detail
    else:
        assert result.tests[0].exit_code == 3


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_program_that_does_not_compile_is_compile_error_on_every_test(
    judge: SampleJudge, language: str
) -> None:
    result = judge_one(judge, two_sums(), STDIO[language]["CE"], language)
    assert verdicts(result) == [Verdict.CE, Verdict.CE]
    assert result.failure_class is FailureClass.CORRECTNESS
    assert ("SyntaxError" if language == "python" else "error") in result.detail


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_endless_output_is_output_limit_exceeded(judge: SampleJudge, language: str) -> None:
    result = judge_one(judge, two_sums(), STDIO[language]["OLE"], language)
    assert verdicts(result) == [Verdict.OLE, Verdict.OLE]
    assert result.failure_class is FailureClass.CORRECTNESS


CRASHING_CHECKERS = {
    "python": ("python", "import ctypes\nctypes.string_at(0)\n"),
    "cpp": ("cpp", "int main() { volatile int* p = nullptr; return *p; }"),
}


@pytest.mark.parametrize("sample_language", ["python", "cpp"])
@pytest.mark.parametrize("checker_language", ["python", "cpp"])
def test_crashing_checker_is_internal_error_never_charged(
    judge: SampleJudge, sample_language: str, checker_language: str
) -> None:
    language, code = CRASHING_CHECKERS[checker_language]
    problem = stdio_problem(
        f"crashing-checker-{checker_language}",
        [("2 3\n", "5\n")],
        checker=Checker(CheckerKind.PROGRAM, code=code, language=language),
    )
    result = judge_one(judge, problem, GOOD_STDIO[sample_language], sample_language)
    assert result.verdict is Verdict.IE
    assert result.failure_class is FailureClass.INTERNAL
    # A checker that fails on the problem's own answer is a defect of the problem: IE at
    # once, not retried (a fresh sandbox would fail the same way; docs/verdicts.md).
    assert result.attempts == 1
    assert "checker" in result.detail
    # The worker recovered: the next sample is judged normally.
    assert judge_one(judge, two_sums(), GOOD_STDIO[sample_language], sample_language).verdict is Verdict.AC


def test_checker_program_decides_accepted_and_wrong(judge: SampleJudge) -> None:
    checker = """
import sys
inp, expected, output = (open(p).read().split() for p in sys.argv[1:4])
sys.exit(0 if sum(map(int, output)) == int(expected[0]) else 1)
"""
    problem = stdio_problem(
        "any-split", [("5\n", "5\n")], checker=Checker(CheckerKind.PROGRAM, code=checker, language="python")
    )
    assert judge_one(judge, problem, "input()\nprint(2, 3)\n").verdict is Verdict.AC
    assert judge_one(judge, problem, "input()\nprint(2, 2)\n").verdict is Verdict.WA


# -- function and assert samples -------------------------------------------------------

SESSION = {
    "AC": ADD_PY,
    "WA": "def add(a, b):\n    return a - b\n",
    "RE": "def add(a, b):\n    raise KeyError('no')\n",
    "TLE": "def add(a, b):\n    while True:\n        pass\n",
    "MLE": "def add(a, b):\n    blocks = []\n    while True:\n        blocks.append(bytearray(1 << 20))\n",
    "CE": "def add(a, b)\n    return a + b\n",
}
SESSION_CLASS = {
    "AC": FailureClass.SOLVED,
    "WA": FailureClass.CORRECTNESS,
    "RE": FailureClass.CORRECTNESS,
    "CE": FailureClass.CORRECTNESS,
    "TLE": FailureClass.OPTIMIZATION,
    "MLE": FailureClass.OPTIMIZATION,
}


@pytest.mark.parametrize("kind", ["function", "assert"])
@pytest.mark.parametrize("expected", list(SESSION))
def test_function_and_assert_samples_get_each_verdict(judge: SampleJudge, kind: str, expected: str) -> None:
    make = add_function_problem if kind == "function" else add_assert_problem
    problem = make(time_limit_s=LIMIT_S, memory_mb=MEMORY_MB)
    result = judge_one(judge, problem, SESSION[expected])
    assert verdicts(result) == [Verdict(expected)] * 3
    assert result.verdict is Verdict(expected)
    assert result.failure_class is SESSION_CLASS[expected]
    if expected == "TLE":
        assert all(t.cpu_s < LIMIT_S + 0.5 for t in result.tests), result.tests  # never let run on


def test_function_tests_read_from_files_are_judged_against_the_file(judge: SampleJudge, tmp_path) -> None:
    """`input_file` / `output_file` hold a function test's JSON arguments and answer."""
    import json

    from codefrontier.problems.io import load_problems

    (tmp_path / "args.json").write_text("[20, 22]")
    (tmp_path / "answer.json").write_text("42")
    record = {
        "id": "add-files",
        "kind": "function",
        "entry_point": "add",
        "tests": [{"id": "big", "input_file": "args.json", "output_file": "answer.json"}],
    }
    (tmp_path / "p.jsonl").write_text(json.dumps(record) + "\n")
    (problem,) = load_problems(tmp_path / "p.jsonl")
    right = judge_one(judge, problem, "def add(a, b):\n    return a + b\n")
    wrong = judge_one(judge, problem, "def add(a, b):\n    return a - b\n")
    assert (verdicts(right), verdicts(wrong)) == ([Verdict.AC], [Verdict.WA])
