"""Problem-setter checks before publishing a benchmark (as Codeforces' Polygon runs them).

* every reference solution (tagged AC) is AC on every test, with the margins of
  `margins.py`: it stays AC on a machine 2x slower, with 2x memory headroom;
* every known-wrong solution gets its tagged verdict (the verdict of its first failing
  test in size order), and keeps it on a machine 2x slower and 2x faster (margins.py:
  the rule per tag, from the measured CPU time and peak memory of each test);
* every naive-TLE solution passes the lowest coverage level (the first tier) and fails a
  higher one — the nested property the frontier needs;
* tests are distinct; for generated benchmarks, the generator is deterministic (same
  seed, same bytes) and reproduces the shipped tests.

References run in all-tests mode (every test must pass); known-wrong solutions run in
first-fail mode, which is enough to know their verdict and highest passed level; the
first failing test of each TLE-tagged solution is judged once more with its time limit
doubled. Every run goes through the judge's pool with a far wall-clock backstop
(judging.py), so that time is CPU time and a busy machine gives the same report.

CPU time is still noisy on a shared machine (neighbours compete for caches and cores),
so a solution with a failed check is judged again, with the machine's speed measured
again first, up to CONFIRM_RUNS runs in all: its checks are those most of its runs gave,
and the detail of a check that failed on any run says which runs. A real violation fails
every run; a burst of load during one run no longer fails a sound benchmark.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from codefrontier.authoring.judging import authoring_config, judge_tasks, restricted
from codefrontier.authoring.margins import MARGIN, Margins, solution_margins
from codefrontier.authoring.speed import MachineSpeed, measure_speed
from codefrontier.contracts import Problem, ProblemKind, Sample, SampleResult, TestResult, Verdict
from codefrontier.judge import JudgePool, Mode
from codefrontier.problems.levels import sorted_tests


@dataclass
class CheckResult:
    problem_id: str
    check: str
    ok: bool
    detail: str = ""
    margins: Margins | None = None  # for the checks of a solution's margins


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


Task = tuple[Problem, Sample]


def _solution_samples(problems: Sequence[Problem]) -> tuple[list[Task], list[Task]]:
    references, wrong = [], []
    for problem in problems:
        for i, solution in enumerate(problem.solutions):
            sample = Sample(
                problem.id,
                f"{solution.name} ({solution.language})",
                i,
                solution.language,
                solution.code,
                policy_meta={"expected": solution.expected.value},
            )
            (references if solution.expected is Verdict.AC else wrong).append((problem, sample))
    return references, wrong


def _lowest_level(problem: Problem) -> list[str]:
    """The tests of the lowest coverage level: the first tier, or the smallest test."""
    ordered = sorted_tests(problem)
    return [t.id for t in ordered if problem.tiers and t.tier == problem.tiers[0]] or [ordered[0].id]


def _margins(
    problem: Problem, result: SampleResult, scale: float, faster_run: Sequence[TestResult] | None = None
) -> Margins:
    """The margins against the time limit as judged here: the problem's, times `scale`."""
    return solution_margins(
        Verdict(result.policy_meta.get("expected", "AC")),
        result.tests,
        problem.time_limit_for(result.language) * scale,
        problem.memory_mb,
        lowest_level=_lowest_level(problem),
        faster_run=faster_run,
    )


def _margin_check(problem: Problem, result: SampleResult, margins: Margins, name: str) -> CheckResult:
    failures = margins.failures()
    detail = margins.describe()
    if failures:
        detail = "; ".join(failures) + " — " + detail
    return CheckResult(problem.id, name, not failures, detail, margins)


def _reference_checks(problem: Problem, result: SampleResult, scale: float) -> list[CheckResult]:
    name = f"{result.policy} is AC on every test"
    failed = [f"{t.test_id}: {t.verdict.value}" for t in result.tests if t.verdict is not Verdict.AC]
    ok = not failed and result.tests_passed == len(problem.tests)
    checks = [CheckResult(problem.id, name, ok, ", ".join(failed[:5]) or f"{result.tests_passed} tests")]
    if ok:
        checks.append(
            _margin_check(
                problem,
                result,
                _margins(problem, result, scale),
                f"{result.policy} stays AC on a machine {MARGIN:g}x slower",
            )
        )
    return checks


