"""Build the bundled benchmark from its spec directories, with the judge.

    python -m codefrontier.authoring.build [--only SLUG ...] [--out PATH] [--recalibrate]

For each spec (`problems/bundled/specs/`, format in `problems/bundled/AUTHORING.md`):
generate the tiered tests (checking determinism, also in a fresh interpreter, caps and
tier order); run ref.py on every test in the sandbox, as the judge runs a Python program,
and take its output as the expected output; then judge ref.py and ref.cpp on every test
with the judge — its languages (compiler and flags), its sandbox and limits, its output
comparison or the problem's checker program run by its protocol — and both must be AC.
Nothing here runs or compares a program any other way, so the references are certified
under the very rules that later judge samples.

One CPU limit per language is calibrated from the references' times as the judge
measured them:

    limit = max(floor, 3 x slowest reference test), rounded up to 0.1 s
    floors: python 1.0 s, cpp 0.5 s

The slowest few tests are judged twice more and timed by the median, damping one-off
noise. CPU time grows with load (docs/authoring.md), so when some problems keep their
limits, this machine's speed is first measured against them (their references on their
recorded slowest tests) and the new times are divided by it: all limits of the file then
come from one machine's speed. The file is deterministic: problems sorted by id, gzip without a time stamp, and
measured times are the only input that varies between machines. To keep rebuilds
byte-identical, the times of a problem whose spec files are unchanged (same
`spec_sha256`) are taken from the existing file; `--recalibrate` measures them afresh.
With `--only`, the named problems are rebuilt and the others in the file are kept.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from codefrontier.authoring.judging import authoring_config, judge_tasks, restricted
from codefrontier.authoring.speed import MachineSpeed, measure_speed
from codefrontier.contracts import (
    CheckerKind,
    Problem,
    ProblemKind,
    Sample,
    SampleResult,
    Solution,
    TestCase,
    Verdict,
)
from codefrontier.errors import CodefrontierError, InputError
from codefrontier.judge import JudgePool, Mode, default_jobs
from codefrontier.languages import get_language
from codefrontier.problems.bundled.authoring import (
    PUBLIC_TIER,
    SPECS_DIR,
    GeneratedTest,
    ProblemSpec,
    check_generation_in_fresh_process,
    generate_tests,
    load_specs,
    suite_digest,
)
from codefrontier.problems.io import load_problems, save_problems
from codefrontier.sandbox import Sandbox, memfd_from_bytes

DEFAULT_OUT = Path(str(files("codefrontier.problems") / "data" / "bundled.jsonl.gz"))
GENERATOR_NAME = "codefrontier.problems.bundled"
SOURCE = "bundled"

REF_FILES = {"python": "ref.py", "cpp": "ref.cpp"}
LIMIT_FLOORS_S = {"python": 1.0, "cpp": 0.5}
LIMIT_MULTIPLIER = 3
REF_TIME_CAP_S = 10.0  # a reference slower than this on one test is a spec error
REMEASURED_TESTS = 3  # the slowest tests per language are judged this many more times...
REMEASURE_RUNS = 2  # ...and their median time is the one calibrated on

ProgressFn = Callable[[str], None]


# --------------------------------------------------------------------------- calibration


@dataclass(frozen=True)
class Calibration:
    """One language's time limit, derived from its reference's slowest test."""

    language: str
    ref_cpu_s: float  # CPU seconds of the reference on its slowest test (rounded to ms)
    slowest_test: str

    @property
    def raw_s(self) -> float:
        return LIMIT_MULTIPLIER * self.ref_cpu_s

    @property
    def limit_s(self) -> float:
        return max(LIMIT_FLOORS_S[self.language], ceil_tenth(self.raw_s))

    def note(self) -> str:
        floor = LIMIT_FLOORS_S[self.language]
        rounded = ceil_tenth(self.raw_s)
        outcome = f"floor {floor:.1f} s" if rounded <= floor else f"{rounded:.1f} s"
        return (
            f"{self.language}: {LIMIT_MULTIPLIER} x {self.ref_cpu_s:.3f} s (slowest ref test "
            f"{self.slowest_test}) = {self.raw_s:.3f} s -> {outcome}"
        )


def ceil_tenth(seconds: float) -> float:
    """Round up to a multiple of 0.1 s (guarding against 0.3 * 3 = 0.9000000000000001)."""
    return math.ceil(round(seconds * 10, 6)) / 10


def limits_note(calibrations: Sequence[Calibration]) -> str:
    return "; ".join(c.note() for c in calibrations)


def reused_calibrations(spec: ProblemSpec, previous: Problem | None) -> list[Calibration] | None:
    """The calibrations recorded in `previous`, if it was built from these very spec files."""
    if previous is None or previous.metadata.get("spec_sha256") != spec.fingerprint():
        return None
    times: Any = previous.metadata.get("ref_cpu_s")
    slowest: Any = previous.metadata.get("ref_slowest_test")
    if not isinstance(times, dict) or not isinstance(slowest, dict):
        return None
    try:
        return [
            Calibration(language=lang, ref_cpu_s=float(times[lang]), slowest_test=str(slowest[lang]))
            for lang in REF_FILES
        ]
    except (KeyError, TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- building


def assemble_problem(
    spec: ProblemSpec,
    tests: Sequence[GeneratedTest],
    expected: Sequence[str],
    calibrations: Sequence[Calibration],
) -> Problem:
    limits = {c.language: c.limit_s for c in calibrations}
    return Problem(
        id=spec.id,
        kind=ProblemKind.STDIO,
        statement=spec.statement,
        tests=[
            TestCase(
                id=t.id,
                input=t.input,
                output=out,
                size=t.size,
                hidden=t.tier != PUBLIC_TIER,
                tier=t.tier,
            )
            for t, out in zip(tests, expected, strict=True)
        ],
        time_limit_s=limits["python"],
        memory_mb=spec.memory_mb,
        checker=spec.checker,
        time_limits=limits,
        tiers=list(spec.tiers),
        source=SOURCE,
        solutions=[Solution(s.name, s.language, s.code, s.expected) for s in spec.solutions],
        limits_note=limits_note(calibrations),
        metadata={
            "title": spec.title,
            "topic": spec.topic,
            "seed": spec.seed,
            "generator": GENERATOR_NAME,
            "ref_cpu_s": {c.language: c.ref_cpu_s for c in calibrations},
            "ref_slowest_test": {c.language: c.slowest_test for c in calibrations},
            "spec_sha256": spec.fingerprint(),
        },
    )


class Builder:
    """Builds problems from specs on one judge pool (and one sandbox, where ref.py runs to
    give the expected outputs). Use as a context manager."""

    def __init__(self, *, jobs: int | None = None, isolation: str = "auto") -> None:
        self.isolation = isolation
        self.speed = MachineSpeed()  # measured times are divided by its factor
        self.config = authoring_config(Mode.ALL, isolation)
        self.pool = JudgePool.local(self.config, jobs or default_jobs())
        try:
            self.sandbox = Sandbox(isolation)
        except BaseException:
            self.pool.close()
            raise

    def __enter__(self) -> Builder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.sandbox.close()
        finally:
            self.pool.close()

    def measure_speed(self, calibrated: Sequence[Problem]) -> MachineSpeed:
        """How much slower this machine runs now than the one that calibrated `calibrated`
        (problems kept as they are): new times are divided by it, so one benchmark's limits
        all come from one machine's speed, however busy this one is (speed.py)."""
        self.speed = measure_speed(self.pool, calibrated, isolation=self.isolation)
        return self.speed

    def build(
        self, spec: ProblemSpec, *, previous: Problem | None = None, say: ProgressFn | None = None
    ) -> Problem:
        """One Problem from its spec: tests, expected outputs, calibrated limits. `previous`
        is this problem as built before: when its `spec_sha256` matches the spec files, its
        measured reference times are reused so the output stays byte-identical."""
        tests = generate_tests(spec)
        check_generation_in_fresh_process(spec, suite_digest(tests))
        expected = self._answers(spec, tests)
        unmeasured = [Calibration(language, 0.0, "-") for language in REF_FILES]
        provisional = with_time_limit(assemble_problem(spec, tests, expected, unmeasured), REF_TIME_CAP_S)
        references = [_reference_sample(spec, name, 0) for name in REF_FILES.values()]
        judged = judge_tasks(self.pool, [(provisional, s) for s in references], self.config)
        for result in judged:
            _check_accepted(spec, result)
        calibrations = reused_calibrations(spec, previous)
        if calibrations is None:
            calibrations = [self._calibrate(spec, provisional, result) for result in judged]
            if say is not None:
                say(f"{spec.id}: limits calibrated from the references' measured CPU times")
        elif say is not None:
            say(f"{spec.id}: spec unchanged, limits reused from the previous build")
        return assemble_problem(spec, tests, expected, calibrations)

    def _answers(self, spec: ProblemSpec, tests: Sequence[GeneratedTest]) -> list[str]:
        """ref.py's output on every test, run as the judge runs a Python program."""
        solution = spec.solution(REF_FILES["python"])
        path = spec.directory / solution.name
        language = get_language(solution.language)
        shell = Problem(
            spec.id, ProblemKind.STDIO, "", [], time_limit_s=REF_TIME_CAP_S, memory_mb=spec.memory_mb
        )
        limits = self.config.limits_for(shell, solution.language)
        program = language.prepare(language.program_for(shell, solution.code), self.sandbox)
        answers = []
        try:
            if program.compile_error is not None:
                raise InputError(f"does not compile: {program.compile_error}", path=path)
            for test in tests:
                stdin = memfd_from_bytes(test.input.encode(), "stdin")
                try:
                    run = language.run(self.sandbox, program, stdin, limits)
                finally:
                    os.close(stdin)
                verdict, detail = language.verdict_of(run, limits)
                if verdict is not Verdict.AC:
                    raise InputError(_failure(verdict, test.id, detail, spec.memory_mb), path=path)
                if not run.stdout.strip():
                    raise InputError(f"printed nothing on test {test.id}", path=path)
                try:
                    answers.append(run.stdout.decode("utf-8"))
                except UnicodeDecodeError:
                    raise InputError(
                        f"printed output that is not UTF-8 on test {test.id}", path=path
                    ) from None
        finally:
            program.close()
        return answers

    def _calibrate(self, spec: ProblemSpec, problem: Problem, first: SampleResult) -> Calibration:
        """The reference's time on its slowest test: the slowest few tests of the first pass
        are judged again and each is timed by the median of its runs."""
        times = {t.test_id: [t.cpu_s] for t in first.tests}
        slowest = sorted(first.tests, key=lambda t: (-t.cpu_s, t.test_index))[:REMEASURED_TESTS]
        ids = {t.test_id for t in slowest}
        again = restricted(problem, [t for t in problem.tests if t.id in ids])
        name = first.policy
        tasks = [(again, _reference_sample(spec, name, run)) for run in range(1, REMEASURE_RUNS + 1)]
        for result in judge_tasks(self.pool, tasks, self.config):
            _check_accepted(spec, result)
            for t in result.tests:
                times[t.test_id].append(t.cpu_s)
        medians = {tid: statistics.median(times[tid]) / self.speed.factor for tid in ids}
        worst = max(slowest, key=lambda t: (medians[t.test_id], -t.test_index))
        return Calibration(first.language, round(medians[worst.test_id], 3), worst.test_id)


