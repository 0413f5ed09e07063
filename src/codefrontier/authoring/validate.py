"""Problem-setter checks before publishing a benchmark (as Codeforces' Polygon runs them).

* every reference solution (tagged AC) is AC on every test;
* every known-wrong solution gets its tagged verdict (the verdict of its first failing
  test in size order);
* every naive-TLE solution passes the lowest coverage level (the first tier) and fails a
  higher one — the nested property the frontier needs;
* tests are distinct; for generated benchmarks, the generator is deterministic (same
  seed, same bytes) and reproduces the shipped tests;
* the time limits leave the reference at least the recorded margin.

References run in all-tests mode (every test must pass); known-wrong solutions run in
first-fail mode, which is enough to know their verdict and highest passed level.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from codefrontier.contracts import Problem, ProblemKind, Sample, SampleResult, Verdict
from codefrontier.judge.api import judge_progress
from codefrontier.judge.config import JudgeConfig, Mode
from codefrontier.judge.pool import JudgePool
from codefrontier.problems.levels import sorted_tests

DEFAULT_MARGIN = 2.0  # a reference must run within half its limit unless the problem records another margin


@dataclass
class CheckResult:
    problem_id: str
    check: str
    ok: bool
    detail: str = ""


def _distinct_tests(problem: Problem) -> CheckResult:
    seen: dict[str, str] = {}
    for test in problem.tests:
        digest = hashlib.sha256(
            test.input_bytes() if problem.kind is ProblemKind.STDIO else repr(test.input).encode()
        )
        key = digest.hexdigest()
        if key in seen:
            return CheckResult(
                problem.id, "tests are distinct", False, f"tests {seen[key]} and {test.id} are identical"
            )
        seen[key] = test.id
    return CheckResult(problem.id, "tests are distinct", True, f"{len(problem.tests)} tests")


def _generator_checks(problem: Problem) -> list[CheckResult]:
    """For problems built from a bundled spec: same seed, same bytes; the shipped tests
    are exactly what the generator makes."""
    from codefrontier.problems.bundled.authoring import SPECS_DIR, generate_tests, load_spec

    spec_dir = SPECS_DIR / problem.id
    if problem.source != "bundled" or not spec_dir.is_dir():
        return []
    spec = load_spec(spec_dir)
    first, second = generate_tests(spec), generate_tests(spec)
    same = [(a.id, a.input) for a in first] == [(b.id, b.input) for b in second]
    shipped = {t.id: t.input_bytes().decode() for t in problem.tests}
    matches = shipped == {t.id: t.input for t in first}
    other_seed = generate_tests(spec, seed=spec.seed + 1)
    differs = [t.input for t in other_seed] != [t.input for t in first]
    return [
        CheckResult(
            problem.id, "generator is deterministic", same, "two runs, same bytes" if same else "runs differ"
        ),
        CheckResult(
            problem.id,
            "shipped tests match the generator",
            matches,
            "" if matches else "rebuild the benchmark: the spec changed since it was built",
        ),
        CheckResult(problem.id, "another seed gives other tests", differs, ""),
    ]


def _solution_samples(
    problems: Sequence[Problem],
) -> tuple[list[tuple[Problem, Sample]], list[tuple[Problem, Sample]]]:
    references, wrong = [], []
    for problem in problems:
        for i, solution in enumerate(problem.solutions):
            sample = Sample(
                problem.id,
                f"{solution.name} ({solution.language})",
                i,
                solution.language,
                solution.code,
                policy_meta={"expected": solution.expected},
            )
            (references if solution.expected == "AC" else wrong).append((problem, sample))
    return references, wrong


def _judge(
    tasks: list[tuple[Problem, Sample]],
    mode: Mode,
    jobs: int | None,
    isolation: str,
    progress: bool,
    label: str,
) -> list[SampleResult]:
    if not tasks:
        return []
    bar = judge_progress(progress, len(tasks), label)
    results = []
    try:
        with JudgePool.local(JudgeConfig(mode=mode, isolation=isolation), jobs) as pool:
            for result in pool.judge(tasks):
                results.append(result)
                if bar is not None:
                    bar.advance(result)
    finally:
        if bar is not None:
            bar.close()
    return results


def _reference_checks(problem: Problem, result: SampleResult) -> list[CheckResult]:
    name = f"{result.policy} is AC on every test"
    failed = [f"{t.test_id}: {t.verdict.value}" for t in result.tests if t.verdict is not Verdict.AC]
    ok = not failed and result.tests_passed == len(problem.tests)
    checks = [CheckResult(problem.id, name, ok, ", ".join(failed[:5]) or f"{result.tests_passed} tests")]
    if problem.kind is ProblemKind.STDIO and ok:
        language = result.language
        limit = problem.time_limit_for(language)
        margin = float(problem.metadata.get("limit_margin", DEFAULT_MARGIN))
        slowest = max(t.cpu_s for t in result.tests)
        ok_margin = slowest * margin <= limit
        checks.append(
            CheckResult(
                problem.id,
                f"{language} limit leaves {result.policy} a {margin:g}x margin",
                ok_margin,
                f"slowest test {slowest:.3f} s, limit {limit:g} s ({limit / max(slowest, 1e-9):.1f}x)",
            )
        )
    return checks


def _wrong_checks(problem: Problem, result: SampleResult) -> list[CheckResult]:
    expected = result.policy_meta.get("expected", "")
    got = result.verdict.value
    checks = [
        CheckResult(
            problem.id,
            f"{result.policy} gets {expected}",
            got == expected,
            f"got {got} on test {result.first_failed_test}"
            + (f": {result.detail[:120]}" if got != expected else ""),
        )
    ]
    if expected == "TLE":
        ordered = sorted_tests(problem)
        lowest = [t.id for t in ordered if problem.tiers and t.tier == problem.tiers[0]] or [ordered[0].id]
        passed = {t.test_id for t in result.tests if t.verdict is Verdict.AC}
        nested = all(tid in passed for tid in lowest) and got == "TLE"
        checks.append(
            CheckResult(
                problem.id,
                f"{result.policy} passes the lowest level, fails a higher one",
                nested,
                f"highest level passed {100 * result.highest_level:.0f}% (tier {result.highest_tier or '-'})",
            )
        )
    return checks


def validate(
    problems: Sequence[Problem], *, jobs: int | None = None, isolation: str = "auto", progress: bool = False
) -> list[CheckResult]:
    """Run every check on every problem; returns one row per check (ok or not).
    `progress`: show a bar per judging pass (references, then known-wrong solutions)."""
    checks: list[CheckResult] = []
    for problem in problems:
        checks.append(_distinct_tests(problem))
        checks.extend(_generator_checks(problem))
        if not any(s.expected == "AC" for s in problem.solutions):
            checks.append(CheckResult(problem.id, "has a reference solution", False, "no solution tagged AC"))
    references, wrong = _solution_samples(problems)
    by_id = {p.id: p for p in problems}
    for result in _judge(references, Mode.ALL, jobs, isolation, progress, "references"):
        problem = by_id[result.problem_id]
        checks.extend(_reference_checks(problem, result))
    for result in _judge(wrong, Mode.FIRST_FAIL, jobs, isolation, progress, "known-wrong"):
        checks.extend(_wrong_checks(by_id[result.problem_id], result))
    order = {p.id: i for i, p in enumerate(problems)}
    checks.sort(key=lambda c: (order[c.problem_id], c.check))
    return checks