def _wrong_checks(
    problem: Problem, result: SampleResult, faster_run: Sequence[TestResult] | None, scale: float
) -> list[CheckResult]:
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
    if got == expected:
        checks.append(
            _margin_check(
                problem,
                result,
                _margins(problem, result, scale, faster_run),
                f"{result.policy} keeps {expected} on a machine {MARGIN:g}x slower or faster",
            )
        )
    if expected == "TLE":
        lowest = _lowest_level(problem)
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


def _faster_tasks(by_id: dict[str, Problem], wrong: list[SampleResult], tasks: list[Task]) -> list[Task]:
    """For each TLE-tagged solution that got TLE: its tests from the first failing one on,
    with the time limit times the margin (as on a machine that much faster)."""
    faster = []
    for result, (_, sample) in zip(wrong, tasks, strict=True):
        if result.policy_meta.get("expected") != "TLE" or result.verdict is not Verdict.TLE:
            continue
        problem = by_id[result.problem_id]
        ordered = sorted_tests(problem)
        start = next(i for i, t in enumerate(ordered) if t.id == result.first_failed_test)
        faster.append((restricted(problem, ordered[start:], time_factor=MARGIN), sample))
    return faster


CONFIRM_RUNS = 3  # a sample with a failed check is judged up to this many times; the majority decides

Key = tuple[str, str, int]  # a sample: problem id, policy (solution and language), index


def _key(sample: Sample | SampleResult) -> Key:
    return sample.problem_id, sample.policy, sample.sample


def _judge_round(
    pool: JudgePool,
    by_id: dict[str, Problem],
    references: list[Task],
    wrong: list[Task],
    scale: float,
    *,
    isolation: str,
    progress: bool,
    round_label: str = "",
) -> dict[Key, list[CheckResult]]:
    """Judge the references (all tests) and the known-wrong solutions (first fail, then each
    TLE again with its limit doubled) once, with every limit times `scale`: each sample's checks."""
    out: dict[Key, list[CheckResult]] = {}
    every_test = authoring_config(Mode.ALL, isolation, scale)
    results = judge_tasks(pool, references, every_test, progress=progress, label=f"references{round_label}")
    for result in results:
        out[_key(result)] = _reference_checks(by_id[result.problem_id], result, scale)
    first_fail = authoring_config(Mode.FIRST_FAIL, isolation, scale)
    wrong_results = judge_tasks(pool, wrong, first_fail, progress=progress, label=f"known-wrong{round_label}")
    faster_tasks = _faster_tasks(by_id, wrong_results, wrong)
    faster_runs = {
        _key(r): r.tests
        for r in judge_tasks(
            pool, faster_tasks, first_fail, progress=progress, label=f"TLE, 2x limit{round_label}"
        )
    }
    for result in wrong_results:
        faster_run = faster_runs.get(_key(result))
        out[_key(result)] = _wrong_checks(by_id[result.problem_id], result, faster_run, scale)
    return out


def _passed(checks: list[CheckResult]) -> bool:
    return all(c.ok for c in checks)


def _decided(runs: list[list[CheckResult]]) -> list[CheckResult]:
    """One sample's checks from its runs, the first of which failed: the last passing run's
    when most runs passed, else the first run's; the detail of each check that failed says
    on which runs. (Every check that can fail is made in a passing run too.)"""
    passed = [i for i, checks in enumerate(runs) if _passed(checks)]
    failed = [i for i in range(len(runs)) if i not in passed]
    of = f"of {len(runs)}"
    if 2 * len(passed) > len(runs):
        first = {c.check: c.detail for c in runs[0] if not c.ok}
        return [
            dataclasses.replace(
                c,
                detail=f"{c.detail} [passed on runs {_runs(passed)} {of}; run 1 failed: {first[c.check]}]",
            )
            if c.check in first
            else c
            for c in runs[passed[-1]]
        ]
    return [
        c if c.ok else dataclasses.replace(c, detail=f"{c.detail} [failed on runs {_runs(failed)} {of}]")
        for c in runs[0]
    ]