def with_time_limit(problem: Problem, seconds: float) -> Problem:
    """`problem` with one CPU limit for every language."""
    return dataclasses.replace(
        problem, time_limit_s=seconds, time_limits=dict.fromkeys(problem.time_limits, seconds)
    )


def _reference_sample(spec: ProblemSpec, name: str, index: int) -> Sample:
    solution = spec.solution(name)
    return Sample(spec.id, solution.name, index, solution.language, solution.code)


def _failure(verdict: Verdict, test_id: str, detail: str, memory_mb: int) -> str:
    if verdict is Verdict.TLE:
        return f"took more than {REF_TIME_CAP_S:.0f} s of CPU on test {test_id}; a reference must be fast"
    if verdict is Verdict.MLE:
        return f"exceeded the memory limit ({memory_mb} MiB) on test {test_id}"
    return f"{verdict.value} on test {test_id}" + (f": {detail}" if detail else "")


def _check_accepted(spec: ProblemSpec, result: SampleResult) -> None:
    """A reference must be AC on every test; otherwise name the file at fault and why."""
    path = spec.directory / result.policy
    failing = next((t for t in result.tests if t.verdict is not Verdict.AC), None)
    if failing is None and result.verdict is Verdict.AC:
        return
    if failing is None:  # judged nothing: the judge's own failure
        raise InputError(f"the judge could not judge it: {result.detail}", path=path)
    detail = failing.detail
    if failing.verdict is Verdict.CE:
        raise InputError(f"does not compile: {detail}", path=path)
    if failing.verdict is Verdict.IE:
        at = spec.checker_file if spec.checker_file is not None else path
        raise InputError(
            f"the judge failed on test {failing.test_id} judging {result.policy}: {detail}", path=at
        )
    if failing.verdict is Verdict.WA and spec.checker.kind is CheckerKind.PROGRAM:
        raise InputError(
            f"the checker rejects this reference's output on test {failing.test_id}: {detail}", path=path
        )
    if failing.verdict is Verdict.WA:
        raise InputError(f"disagrees with ref.py on test {failing.test_id}: {detail}", path=path)
    raise InputError(_failure(failing.verdict, failing.test_id, detail, spec.memory_mb), path=path)


