"""Spec loading errors, generation checks and the benchmark builder, on small synthetic specs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from codefrontier.contracts import CheckerKind
from codefrontier.errors import InputError
from codefrontier.problems.bundled import build
from codefrontier.problems.bundled.authoring import generate_tests, load_spec, load_specs
from codefrontier.problems.bundled.build import (
    RunOutcome,
    SubprocessRunner,
    build_benchmark,
    ceil_tenth,
    check_generation_in_fresh_process,
)
from codefrontier.problems.io import load_problems

PROBLEM = '''
import random

ID = "sum-numbers"
TITLE = "Sum Numbers"
TOPIC = "arithmetic"
STATEMENT = """
Add up the numbers.

## Input

n, then n digits.

## Output

Their sum.

## Constraints

- 1 <= n <= 11

## Example

Input:

```
1
5
```

Output:

```
5
```
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 7
TIERS = {"tiny": 2, "small": 2}


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny" and index == 0:
        return "1\\n5\\n"
    n = 1 + index if tier == "tiny" else 10 + index
    return f"{n}\\n" + " ".join(str(rng.randint(1, 9)) for _ in range(n)) + "\\n"
'''

REF_PY = "import sys\nprint(sum(map(int, sys.stdin.read().split()[1:])))\n"
REF_CPP = """#include <cstdio>
int main() {
    int n, x;
    long long s = 0;
    if (scanf("%d", &n) != 1) return 1;
    while (n-- > 0 && scanf("%d", &x) == 1) s += x;
    printf("%lld\\n", s);
}
"""
TLE_PY = "import sys\nv = sys.stdin.read().split()[1:]\nprint(sum(int(x) for x in v for _ in range(1)))\n"
TLE_CPP = REF_CPP.replace("s += x;", "for (int i = 0; i < 1000; i++) s += x; s -= 999LL * x;")
WA_PY = "import sys\nprint(sys.stdin.read().split()[1])\n"

ACCEPT_ALL_CHECKER = "import sys\nprint('ok')\nsys.exit(0)\n"
REJECT_ALL_CHECKER = "import sys\nprint('nope')\nsys.exit(1)\n"


def write_spec(
    root: Path,
    slug: str = "sum-numbers",
    *,
    replace: dict[str, str] | None = None,
    files: dict[str, str | None] | None = None,
) -> Path:
    """A working spec directory; `replace` edits problem.py, `files` adds (or with None removes) files."""
    directory = root / slug
    directory.mkdir(parents=True)
    problem = PROBLEM.replace('ID = "sum-numbers"', f'ID = "{slug}"')
    for old, new in (replace or {}).items():
        assert old in problem, old
        problem = problem.replace(old, new)
    contents: dict[str, str | None] = {
        "problem.py": problem,
        "ref.py": REF_PY,
        "ref.cpp": REF_CPP,
        "tle_slow.py": TLE_PY,
        "tle_slow.cpp": TLE_CPP,
        "wa_first_only.py": WA_PY,
    }
    contents.update(files or {})
    for name, text in contents.items():
        if text is not None:
            (directory / name).write_text(text)
    return directory


class FakeRunner:
    """Answers like a correct solution (the sum of the input's numbers) without running
    anything; CPU time is proportional to the input's length, per language."""

    def __init__(
        self,
        seconds_per_byte: dict[str, float] | None = None,
        *,
        wrong: str | None = None,
        exit_code: int = 0,
    ) -> None:
        self.seconds_per_byte = seconds_per_byte or {"python": 1e-4, "cpp": 1e-5}
        self.wrong = wrong
        self.exit_code = exit_code
        self.calls = 0

    def run(self, language: str, code: str, stdin: bytes, time_limit_s: float, memory_mb: int) -> RunOutcome:
        self.calls += 1
        total = sum(int(x) for x in stdin.split()[1:])
        if language == self.wrong:
            total += 1
        return RunOutcome(
            stdout=f"{total}\n".encode(),
            cpu_s=self.seconds_per_byte[language] * len(stdin),
            exit_code=self.exit_code,
            timed_out=False,
            stderr=b"Traceback: boom\n" if self.exit_code else b"",
        )


# --------------------------------------------------------------------------- spec loading


@pytest.mark.parametrize(
    ("replace", "field", "fragment"),
    [
        ({"SEED = 7\n": ""}, "SEED", "must define SEED"),
        ({'ID = "sum-numbers"': 'ID = "other-name"'}, "ID", "must equal the spec directory"),
        ({"MEMORY_MB = 256": "MEMORY_MB = -5"}, "MEMORY_MB", "positive integer"),
        ({'TIERS = {"tiny": 2, "small": 2}': 'TIERS = {"small": 2, "tiny": 2}'}, "TIERS", "must be 'tiny'"),
        ({'TIERS = {"tiny": 2, "small": 2}': 'TIERS = {"tiny": 2, "small": 0}'}, "TIERS.small", "positive"),
        ({'CHECKER = "tokens"': 'CHECKER = "fuzzy"'}, "CHECKER.kind", "unknown checker kind"),
        (
            {'CHECKER = "tokens"': 'CHECKER = {"kind": "program", "file": "judge.py"}'},
            "CHECKER.file",
            "not found",
        ),
        (
            {'CHECKER = "tokens"': 'CHECKER = {"kind": "float", "abs_tol": "tiny"}'},
            "CHECKER.abs_tol",
            "number",
        ),
        ({'STATEMENT = """': 'STATEMENT = """  """\nUNUSED = """'}, "STATEMENT", "non-empty"),
    ],
)
def test_a_malformed_constant_names_problem_py_and_the_field(
    tmp_path: Path, replace: dict[str, str], field: str, fragment: str
) -> None:
    directory = write_spec(tmp_path, replace=replace)
    with pytest.raises(InputError) as caught:
        load_spec(directory)
    assert caught.value.path == str(directory / "problem.py")
    assert caught.value.field == field
    assert fragment in caught.value.message


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    directory = write_spec(tmp_path, replace={"SEED = 7": "SEED = = 7"})
    with pytest.raises(InputError) as caught:
        load_spec(directory)
    assert caught.value.path == str(directory / "problem.py")
    assert caught.value.line == PROBLEM.splitlines().index("SEED = 7") + 1


def test_a_missing_reference_names_the_missing_file(tmp_path: Path) -> None:
    directory = write_spec(tmp_path, files={"ref.cpp": None})
    with pytest.raises(InputError, match="missing reference solution ref.cpp") as caught:
        load_spec(directory)
    assert caught.value.path == str(directory / "ref.cpp")


def test_a_misnamed_solution_file_is_rejected_by_name(tmp_path: Path) -> None:
    directory = write_spec(tmp_path, files={"tle-naive.py": TLE_PY})
    with pytest.raises(InputError, match="unexpected file") as caught:
        load_spec(directory)
    assert caught.value.path == str(directory / "tle-naive.py")


def test_solutions_are_tagged_by_file_name_references_first(tmp_path: Path) -> None:
    spec = load_spec(write_spec(tmp_path, files={"mle_table.cpp": REF_CPP, "re_deep.py": REF_PY}))
    tags = [(s.name, s.language, s.expected) for s in spec.solutions]
    assert tags == [
        ("ref.py", "python", "AC"),
        ("ref.cpp", "cpp", "AC"),
        ("mle_table.cpp", "cpp", "MLE"),
        ("re_deep.py", "python", "RE"),
        ("tle_slow.cpp", "cpp", "TLE"),
        ("tle_slow.py", "python", "TLE"),
        ("wa_first_only.py", "python", "WA"),
    ]


def test_a_program_checker_is_loaded_with_its_code(tmp_path: Path) -> None:
    directory = write_spec(
        tmp_path,
        replace={'CHECKER = "tokens"': 'CHECKER = {"kind": "program", "file": "checker.py"}'},
        files={"checker.py": ACCEPT_ALL_CHECKER},
    )
    spec = load_spec(directory)
    assert spec.checker.kind is CheckerKind.PROGRAM
    assert spec.checker.code == ACCEPT_ALL_CHECKER
    assert all(s.name != "checker.py" for s in spec.solutions)


def test_an_unknown_only_slug_is_an_error_listing_the_known_ones(tmp_path: Path) -> None:
    write_spec(tmp_path)
    with pytest.raises(InputError, match=r"no spec named nope \(known: sum-numbers\)"):
        load_specs(tmp_path, only=["nope"])


# --------------------------------------------------------------------------- generation


GENERATE_HEADER = "def generate(tier: str, index: int, rng: random.Random) -> str:\n"


def with_generate(body: str) -> dict[str, str]:
    """problem.py edits that replace generate()'s body."""
    original = PROBLEM[PROBLEM.index(GENERATE_HEADER) :]
    return {original: GENERATE_HEADER + textwrap.indent(textwrap.dedent(body), "    ")}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("raise ValueError('bad tier')\n", "generate('tiny', 0) raised ValueError: bad tier"),
        ("return 42\n", "returned int"),
        ("return '1 2'\n", "ending in a newline"),
        ("return f'{random.random()}\\n'\n", "not deterministic"),
        ("return 'x' * 700_001 + '\\n'\n", "the cap is 700000 bytes per test"),
        ("return 'x' * 400_000 + f'{tier}{index}\\n'\n", "the cap is 1500000 bytes per problem"),
        ("return 'same\\n'\n", "tests tiny-0 and tiny-1 are identical"),
        (
            "return ('x' * 50 if tier == 'tiny' else 'y') + str(index) + '\\n'\n",
            "tier sizes are not increasing: test tiny-0 (52 bytes) is not smaller than test small-0",
        ),
    ],
)
def test_a_bad_generator_names_problem_py_and_generate(tmp_path: Path, body: str, fragment: str) -> None:
    spec = load_spec(write_spec(tmp_path, replace=with_generate(body)))
    with pytest.raises(InputError) as caught:
        generate_tests(spec)
    assert caught.value.path == str(spec.problem_file)
    assert caught.value.field == "generate"
    assert fragment in caught.value.message


def test_equal_sizes_across_a_tier_boundary_are_rejected(tmp_path: Path) -> None:
    # Ties in size are broken by test id, and "small-0" < "tiny-1": fraction levels would
    # then disagree with tier levels.
    spec = load_spec(write_spec(tmp_path, replace=with_generate("return tier[0] * 5 + str(index) + '\\n'\n")))
    with pytest.raises(
        InputError, match="test tiny-0 \\(7 bytes\\) is not smaller than test small-0 \\(7 bytes\\)"
    ):
        generate_tests(spec)


def test_generation_is_seeded_per_test_and_ordered_by_tier(tmp_path: Path) -> None:
    spec = load_spec(write_spec(tmp_path))
    tests = generate_tests(spec)
    assert [t.id for t in tests] == ["tiny-0", "tiny-1", "small-0", "small-1"]
    assert [t.size for t in tests] == [len(t.input.encode()) for t in tests]
    assert tests == generate_tests(spec)
    other = generate_tests(spec, seed=spec.seed + 1)
    assert [t.input for t in other] != [t.input for t in tests]
    assert other[0] == tests[0]  # the fixed example does not depend on the seed


def test_order_of_a_set_of_strings_is_caught_in_a_fresh_interpreter(tmp_path: Path) -> None:
    body = "return ' '.join({chr(97 + i) * 3 for i in range(26)}) + f' {tier}{index}\\n'\n"
    spec = load_spec(write_spec(tmp_path, replace=with_generate(body)))
    tests = generate_tests(spec)  # deterministic within one process
    with pytest.raises(InputError, match="a fresh interpreter generated different tests") as caught:
        check_generation_in_fresh_process(spec, build.suite_digest(tests))
    assert caught.value.field == "generate"


# --------------------------------------------------------------------------- calibration


def test_ceil_tenth_rounds_up_without_float_noise() -> None:
    assert ceil_tenth(3 * 0.3) == 0.9
    assert ceil_tenth(0.91) == 1.0
    assert ceil_tenth(1.23) == 1.3


def test_limits_are_three_times_the_slowest_reference_test_with_floors(tmp_path: Path) -> None:
    write_spec(tmp_path / "specs")
    spec = load_spec(tmp_path / "specs" / "sum-numbers")
    largest = max(generate_tests(spec), key=lambda t: t.size)
    runner = FakeRunner({"python": 0.41 / largest.size, "cpp": 0.07 / largest.size})
    [problem] = build_benchmark(tmp_path / "out.jsonl", specs_dir=tmp_path / "specs", runner=runner)
    assert problem.time_limits == {"python": 1.3, "cpp": 0.5}
    assert problem.time_limit_s == 1.3
    assert problem.metadata["ref_cpu_s"] == {"python": 0.41, "cpp": 0.07}
    assert problem.metadata["ref_slowest_test"] == {"python": largest.id, "cpp": largest.id}
    assert problem.limits_note == (
        f"python: 3 x 0.410 s (slowest ref test {largest.id}) = 1.230 s -> 1.3 s; "
        f"cpp: 3 x 0.070 s (slowest ref test {largest.id}) = 0.210 s -> floor 0.5 s"
    )


# --------------------------------------------------------------------------- building


def test_building_a_spec_end_to_end_gives_a_loadable_benchmark(tmp_path: Path) -> None:
    write_spec(tmp_path / "specs")
    out = tmp_path / "bundled.jsonl.gz"
    with SubprocessRunner() as runner:
        build_benchmark(out, specs_dir=tmp_path / "specs", runner=runner)
    [problem] = load_problems(out)
    assert problem.id == "sum-numbers"
    assert problem.source == "bundled"
    assert problem.tiers == ["tiny", "small"]
    assert [(t.id, t.tier, t.hidden) for t in problem.tests] == [
        ("tiny-0", "tiny", False),
        ("tiny-1", "tiny", False),
        ("small-0", "small", True),
        ("small-1", "small", True),
    ]
    for test in problem.tests:
        assert test.size == len(test.input.encode())
        assert test.output == f"{sum(map(int, test.input.split()[1:]))}\n"
    assert problem.time_limits == {"python": 1.0, "cpp": 0.5}  # a sum is far below the floors
    assert problem.time_limit_s == 1.0
    assert problem.memory_mb == 256
    assert problem.limits_note.startswith("python: 3 x ")
    assert "; cpp: 3 x " in problem.limits_note
    assert set(problem.metadata) == {
        "title",
        "topic",
        "seed",
        "generator",
        "ref_cpu_s",
        "ref_slowest_test",
        "spec_sha256",
    }
    assert problem.metadata["generator"] == "codefrontier.problems.bundled"
    assert 0 < problem.metadata["ref_cpu_s"]["cpp"] < 1
    assert {(s.name, s.expected) for s in problem.solutions} == {
        ("ref.py", "AC"),
        ("ref.cpp", "AC"),
        ("tle_slow.py", "TLE"),
        ("tle_slow.cpp", "TLE"),
        ("wa_first_only.py", "WA"),
    }


def test_rebuilding_unchanged_specs_is_byte_identical_despite_timing_noise(tmp_path: Path) -> None:
    write_spec(tmp_path / "specs")
    out = tmp_path / "bundled.jsonl.gz"
    build_benchmark(out, specs_dir=tmp_path / "specs", runner=FakeRunner({"python": 1e-3, "cpp": 1e-4}))
    first = out.read_bytes()
    build_benchmark(out, specs_dir=tmp_path / "specs", runner=FakeRunner({"python": 2e-3, "cpp": 3e-4}))
    assert out.read_bytes() == first
    build_benchmark(
        out, specs_dir=tmp_path / "specs", runner=FakeRunner({"python": 2e-3, "cpp": 3e-4}), recalibrate=True
    )
    assert out.read_bytes() != first


def test_editing_a_spec_file_measures_its_times_again(tmp_path: Path) -> None:
    directory = write_spec(tmp_path / "specs")
    out = tmp_path / "bundled.jsonl"
    [before] = build_benchmark(
        out, specs_dir=tmp_path / "specs", runner=FakeRunner({"python": 1e-3, "cpp": 1e-4})
    )
    (directory / "ref.py").write_text(REF_PY + "# faster now\n")
    [after] = build_benchmark(
        out, specs_dir=tmp_path / "specs", runner=FakeRunner({"python": 2e-3, "cpp": 1e-4})
    )
    assert after.metadata["ref_cpu_s"]["python"] == 2 * before.metadata["ref_cpu_s"]["python"]
    assert after.metadata["spec_sha256"] != before.metadata["spec_sha256"]


def test_only_rebuilds_the_named_problems_and_keeps_the_others(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    write_spec(specs, "sum-a")
    write_spec(specs, "sum-b")
    out = tmp_path / "bundled.jsonl"
    assert [p.id for p in build_benchmark(out, specs_dir=specs, runner=FakeRunner())] == ["sum-a", "sum-b"]
    (specs / "sum-b" / "ref.py").write_text(REF_PY + "# edited\n")
    runner = FakeRunner()
    problems = build_benchmark(out, specs_dir=specs, runner=runner, only=["sum-b"])
    assert [p.id for p in problems] == ["sum-a", "sum-b"]
    assert [p.id for p in load_problems(out)] == ["sum-a", "sum-b"]
    assert runner.calls > 0


def test_references_that_disagree_name_ref_cpp_and_the_test(tmp_path: Path) -> None:
    directory = write_spec(tmp_path / "specs")
    with pytest.raises(InputError, match="disagrees with ref.py on test tiny-0") as caught:
        build_benchmark(tmp_path / "out.jsonl", specs_dir=tmp_path / "specs", runner=FakeRunner(wrong="cpp"))
    assert caught.value.path == str(directory / "ref.cpp")
    assert not (tmp_path / "out.jsonl").exists()


def test_a_crashing_reference_names_the_file_and_the_test(tmp_path: Path) -> None:
    directory = write_spec(tmp_path / "specs")
    with pytest.raises(InputError, match="exited with code 1 on test tiny-0.*boom") as caught:
        build_benchmark(tmp_path / "out.jsonl", specs_dir=tmp_path / "specs", runner=FakeRunner(exit_code=1))
    assert caught.value.path == str(directory / "ref.py")


def test_a_checker_program_must_accept_both_references(tmp_path: Path) -> None:
    program = {'CHECKER = "tokens"': 'CHECKER = {"kind": "program", "file": "checker.py"}'}
    specs = tmp_path / "specs"
    write_spec(specs, "accepted", replace=program, files={"checker.py": ACCEPT_ALL_CHECKER})
    rejected = write_spec(specs, "rejected", replace=program, files={"checker.py": REJECT_ALL_CHECKER})
    [problem] = build_benchmark(tmp_path / "a.jsonl", specs_dir=specs, runner=FakeRunner(), only=["accepted"])
    assert problem.checker.kind is CheckerKind.PROGRAM
    assert problem.checker.code == ACCEPT_ALL_CHECKER
    with pytest.raises(
        InputError, match="the checker rejects this reference's output on test tiny-0: nope"
    ) as caught:
        build_benchmark(tmp_path / "b.jsonl", specs_dir=specs, runner=FakeRunner(), only=["rejected"])
    assert caught.value.path == str(rejected / "ref.py")


def test_a_float_checker_tolerates_rounding_differences_between_references(tmp_path: Path) -> None:
    tolerant = {'CHECKER = "tokens"': 'CHECKER = {"kind": "float", "abs_tol": 1e-6, "rel_tol": 1e-6}'}
    checker = load_spec(write_spec(tmp_path, replace=tolerant)).checker
    assert checker.kind is CheckerKind.FLOAT
    assert build.outputs_differ(checker, b"0.3333333\n", b"0.33333333\n") is None
    assert build.outputs_differ(checker, b"0.3333\n", b"0.3334\n") is not None
    assert build.outputs_differ(checker, b"nan\n", b"nan\n") is None  # identical tokens agree


def test_a_compile_error_names_ref_cpp(tmp_path: Path) -> None:
    directory = write_spec(tmp_path / "specs", files={"ref.cpp": "int main() { return undeclared; }\n"})
    with SubprocessRunner() as runner, pytest.raises(InputError, match="does not compile") as caught:
        build_benchmark(tmp_path / "out.jsonl", specs_dir=tmp_path / "specs", runner=runner)
    assert caught.value.path == str(directory / "ref.cpp")
    assert "undeclared" in caught.value.message


def test_the_command_line_reports_a_spec_error_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_spec(tmp_path / "specs")
    code = build.main(
        ["--specs", str(tmp_path / "specs"), "--out", str(tmp_path / "x.jsonl"), "--only", "nope"]
    )
    assert code == 2
    assert "build: error:" in capsys.readouterr().err
    assert not (tmp_path / "x.jsonl").exists()


# --------------------------------------------------------------------------- subprocess runner


BUSY_PY = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end:\n    pass\nprint('done')\n"


def test_subprocess_runner_measures_cpu_time_and_passes_stdin() -> None:
    with SubprocessRunner() as runner:
        busy = runner.run("python", BUSY_PY, b"", time_limit_s=5.0, memory_mb=256)
        echo = runner.run("python", "import sys\nprint(sys.stdin.read()[::-1])\n", b"abc", 5.0, 256)
    assert busy.stdout == b"done\n" and busy.exit_code == 0 and not busy.timed_out
    assert 0.25 <= busy.cpu_s < 2.0
    assert echo.stdout == b"cba\n"


def test_subprocess_runner_stops_a_program_past_its_time_limit() -> None:
    with SubprocessRunner() as runner:
        outcome = runner.run("cpp", "int main() { volatile long x = 0; for (;;) x++; }\n", b"", 0.2, 256)
    assert outcome.timed_out
    assert outcome.cpu_s > 0.2


def test_subprocess_runner_applies_the_memory_limit() -> None:
    hog = "x = bytearray(300 * 1024 * 1024)\nprint(len(x))\n"
    with SubprocessRunner() as runner:
        outcome = runner.run("python", hog, b"", 5.0, memory_mb=128)
    assert outcome.exit_code != 0
    assert b"MemoryError" in outcome.stderr


def test_subprocess_runner_compiles_each_source_once() -> None:
    with SubprocessRunner() as runner:
        for _ in range(2):
            assert runner.run("cpp", REF_CPP, b"2\n3 4\n", 5.0, 256).stdout == b"7\n"
        assert len(list(runner.workdir.glob("cpp-*/main"))) == 1
        with pytest.raises(build.CompileError, match="undeclared"):
            runner.run("cpp", "int main() { return undeclared; }\n", b"", 5.0, 256)
