"""Read one bundled-problem spec directory and generate its tiered tests.

A spec directory (format: AUTHORING.md beside this file) holds `problem.py` (the
statement, constants and a `generate(tier, index, rng)` function), reference
solutions `ref.py`/`ref.cpp`, known-wrong solutions named `<tag>_<what>.<py|cpp>`,
and for checker problems a checker program. Everything here is pure Python and
needs no compiler: `codefrontier.authoring.build` judges the solutions. (The one program
run here is this module itself, in a fresh interpreter, to check that generation does not
depend on the interpreter's hash seed.)

Every malformed spec raises `InputError` naming the spec file and the field, so an
author can fix it without reading this module.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import subprocess
import sys
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codefrontier.contracts import Checker, CheckerKind, Solution, Verdict
from codefrontier.errors import InputError

SPECS_DIR = Path(__file__).resolve().parent / "specs"
PROBLEM_FILE = "problem.py"
PUBLIC_TIER = "tiny"  # the only tier whose tests the model may see (hidden=False)

# The built benchmark is checked into git: keep every problem's inputs small.
MAX_TEST_BYTES = 700_000
MAX_PROBLEM_BYTES = 1_500_000

REQUIRED_NAMES = ("ID", "TITLE", "TOPIC", "STATEMENT", "CHECKER", "MEMORY_MB", "SEED", "TIERS", "generate")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SOLUTION_RE = re.compile(r"^(?:ref|(?P<tag>tle|wa|mle|re)_[a-z0-9_]+)\.(?P<ext>py|cpp)$")
LANGUAGE_BY_EXT = {"py": "python", "cpp": "cpp"}

Generator = Callable[[str, int, random.Random], str]


@dataclass(frozen=True)
class ProblemSpec:
    """One problem as its author wrote it: constants from problem.py plus the files beside it."""

    id: str
    title: str
    topic: str
    statement: str
    checker: Checker
    memory_mb: int
    seed: int
    tiers: dict[str, int]  # tier name -> number of tests, smallest tier first
    generate: Generator = field(repr=False, compare=False)
    directory: Path
    solutions: tuple[Solution, ...] = ()
    checker_file: Path | None = None

    @property
    def problem_file(self) -> Path:
        return self.directory / PROBLEM_FILE

    def solution(self, name: str) -> Solution:
        """The solution whose file is `name` (e.g. "ref.py")."""
        for s in self.solutions:
            if s.name == name:
                return s
        raise KeyError(f"{self.directory.name}: no solution file {name!r}")

    def fingerprint(self) -> str:
        """sha256 over every file of the spec directory: names and bytes, in name order."""
        digest = hashlib.sha256()
        for path in _spec_files(self.directory):
            digest.update(path.name.encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()


@dataclass(frozen=True)
class GeneratedTest:
    """One generated test input, before any solution has run on it."""

    tier: str
    index: int
    input: str

    @property
    def id(self) -> str:
        return f"{self.tier}-{self.index}"

    @property
    def size(self) -> int:
        return len(self.input.encode())


def spec_dirs(root: Path = SPECS_DIR) -> list[Path]:
    """Every spec directory under `root` (a directory holding problem.py), by name."""
    if not root.is_dir():
        raise InputError("spec directory not found", path=root)
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / PROBLEM_FILE).is_file())


def load_specs(root: Path = SPECS_DIR, only: Iterable[str] | None = None) -> list[ProblemSpec]:
    """Load the specs under `root`, or just the slugs in `only` (an unknown slug is an error)."""
    dirs = spec_dirs(root)
    if only is not None:
        by_name = {d.name: d for d in dirs}
        wanted = list(dict.fromkeys(only))
        missing = [slug for slug in wanted if slug not in by_name]
        if missing:
            raise InputError(
                f"no spec named {', '.join(missing)} (known: {', '.join(sorted(by_name)) or 'none'})",
                path=root,
            )
        dirs = [by_name[slug] for slug in wanted]
    return [load_spec(d) for d in dirs]


def load_spec(directory: str | Path) -> ProblemSpec:
    """Load one spec directory; every problem names the file and the field at fault."""
    directory = Path(directory)
    problem_file = directory / PROBLEM_FILE
    if not problem_file.is_file():
        raise InputError("missing: every spec directory needs a problem.py", path=problem_file)
    module = _exec_problem_file(problem_file)

    def need(name: str) -> Any:
        if not hasattr(module, name):
            raise InputError(f"missing: problem.py must define {name}", path=problem_file, field=name)
        return getattr(module, name)

    values = {name: need(name) for name in REQUIRED_NAMES}
    slug = _check_slug(values["ID"], directory, problem_file)
    title = _nonempty_str(values["TITLE"], "TITLE", problem_file)
    topic = _nonempty_str(values["TOPIC"], "TOPIC", problem_file)
    statement = _nonempty_str(values["STATEMENT"], "STATEMENT", problem_file).strip() + "\n"
    memory_mb = _positive_int(values["MEMORY_MB"], "MEMORY_MB", problem_file)
    seed = values["SEED"]
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise InputError(f"must be an integer, got {type(seed).__name__}", path=problem_file, field="SEED")
    tiers = _check_tiers(values["TIERS"], problem_file)
    generate = values["generate"]
    if not callable(generate):
        raise InputError(
            "must be a function generate(tier, index, rng) -> str", path=problem_file, field="generate"
        )
    checker, checker_file = _parse_checker(values["CHECKER"], directory, problem_file)
    solutions = _collect_solutions(directory, checker_file)
    return ProblemSpec(
        id=slug,
        title=title,
        topic=topic,
        statement=statement,
        checker=checker,
        memory_mb=memory_mb,
        seed=seed,
        tiers=tiers,
        generate=generate,
        directory=directory,
        solutions=solutions,
        checker_file=checker_file,
    )


def _exec_problem_file(path: Path) -> types.ModuleType:
    """Run problem.py as a fresh module (no import machinery: no bytecode cache is written
    into the spec directory, and two specs never share a module)."""
    source = path.read_text(encoding="utf-8")
    module = types.ModuleType(f"codefrontier_bundled_spec_{path.parent.name.replace('-', '_')}")
    module.__file__ = str(path)
    try:
        code = compile(source, str(path), "exec")
    except SyntaxError as exc:
        raise InputError(f"syntax error: {exc.msg}", path=path, line=exc.lineno) from None
    try:
        exec(code, module.__dict__)
    except Exception as exc:
        raise InputError(f"running problem.py raised {type(exc).__name__}: {exc}", path=path) from exc
    return module


def _check_slug(value: Any, directory: Path, path: Path) -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise InputError(f"must be a lowercase kebab-case slug, got {value!r}", path=path, field="ID")
    if value != directory.name:
        raise InputError(
            f"ID {value!r} must equal the spec directory's name {directory.name!r}", path=path, field="ID"
        )
    return value


def _nonempty_str(value: Any, name: str, path: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError("must be a non-empty string", path=path, field=name)
    return value


def _positive_int(value: Any, name: str, path: Path) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise InputError(f"must be a positive integer, got {value!r}", path=path, field=name)
    return value


def _check_tiers(value: Any, path: Path) -> dict[str, int]:
    if not isinstance(value, dict) or not value:
        raise InputError(
            "must be a non-empty dict of tier name -> number of tests, smallest tier first",
            path=path,
            field="TIERS",
        )
    tiers: dict[str, int] = {}
    for name, count in value.items():
        if not isinstance(name, str) or not SLUG_RE.match(name):
            raise InputError(f"tier name {name!r} must be a lowercase word", path=path, field="TIERS")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise InputError(
                f"tier {name!r} must have a positive number of tests, got {count!r}",
                path=path,
                field=f"TIERS.{name}",
            )
        tiers[name] = count
    first = next(iter(tiers))
    if first != PUBLIC_TIER:
        raise InputError(
            f"the first (smallest) tier must be {PUBLIC_TIER!r}, the public one; got {first!r}",
            path=path,
            field="TIERS",
        )
    return tiers


def _parse_checker(value: Any, directory: Path, path: Path) -> tuple[Checker, Path | None]:
    if isinstance(value, str):
        value = {"kind": value}
    if not isinstance(value, dict):
        raise InputError(
            'must be "tokens", "exact", {"kind": "float", ...} or {"kind": "program", "file": ...}',
            path=path,
            field="CHECKER",
        )
    kind_name = value.get("kind")
    try:
        kind = CheckerKind(kind_name)
    except ValueError:
        raise InputError(
            f"unknown checker kind {kind_name!r}; use tokens, exact, float or program",
            path=path,
            field="CHECKER.kind",
        ) from None
    if kind is CheckerKind.FLOAT:
        tolerances: dict[str, float] = {}
        for key in ("abs_tol", "rel_tol"):
            tol = value.get(key, 1e-6)
            if not isinstance(tol, int | float) or isinstance(tol, bool) or not (0 <= tol < 1):
                raise InputError(
                    f"must be a number in [0, 1), got {tol!r}", path=path, field=f"CHECKER.{key}"
                )
            tolerances[key] = float(tol)
        return Checker(kind=kind, **tolerances), None
    if kind is CheckerKind.PROGRAM:
        name = value.get("file")
        if not isinstance(name, str) or not name.endswith(".py") or "/" in name:
            raise InputError(
                "must name a Python checker file in the spec directory, e.g. checker.py",
                path=path,
                field="CHECKER.file",
            )
        checker_file = directory / name
        if not checker_file.is_file():
            raise InputError(
                f"checker file {name!r} not found beside problem.py", path=path, field="CHECKER.file"
            )
        code = checker_file.read_text(encoding="utf-8")
        return Checker(kind=kind, code=code, language="python"), checker_file
    return Checker(kind=kind), None


def _spec_files(directory: Path) -> list[Path]:
    return sorted(
        p for p in directory.iterdir() if p.is_file() and not p.name.startswith(".") and p.suffix != ".pyc"
    )


def _collect_solutions(directory: Path, checker_file: Path | None) -> tuple[Solution, ...]:
    """ref.py and ref.cpp first (expected AC), then the known-wrong ones by file name."""
    solutions: list[Solution] = []
    for path in _spec_files(directory):
        if path.name == PROBLEM_FILE or (checker_file is not None and path == checker_file):
            continue
        match = SOLUTION_RE.match(path.name)
        if match is None:
            raise InputError(
                "unexpected file: solutions are named ref.py, ref.cpp or <tag>_<what>.<py|cpp> "
                "with tag tle, wa, mle or re (lowercase letters, digits and _)",
                path=path,
            )
        tag = match.group("tag")
        solutions.append(
            Solution(
                name=path.name,
                language=LANGUAGE_BY_EXT[match.group("ext")],
                code=path.read_text(encoding="utf-8"),
                expected=Verdict(tag.upper()) if tag else Verdict.AC,
            )
        )
    for ref in ("ref.py", "ref.cpp"):
        if not any(s.name == ref for s in solutions):
            raise InputError(
                f"missing reference solution {ref}: every problem needs ref.py and ref.cpp",
                path=directory / ref,
            )
    solutions.sort(key=lambda s: (s.expected != "AC", s.name != "ref.py", s.name))
    return tuple(solutions)


def rng_for(seed: int, tier: str, index: int) -> random.Random:
    """The random generator handed to generate() for one test."""
    return random.Random(f"{seed}:{tier}:{index}")


def generate_tests(spec: ProblemSpec, *, seed: int | None = None) -> list[GeneratedTest]:
    """Generate every test of `spec` (with its SEED, or `seed`), in tier order, and check
    them: generate() is deterministic and returns text ending in a newline, no two tests
    are identical, sizes respect the caps, and every test of a tier is strictly smaller
    than every test of the next tier (so coverage fractions and tiers agree: ties in size
    are broken by test id, which does not follow tier order)."""
    seed = spec.seed if seed is None else seed
    tests: list[GeneratedTest] = []
    for tier, count in spec.tiers.items():
        for index in range(count):
            text = _call_generate(spec, seed, tier, index)
            again = _call_generate(spec, seed, tier, index)
            if again != text:
                raise InputError(
                    f"not deterministic: two calls for test {tier}-{index} with the same seed gave "
                    "different input; use only the rng argument for randomness (no random.* module "
                    "functions, time, or set iteration order)",
                    path=spec.problem_file,
                    field="generate",
                )
            tests.append(GeneratedTest(tier, index, text))
    check_tests(spec, tests)
    return tests


def _call_generate(spec: ProblemSpec, seed: int, tier: str, index: int) -> str:
    try:
        text = spec.generate(tier, index, rng_for(seed, tier, index))
    except Exception as exc:
        raise InputError(
            f"generate({tier!r}, {index}) raised {type(exc).__name__}: {exc}",
            path=spec.problem_file,
            field="generate",
        ) from exc
    if not isinstance(text, str):
        raise InputError(
            f"generate({tier!r}, {index}) returned {type(text).__name__}; it must return the input text",
            path=spec.problem_file,
            field="generate",
        )
    if not text.endswith("\n") or not text.strip():
        raise InputError(
            f"generate({tier!r}, {index}) must return non-empty text ending in a newline",
            path=spec.problem_file,
            field="generate",
        )
    return text


def check_tests(spec: ProblemSpec, tests: list[GeneratedTest]) -> None:
    """The checks of generate_tests() that look at the whole suite."""

    def fail(message: str) -> InputError:
        return InputError(message, path=spec.problem_file, field="generate")

    seen: dict[str, str] = {}
    total = 0
    for t in tests:
        if t.size > MAX_TEST_BYTES:
            raise fail(f"test {t.id} is {t.size} bytes; the cap is {MAX_TEST_BYTES} bytes per test")
        if t.input in seen:
            raise fail(f"tests {seen[t.input]} and {t.id} are identical; every test must differ")
        seen[t.input] = t.id
        total += t.size
    if total > MAX_PROBLEM_BYTES:
        raise fail(f"the inputs total {total} bytes; the cap is {MAX_PROBLEM_BYTES} bytes per problem")
    by_tier = [[t for t in tests if t.tier == tier] for tier in spec.tiers]
    for lower, upper in zip(by_tier, by_tier[1:], strict=False):
        if not lower or not upper:
            continue
        biggest = max(lower, key=lambda t: t.size)
        smallest = min(upper, key=lambda t: t.size)
        if biggest.size >= smallest.size:
            raise fail(
                f"tier sizes are not increasing: test {biggest.id} ({biggest.size} bytes) is not smaller "
                f"than test {smallest.id} ({smallest.size} bytes); every test of a tier must be smaller "
                "than every test of the next tier"
            )


def suite_digest(tests: Iterable[GeneratedTest]) -> str:
    """sha256 of a generated suite, to compare generations across processes."""
    digest = hashlib.sha256()
    for t in tests:
        data = t.input.encode()
        digest.update(f"{t.id}:{len(data)}:".encode() + data)
    return digest.hexdigest()


def check_generation_in_fresh_process(spec: ProblemSpec, digest: str) -> None:
    """Generate the suite again in a fresh interpreter with another hash seed: this catches
    what two calls in one process cannot (str hashing, set order, unseeded randomness)."""
    src_dir = Path(__file__).resolve().parents[3]
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