def build_benchmark(
    out: str | Path = DEFAULT_OUT,
    *,
    only: Sequence[str] | None = None,
    specs_dir: str | Path = SPECS_DIR,
    recalibrate: bool = False,
    jobs: int | None = None,
    isolation: str = "auto",
    progress: ProgressFn | None = None,
) -> list[Problem]:
    """Build the specs under `specs_dir` (or only those named) and write the benchmark to
    `out` (nothing is written unless every spec builds). Returns every problem written,
    sorted by id."""
    out = Path(out)
    specs = load_specs(Path(specs_dir), only)
    existing = _existing_problems(out, required=only is not None)
    previous = {} if recalibrate else existing
    say = progress or (lambda line: None)
    built: dict[str, Problem] = {}
    to_calibrate = {s.id for s in specs if reused_calibrations(s, previous.get(s.id)) is None}
    kept = [p for pid, p in previous.items() if pid not in to_calibrate]
    with Builder(jobs=jobs, isolation=isolation) as builder:
        if to_calibrate and kept:
            say("measuring this machine's speed against the problems whose limits are kept")
            say(builder.measure_speed(kept).describe("new times divided by"))
        for number, spec in enumerate(specs, 1):
            say(f"[{number}/{len(specs)}] {spec.id}: generating tests, judging the references")
            problem = builder.build(spec, previous=previous.get(spec.id), say=say)
            built[problem.id] = problem
            say(f"[{number}/{len(specs)}] {spec.id}: {summary_line(problem)}")
    problems = dict(existing) if only is not None else {}
    problems.update(built)
    ordered = [problems[pid] for pid in sorted(problems)]
    save_problems(out, ordered)  # atomic; a .gz is written without a time stamp
    return ordered


