"""Build the bundled benchmark file from the spec directories.

    python -m codefrontier.problems.bundled.build [--only SLUG ...] [--out PATH] [--recalibrate]

For each spec: generate the tiered tests (checking determinism, caps and tier order),
run ref.py and ref.cpp on every test through a `Runner`, check that they agree (or that
the checker program accepts both), take ref.py's output as the expected output, and
calibrate one CPU limit per language from the references' measured times:

    limit = max(floor, 3 x slowest reference test), rounded up to 0.1 s
    floors: python 1.0 s, cpp 0.5 s

The file is deterministic: problems sorted by id, gzip mtime 0, and measured times are
the only input that varies between machines. To keep rebuilds byte-identical, the
times of a problem whose spec files are unchanged (same `spec_sha256`) are taken from
the existing output file; `--recalibrate` measures them afresh. With `--only`, the
named problems are rebuilt and the others in the existing file are kept as they are.

Runs go through the `Runner` protocol so the sandboxed judge can replace
`SubprocessRunner` (plain child processes with rlimits). Runs are serial: CPU times
are measured per run, and the limits are derived from them.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import math
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import codefrontier
from codefrontier.contracts import Checker, CheckerKind, Problem, ProblemKind, Solution, TestCase
from codefrontier.errors import CodefrontierError, InputError, UnknownLanguageError
from codefrontier.problems.bundled.authoring import (
    PUBLIC_TIER,
    SPECS_DIR,
    GeneratedTest,
    ProblemSpec,
    generate_tests,
    load_specs,
    suite_digest,
)
from codefrontier.problems.io import load_problems, save_problems

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "data" / "bundled.jsonl.gz"
GENERATOR_NAME = "codefrontier.problems.bundled"
SOURCE = "bundled"

REF_FILES = {"python": "ref.py", "cpp": "ref.cpp"}
LIMIT_FLOORS_S = {"python": 1.0, "cpp": 0.5}
LIMIT_MULTIPLIER = 3
REF_TIME_CAP_S = 10.0  # a reference slower than this on one test is a spec error
REMEASURED_TESTS = 3  # the slowest tests per language are run this many more times...
REMEASURE_RUNS = 2  # ...and their median time is the one calibrated on
CHECKER_TIMEOUT_S = 60.0
CXX_FLAGS = ("-O2", "-std=c++17")


# --------------------------------------------------------------------------- runners


@dataclass
class RunOutcome:
    """What one run of a program on one input produced."""

    stdout: bytes
    cpu_s: float
    exit_code: int  # negative: killed by that signal
    timed_out: bool
    stderr: bytes = b""


class CompileError(CodefrontierError):
    """A runner could not compile a program; `log` is the compiler's output."""

    def __init__(self, language: str, log: str) -> None:
        self.language = language
        self.log = log
        super().__init__(f"{language} compilation failed:\n{log}")


class Runner(Protocol):
    """Runs a program on one input. Raises CompileError when the code does not compile."""

    def run(
        self, language: str, code: str, stdin: bytes, time_limit_s: float, memory_mb: int
    ) -> RunOutcome: ...