def _majority(runs: list[list[CheckResult]]) -> bool:
    """Whether most of CONFIRM_RUNS runs already agree (passed, or failed)."""
    passed = sum(_passed(checks) for checks in runs)
    return 2 * max(passed, len(runs) - passed) > CONFIRM_RUNS


def _runs(indexes: Sequence[int]) -> str:
    numbers = [str(i + 1) for i in indexes]
    return numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]


@dataclass
class Validation:
    """Every check's row, the speed of this machine the limits were scaled by, and how many
    samples were judged again after a failed check (`rechecked`) and passed then (`recovered`)."""

    checks: list[CheckResult]
    speed: MachineSpeed
    rechecked: int = 0
    recovered: int = 0

    @property
    def failed(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.ok]

    def tightest_margins(self) -> list[str]:
        """The smallest margin of each kind over every solution, and whose it is."""
        kinds: dict[str, Callable[[Margins], float | None]] = {
            "slower": lambda m: m.slower,
            "faster (TLE)": lambda m: m.faster,
            "memory": lambda m: m.memory,
        }
        out = []
        for label, value in kinds.items():
            rated = [
                (factor, c)
                for c in self.checks
                if c.margins is not None
                and (factor := value(c.margins)) is not None
                and not math.isinf(factor)
            ]
            if rated:
                factor, check = min(rated, key=lambda pair: pair[0])
                out.append(f"{label} {factor:.1f}x ({check.problem_id} {check.check.split(' (', 1)[0]})")
        return out

    def describe_rechecks(self) -> str:
        """One line for a report: how many samples a failed check sent back to be judged again."""
        if not self.rechecked:
            return ""
        return (
            f"{self.rechecked} solution(s) judged again after a failed check (up to {CONFIRM_RUNS} runs, "
            f"the machine's speed measured again before each): {self.recovered} passed on most runs"
        )


def validate(
    problems: Sequence[Problem],
    *,
    jobs: int | None = None,
    isolation: str = "auto",
    progress: bool = False,
    speed: MachineSpeed | None = None,
) -> Validation:
    """Run every check on every problem: one row per check (ok or not). The judging passes
    run with every time limit scaled by this machine's speed against the calibration
    machine (measured first, unless `speed` is given; speed.py). A solution with a failed
    check is judged again, up to CONFIRM_RUNS runs in all, with the speed measured again
    before each (unless `speed` is given): its checks are those of the majority of its runs
    (CPU time on a shared machine is noisy; a real violation fails every run). `progress`:
    show a bar per judging pass."""
    checks: list[CheckResult] = []
    for problem in problems:
        checks.append(_distinct_tests(problem))
        checks.extend(_generator_checks(problem))
        if not any(s.expected is Verdict.AC for s in problem.solutions):
            checks.append(CheckResult(problem.id, "has a reference solution", False, "no solution tagged AC"))
    references, wrong = _solution_samples(problems)
    by_id = {p.id: p for p in problems}
    measured = speed is None
    with JudgePool.local(authoring_config(Mode.ALL, isolation), jobs) as pool:
        if speed is None:
            speed = measure_speed(pool, problems, isolation=isolation, progress=progress)
        per_sample = _judge_round(
            pool, by_id, references, wrong, speed.factor, isolation=isolation, progress=progress
        )
        runs = {key: [found] for key, found in per_sample.items() if not _passed(found)}
        pending = set(runs)
        for attempt in range(2, CONFIRM_RUNS + 1):
            if not pending:
                break
            now = measure_speed(pool, problems, isolation=isolation) if measured else speed
            again = _judge_round(
                pool,
                by_id,
                [t for t in references if _key(t[1]) in pending],
                [t for t in wrong if _key(t[1]) in pending],
                now.factor,
                isolation=isolation,
                progress=progress,
                round_label=f", run {attempt}",
            )
            for key in pending:
                runs[key].append(again[key])
            pending = {key for key in pending if not _majority(runs[key])}
        for key, found in runs.items():
            per_sample[key] = _decided(found)
    for found in per_sample.values():
        checks.extend(found)
    order = {p.id: i for i, p in enumerate(problems)}
    checks.sort(key=lambda c: (order[c.problem_id], c.check))
    recovered = sum(_passed(per_sample[key]) for key in runs)
    return Validation(checks, speed, rechecked=len(runs), recovered=recovered)