def _existing_problems(out: Path, *, required: bool) -> dict[str, Problem]:
    if not out.exists():
        return {}
    try:
        return {p.id: p for p in load_problems(out)}
    except InputError:
        if required:  # --only keeps the other problems, so the file must be readable
            raise
        return {}


def summary_line(problem: Problem) -> str:
    size = sum(t.size for t in problem.tests)
    times = problem.metadata["ref_cpu_s"]
    return (
        f"{len(problem.tests)} tests, {size / 1000:.0f} KB; ref cpu python {times['python']:.3f} s, "
        f"cpp {times['cpp']:.3f} s -> limits python {problem.time_limits['python']:.1f} s, "
        f"cpp {problem.time_limits['cpp']:.1f} s"
    )


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m codefrontier.authoring.build",
        description="Build the bundled benchmark: generate tiered tests, judge the reference solutions "
        "with the judge, calibrate per-language time limits, write a deterministic .jsonl.gz.",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        action="extend",
        metavar="SLUG",
        help="build only these problems; the other problems already in --out are kept",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output file (default: {DEFAULT_OUT})")
    parser.add_argument("--specs", type=Path, default=SPECS_DIR, help="directory of problem specs")
    parser.add_argument(
        "--recalibrate",
        action="store_true",
        help="measure reference times afresh even for problems whose spec files are unchanged",
    )
    parser.add_argument("--jobs", type=int, default=None, help="worker sandboxes (default: one per core)")
    parser.add_argument(
        "--isolation",
        default="auto",
        choices=("auto", "full", "namespaces", "rlimits"),
        help="sandbox isolation level (default: the strongest available; see `codefrontier doctor`)",
    )
    args = parser.parse_args(argv)
    try:
        from rich.console import Console
        from rich.markup import escape

        console = Console(stderr=True, highlight=False, soft_wrap=True)
        with console.status("building") as status:

            def progress(line: str) -> None:
                if line.endswith("judging the references"):
                    status.update(line)
                else:
                    console.print(escape(line))

            problems = build_benchmark(
                args.out,
                only=args.only,
                specs_dir=args.specs,
                recalibrate=args.recalibrate,
                jobs=args.jobs,
                isolation=args.isolation,
                progress=progress,
            )
    except CodefrontierError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 2
    tests = sum(len(p.tests) for p in problems)
    print(f"wrote {len(problems)} problems ({tests} tests) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