class SubprocessRunner:
    """Runs programs as plain child processes under rlimits (CPU, address space, file
    size, no core dumps), measuring CPU time as the RUSAGE_CHILDREN delta around each
    run. C++ is compiled once per distinct source (cached by sha256) with
    `g++ -O2 -std=c++17`; Python runs with this interpreter. Runs are serialised so
    the rusage deltas belong to one child each."""

    def __init__(
        self, *, python: str = sys.executable, cxx: str = "g++", workdir: Path | None = None
    ) -> None:
        self.python = python
        self.cxx = cxx
        self._own_workdir = workdir is None
        self.workdir = Path(tempfile.mkdtemp(prefix="codefrontier-build-")) if workdir is None else workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._programs: dict[tuple[str, str], list[str]] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> SubprocessRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the compiled programs (only when this runner made the directory)."""
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def run(self, language: str, code: str, stdin: bytes, time_limit_s: float, memory_mb: int) -> RunOutcome:
        with self._lock:
            argv = self._program(language, code)
            return self._run(argv, stdin, time_limit_s, memory_mb)

    def _program(self, language: str, code: str) -> list[str]:
        key = (language, hashlib.sha256(code.encode()).hexdigest())
        if key in self._programs:
            return self._programs[key]
        directory = self.workdir / f"{language}-{key[1][:20]}"
        directory.mkdir(exist_ok=True)
        if language == "python":
            source = directory / "main.py"
            source.write_text(code, encoding="utf-8")
            argv = [self.python, str(source)]
        elif language == "cpp":
            source = directory / "main.cpp"
            source.write_text(code, encoding="utf-8")
            binary = directory / "main"
            proc = subprocess.run(
                [self.cxx, *CXX_FLAGS, "-o", str(binary), str(source)],
                capture_output=True,
                text=True,
                timeout=300,
            )
            if proc.returncode != 0:
                raise CompileError(language, proc.stderr.replace(str(source), "main.cpp").strip())
            argv = [str(binary)]
        else:
            raise UnknownLanguageError(f"SubprocessRunner runs python and cpp, not {language!r}")
        self._programs[key] = argv
        return argv

    def _run(self, argv: list[str], stdin: bytes, time_limit_s: float, memory_mb: int) -> RunOutcome:
        cpu_backstop = math.ceil(time_limit_s + 0.5)  # RLIMIT_CPU counts whole seconds
        memory_bytes = memory_mb * 1024 * 1024

        def limit_child() -> None:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_backstop, cpu_backstop + 1))
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
            resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.workdir,
            env=env,
            preexec_fn=limit_child,
            start_new_session=True,
        )
        wall_timeout = False
        try:
            out, err = proc.communicate(stdin, timeout=2 * time_limit_s + 5)
        except subprocess.TimeoutExpired:
            wall_timeout = True
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        timed_out = wall_timeout or cpu_s > time_limit_s or proc.returncode == -signal.SIGXCPU
        return RunOutcome(stdout=out, cpu_s=cpu_s, exit_code=proc.returncode, timed_out=timed_out, stderr=err)


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


# --------------------------------------------------------------------------- building


ProgressFn = Callable[[str], None]


def build_problem(
    spec: ProblemSpec,
    runner: Runner,
    *,
    previous: Problem | None = None,
    check_fresh_process: bool = True,
) -> Problem:
    """Build one Problem from its spec: tests, expected outputs, calibrated limits.

    `previous` is this problem as built before; when its `spec_sha256` matches the spec
    files, its measured reference times are reused so the output stays byte-identical.
    """
    tests = generate_tests(spec)
    if check_fresh_process:
        check_generation_in_fresh_process(spec, suite_digest(tests))
    outputs: dict[str, list[bytes]] = {}
    times: dict[str, list[float]] = {}
    for language, name in REF_FILES.items():
        solution = spec.solution(name)
        runs = [run_reference(runner, spec, solution, t) for t in tests]
        outputs[language] = [r.stdout for r in runs]
        times[language] = [r.cpu_s for r in runs]
    expected = [decode_output(spec, out, t) for out, t in zip(outputs["python"], tests, strict=True)]
    check_references_agree(spec, tests, outputs["python"], outputs["cpp"])
    calibrations = reused_calibrations(spec, previous) or [
        measure_calibration(runner, spec, spec.solution(REF_FILES[lang]), tests, times[lang])
        for lang in REF_FILES
    ]
    return assemble_problem(spec, tests, expected, calibrations)


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


def run_reference(runner: Runner, spec: ProblemSpec, solution: Solution, test: GeneratedTest) -> RunOutcome:
    """Run a reference on one test; it must compile, finish in time, exit 0 and print something."""
    path = spec.directory / solution.name
    try:
        outcome = runner.run(
            solution.language, solution.code, test.input.encode(), REF_TIME_CAP_S, spec.memory_mb
        )
    except CompileError as exc:
        raise InputError(f"does not compile with g++ {' '.join(CXX_FLAGS)}:\n{exc.log}", path=path) from None
    if outcome.timed_out:
        raise InputError(
            f"took more than {REF_TIME_CAP_S:.0f} s of CPU on test {test.id}; a reference must be fast",
            path=path,
        )
    if outcome.exit_code != 0:
        tail = outcome.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise InputError(
            f"exited with code {outcome.exit_code} on test {test.id} (memory limit {spec.memory_mb} MiB)"
            + (": " + " | ".join(tail) if tail else ""),
            path=path,
        )
    if not outcome.stdout.strip():
        raise InputError(f"printed nothing on test {test.id}", path=path)
    return outcome


def decode_output(spec: ProblemSpec, output: bytes, test: GeneratedTest) -> str:
    try:
        return output.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(
            f"printed output that is not UTF-8 on test {test.id}", path=spec.directory / "ref.py"
        ) from None


def check_references_agree(
    spec: ProblemSpec, tests: Sequence[GeneratedTest], py_out: Sequence[bytes], cpp_out: Sequence[bytes]
) -> None:
    """ref.cpp must give ref.py's answer on every test, as the problem's checker sees it."""
    if spec.checker.kind is CheckerKind.PROGRAM:
        assert spec.checker_file is not None
        for test, expected, got in zip(tests, py_out, cpp_out, strict=True):
            for name, output in (("ref.py", expected), ("ref.cpp", got)):
                code, reason = run_checker(spec.checker_file, test.input.encode(), expected, output)
                if code == 1:
                    raise InputError(
                        f"the checker rejects this reference's output on test {test.id}: {reason}",
                        path=spec.directory / name,
                    )
                if code != 0:
                    raise InputError(
                        f"checker failed (exit code {code}) on test {test.id} judging {name}: {reason}",
                        path=spec.checker_file,
                    )
        return
    for test, expected, got in zip(tests, py_out, cpp_out, strict=True):
        reason = outputs_differ(spec.checker, expected, got)
        if reason:
            raise InputError(
                f"disagrees with ref.py on test {test.id}: {reason}", path=spec.directory / "ref.cpp"
            )


def outputs_differ(checker: Checker, expected: bytes, got: bytes) -> str | None:
    """Why `got` is not the same answer as `expected` under `checker` (None if it is)."""
    if checker.kind is CheckerKind.EXACT:
        if expected.rstrip(b"\n") != got.rstrip(b"\n"):
            return "outputs differ byte for byte"
        return None
    want, have = expected.split(), got.split()
    if len(want) != len(have):
        return f"ref.py printed {len(want)} tokens, ref.cpp {len(have)}"
    for i, (a, b) in enumerate(zip(want, have, strict=True)):
        if a == b:
            continue
        if checker.kind is CheckerKind.FLOAT and floats_close(a, b, checker):
            continue
        return f"token {i + 1}: ref.py printed {a[:40]!r}, ref.cpp {b[:40]!r}"
    return None


def floats_close(a: bytes, b: bytes, checker: Checker) -> bool:
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    if math.isnan(x) or math.isnan(y):
        return False
    return abs(x - y) <= max(checker.abs_tol, checker.rel_tol * abs(x))


def run_checker(checker_file: Path, test_input: bytes, expected: bytes, output: bytes) -> tuple[int, str]:
    """Run `python3 checker.py INPUT EXPECTED OUTPUT`; (exit code, its one-line reason)."""
    with tempfile.TemporaryDirectory(prefix="codefrontier-check-") as tmp:
        paths = []
        for name, data in (("input.txt", test_input), ("expected.txt", expected), ("output.txt", output)):
            path = Path(tmp) / name
            path.write_bytes(data)
            paths.append(str(path))
        try:
            proc = subprocess.run(
                [sys.executable, str(checker_file), *paths],
                capture_output=True,
                timeout=CHECKER_TIMEOUT_S,
                cwd=tmp,
            )
        except subprocess.TimeoutExpired:
            return -1, f"did not finish in {CHECKER_TIMEOUT_S:.0f} s"
    text = (proc.stdout or proc.stderr).decode(errors="replace").strip()
    lines = text.splitlines()
    return proc.returncode, (lines[-1] if proc.returncode not in (0, 1) and lines else text[:200])


def measure_calibration(
    runner: Runner,
    spec: ProblemSpec,
    solution: Solution,
    tests: Sequence[GeneratedTest],
    first_times: Sequence[float],
) -> Calibration:
    """The reference's time on its slowest test: the slowest few tests of the first pass
    are run again and each is timed by the median of its runs, damping one-off noise."""
    slowest = sorted(range(len(tests)), key=lambda i: (-first_times[i], i))[:REMEASURED_TESTS]
    best_index, best_time = slowest[0], -1.0
    for i in slowest:
        runs = [first_times[i]]
        runs += [run_reference(runner, spec, solution, tests[i]).cpu_s for _ in range(REMEASURE_RUNS)]
        median = statistics.median(runs)
        if median > best_time:
            best_index, best_time = i, median
    language = solution.language
    return Calibration(language=language, ref_cpu_s=round(best_time, 3), slowest_test=tests[best_index].id)


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


def check_generation_in_fresh_process(spec: ProblemSpec, digest: str) -> None:
    """Generate the suite again in a fresh interpreter with another hash seed: this catches
    what two calls in one process cannot (str hashing, set order, unseeded randomness)."""
    src_dir = Path(codefrontier.__file__).resolve().parents[1]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src_dir), env.get("PYTHONPATH")]))
    env["PYTHONHASHSEED"] = "2" if env.get("PYTHONHASHSEED") == "1" else "1"
    script = (
        "import sys\n"
        "from codefrontier.problems.bundled.authoring import generate_tests, load_spec, suite_digest\n"
        "print(suite_digest(generate_tests(load_spec(sys.argv[1]))))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(spec.directory)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        raise InputError(
            f"generating the tests in a fresh process failed: {lines[-1] if lines else proc.returncode}",
            path=spec.problem_file,
            field="generate",
        )
    if proc.stdout.strip() != digest:
        raise InputError(
            "not deterministic: a fresh interpreter generated different tests from the same seed; "
            "do not depend on str hashing, set iteration order or unseeded randomness",
            path=spec.problem_file,
            field="generate",
        )


def build_benchmark(
    out: str | Path = DEFAULT_OUT,
    *,
    only: Sequence[str] | None = None,
    specs_dir: str | Path = SPECS_DIR,
    runner: Runner | None = None,
    recalibrate: bool = False,
    progress: ProgressFn | None = None,
) -> list[Problem]:
    """Build the specs under `specs_dir` (or only those named) and write the benchmark to
    `out`. Returns every problem written, sorted by id."""
    out = Path(out)
    specs = load_specs(Path(specs_dir), only)
    existing = _existing_problems(out, required=only is not None)
    previous = {} if recalibrate else existing
    say = progress or (lambda line: None)
    own_runner = runner is None
    active: Runner = SubprocessRunner() if runner is None else runner
    built: dict[str, Problem] = {}
    try:
        for number, spec in enumerate(specs, 1):
            say(f"[{number}/{len(specs)}] {spec.id}: generating tests, running references")
            problem = build_problem(spec, active, previous=previous.get(spec.id))
            built[problem.id] = problem
            say(f"[{number}/{len(specs)}] {spec.id}: {summary_line(problem)}")
    finally:
        if own_runner and isinstance(active, SubprocessRunner):
            active.close()
    problems = dict(existing) if only is not None else {}
    problems.update(built)
    ordered = [problems[pid] for pid in sorted(problems)]
    write_benchmark(out, ordered)
    return ordered


def write_benchmark(out: Path, problems: Sequence[Problem]) -> None:
    """Write the problems atomically in the native format; `.gz` output is compressed with
    mtime 0 and no file name in the header, so equal problems give equal bytes."""
    if not out.name.endswith(".gz"):
        save_problems(out, problems)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".bundled-", dir=out.parent) as tmp:
        plain = Path(tmp) / "bundled.jsonl"
        save_problems(plain, problems)
        staged = Path(tmp) / "bundled.jsonl.gz"
        staged.write_bytes(gzip.compress(plain.read_bytes(), compresslevel=9, mtime=0))
        os.replace(staged, out)


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
        prog="python -m codefrontier.problems.bundled.build",
        description="Build the bundled benchmark: generate tiered tests, run the reference solutions, "
        "calibrate per-language time limits, write a deterministic .jsonl.gz.",
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
    parser.add_argument(
        "--runner",
        choices=("sandbox", "subprocess"),
        default="sandbox",
        help="sandbox (default): run and time programs exactly as the judge does; subprocess: plain child "
        "processes (for machines without the sandbox)",
    )
    args = parser.parse_args(argv)
    try:
        from rich.console import Console

        console = Console(stderr=True, highlight=False, soft_wrap=True)
        with console.status("building") as status:

            def progress(line: str) -> None:
                if line.endswith("running references"):
                    status.update(line)
                else:
                    console.print(line)

            if args.runner == "sandbox":
                from codefrontier.problems.bundled.sandbox_runner import SandboxRunner

                runner: Runner = SandboxRunner()
            else:
                runner = SubprocessRunner()
            try:
                problems = build_benchmark(
                    args.out,
                    only=args.only,
                    specs_dir=args.specs,
                    runner=runner,
                    recalibrate=args.recalibrate,
                    progress=progress,
                )
            finally:
                runner.close()
    except CodefrontierError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 2
    tests = sum(len(p.tests) for p in problems)
    print(f"wrote {len(problems)} problems ({tests} tests) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
