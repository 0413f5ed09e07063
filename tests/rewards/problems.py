"""Small tiered problems the reward tests judge for real (built in memory, no files)."""

from __future__ import annotations

import random

from codefrontier.contracts import Checker, CheckerKind, Problem, ProblemKind, Solution, TestCase

TIERS = {
    "tiny": (1, 4),
    "small": (30, 60),
    "medium": (600, 1000),
    "large": (15000, 20000),
    "max": (30000, 30000),
}

PAIRWISE_REF = """\
import sys
data = sys.stdin.buffer.read().split()
n = int(data[0])
a = list(map(int, data[1:1 + n]))
s = sum(a)
print((s * s - sum(x * x for x in a)) // 2)
"""

# Correct but O(n^2): passes tiny, small and medium, far over the limit on large and max.
PAIRWISE_NAIVE = """\
import sys
data = sys.stdin.buffer.read().split()
n = int(data[0])
a = list(map(int, data[1:1 + n]))
total = 0
for i in range(n):
    for j in range(i + 1, n):
        total += a[i] * a[j]
print(total)
"""

# Counts i == j too: wrong on the first test that has a non-zero value.
PAIRWISE_WA = """\
import sys
data = sys.stdin.buffer.read().split()
n = int(data[0])
a = list(map(int, data[1:1 + n]))
s = sum(a)
print((s * s + sum(x * x for x in a)) // 2)
"""

# Right only while n < 100: fails every medium, large and max test, quickly.
PAIRWISE_SMALL_ONLY = PAIRWISE_REF.replace("print(", "print(0 if n >= 100 else ")


def pairwise_problem(problem_id: str = "pairwise-products") -> Problem:
    """Sum of a_i * a_j over i < j; two tests per tier, n up to 3 * 10^4."""
    rng = random.Random(4)
    tests = []
    for tier, sizes in TIERS.items():
        for k, n in enumerate(sizes):
            values = [rng.randint(0, 1000) for _ in range(n)]
            s = sum(values)
            answer = (s * s - sum(v * v for v in values)) // 2
            text = f"{n}\n{' '.join(map(str, values))}\n"
            tests.append(TestCase(f"{tier}-{k}", text, f"{answer}\n", size=n, tier=tier))
    return Problem(
        id=problem_id,
        kind=ProblemKind.STDIO,
        statement="Print the sum of a_i * a_j over all pairs i < j.",
        tests=tests,
        time_limit_s=1.0,
        memory_mb=256,
        tiers=list(TIERS),
        solutions=[
            Solution("ref.py", "python", PAIRWISE_REF, "AC"),
            Solution("tle_naive.py", "python", PAIRWISE_NAIVE, "TLE"),
            Solution("wa_diagonal.py", "python", PAIRWISE_WA, "WA"),
        ],
    )


def constant_problem(problem_id: str, answer: str) -> Problem:
    """Every test's answer is `answer` (the TRL test's policy can hit it by chance)."""
    tests = [
        TestCase(f"{tier}-{k}", f"{k}\n", f"{answer}\n", size=k + 10 * i, tier=tier)
        for i, tier in enumerate(("tiny", "small"))
        for k in range(2)
    ]
    return Problem(
        id=problem_id,
        kind=ProblemKind.STDIO,
        statement=f"Print {answer}.",
        tests=tests,
        time_limit_s=1.0,
        tiers=["tiny", "small"],
        solutions=[Solution("ref.py", "python", f"print({answer})\n", "AC")],
    )


def broken_checker_problem(problem_id: str = "broken-checker") -> Problem:
    """A problem whose checker program always fails: every sample is an internal error."""
    return Problem(
        id=problem_id,
        kind=ProblemKind.STDIO,
        statement="Print anything.",
        tests=[TestCase("1", "1\n", "1\n", size=1, tier="tiny")],
        time_limit_s=1.0,
        tiers=["tiny"],
        checker=Checker(kind=CheckerKind.PROGRAM, code="import sys\nsys.exit(3)\n"),
    )


def fenced(code: str, language: str = "python") -> str:
    """A model-style answer: some prose and the program in a fenced block."""
    body = code if code.endswith("\n") else code + "\n"
    return f"Here is my solution.\n\n```{language}\n{body}```\n"
