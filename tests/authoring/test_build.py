"""The benchmark builder: references judged by the judge (its comparison, its checker
protocol, its measurement), limits calibrated from the judge's CPU times, a
deterministic file, and errors that name the spec file at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from bundled.spec_fixtures import ACCEPT_ALL_CHECKER, REF_CPP, REF_PY, REJECT_ALL_CHECKER, write_spec
from codefrontier.authoring.build import Calibration, build_benchmark, ceil_tenth, main
from codefrontier.contracts import CheckerKind
from codefrontier.errors import InputError
from codefrontier.problems.io import load_problems

# A reference that burns 0.4 s of CPU on the largest test only (n = 11 numbers).
BUSY_REF_PY = (
    "import sys, time\n"
    "v = sys.stdin.read().split()[1:]\n"
    "if len(v) == 11:\n"
    "    end = time.process_time() + 0.4\n"
    "    while time.process_time() < end:\n"
    "        pass\n"
    "print(sum(map(int, v)))\n"
)
FLOAT_CHECKER = 'CHECKER = {"kind": "float", "abs_tol": 1e-6, "rel_tol": 1e-6}'
PROGRAM_CHECKER = 'CHECKER = {"kind": "program", "file": "checker.py"}'


def build(tmp_path: Path, *, only: list[str] | None = None, out: str = "out.jsonl", **kw):  # type: ignore[no-untyped-def]
    return build_benchmark(tmp_path / out, specs_dir=tmp_path / "specs", only=only, jobs=1, **kw)


def test_ceil_tenth_rounds_up_without_float_noise() -> None:
    assert ceil_tenth(3 * 0.3) == 0.9
    assert ceil_tenth(0.91) == 1.0
    assert ceil_tenth(1.23) == 1.3


def test_a_limit_is_three_times_the_slowest_reference_test_with_a_floor_per_language() -> None:
    python = Calibration("python", 0.41, "small-1")
    cpp = Calibration("cpp", 0.07, "small-1")
    assert (python.limit_s, cpp.limit_s) == (1.3, 0.5)
    assert python.note() == "python: 3 x 0.410 s (slowest ref test small-1) = 1.230 s -> 1.3 s"
    assert cpp.note() == "cpp: 3 x 0.070 s (slowest ref test small-1) = 0.210 s -> floor 0.5 s"


def test_building_a_spec_gives_a_loadable_benchmark_with_limits_from_measured_times(tmp_path: Path) -> None:
    write_spec(tmp_path / "specs", files={"ref.py": BUSY_REF_PY})
    out = tmp_path / "bundled.jsonl.gz"
    build_benchmark(out, specs_dir=tmp_path / "specs", jobs=1)
    [problem] = load_problems(out)
    assert (problem.id, problem.source, problem.tiers) == ("sum-numbers", "bundled", ["tiny", "small"])
    assert [(t.id, t.tier, t.hidden) for t in problem.tests] == [
        ("tiny-0", "tiny", False),
        ("tiny-1", "tiny", False),
        ("small-0", "small", True),
        ("small-1", "small", True),
    ]
    for test in problem.tests:
        assert test.size == len(test.input.encode())
        assert test.output == f"{sum(map(int, test.input.split()[1:]))}\n"
    measured = problem.metadata["ref_cpu_s"]
    assert measured["python"] >= 0.4  # the busy loop, as the judge measured it
    assert problem.metadata["ref_slowest_test"]["python"] == "small-1"
    assert problem.time_limits == {"python": ceil_tenth(3 * measured["python"]), "cpp": 0.5}
    assert problem.time_limit_s == problem.time_limits["python"]
    assert problem.limits_note.startswith(
        f"python: 3 x {measured['python']:.3f} s (slowest ref test small-1)"
    )
    assert problem.limits_note.endswith("-> floor 0.5 s")
    assert problem.metadata["generator"] == "codefrontier.problems.bundled"
    assert {(s.name, s.expected) for s in problem.solutions} == {
        ("ref.py", "AC"),
        ("ref.cpp", "AC"),
        ("tle_slow.py", "TLE"),
        ("tle_slow.cpp", "TLE"),
        ("wa_first_only.py", "WA"),
    }


@pytest.mark.slow
def test_rebuilding_unchanged_specs_is_byte_identical_and_an_edit_is_measured_again(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    write_spec(specs, "sum-a", files={"ref.py": BUSY_REF_PY})  # long enough to probe this machine's speed
    directory = write_spec(specs, "sum-b")
    out = tmp_path / "bundled.jsonl.gz"
    said: list[str] = []
    build_benchmark(out, specs_dir=specs, jobs=1)
    first = out.read_bytes()
    build_benchmark(out, specs_dir=specs, jobs=1, progress=said.append)
    assert out.read_bytes() == first
    assert "sum-a: spec unchanged, limits reused from the previous build" in said
    (directory / "ref.py").write_text(REF_PY + "# edited\n")
    said.clear()
    problems = build_benchmark(out, specs_dir=specs, jobs=1, only=["sum-b"], progress=said.append)
    assert [p.id for p in problems] == ["sum-a", "sum-b"]
    assert "sum-b: limits calibrated from the references' measured CPU times" in said
    assert not any(line.startswith("sum-a") for line in said)  # kept as it was
    # sum-b's new times are in the calibration machine's seconds: divided by this machine's
    # speed against sum-a's recorded reference time
    assert any(
        "(median over 1 references on their slowest test): new times divided by" in line for line in said
    )
    said.clear()
    build_benchmark(out, specs_dir=specs, jobs=1, recalibrate=True, progress=said.append)
    assert "sum-a: limits calibrated from the references' measured CPU times" in said


def test_references_that_disagree_name_ref_cpp_the_test_and_the_judges_reason(tmp_path: Path) -> None:
    directory = write_spec(tmp_path / "specs", files={"ref.cpp": REF_CPP.replace("s += x;", "s += x + 1;")})
    with pytest.raises(
        InputError, match="disagrees with ref.py on test tiny-0: token 1: got '6', expected '5'"
    ) as caught:
        build(tmp_path)
    assert caught.value.path == str(directory / "ref.cpp")
    assert not (tmp_path / "out.jsonl").exists()


def test_an_extra_blank_line_is_a_disagreement_under_the_exact_checker(tmp_path: Path) -> None:
    # The judge's exact comparison forgives one trailing newline, not two (the builder
    # used to strip them all, certifying answers the judge would reject).
    directory = write_spec(
        tmp_path / "specs",
        replace={'CHECKER = "tokens"': 'CHECKER = "exact"'},
        files={"ref.cpp": REF_CPP.replace('printf("%lld\\n", s);', 'printf("%lld\\n\\n", s);')},
    )
    with pytest.raises(InputError, match="disagrees with ref.py on test tiny-0") as caught:
        build(tmp_path)
    assert caught.value.path == str(directory / "ref.cpp")


def test_references_agree_under_the_judges_float_rule(tmp_path: Path) -> None:
    # Within tolerance, and NaN against NaN however it is spelled: the judge accepts both
    # (the builder used to reject "nan" against "NaN").
    ref_py = "import sys\nv = sys.stdin.read().split()[1:]\nprint(sum(map(int, v)) / 3, float('nan'))\n"
    ref_cpp = REF_CPP.replace('printf("%lld\\n", s);', 'printf("%.7f NaN\\n", s / 3.0);')
    write_spec(
        tmp_path / "specs",
        replace={'CHECKER = "tokens"': FLOAT_CHECKER},
        files={"ref.py": ref_py, "ref.cpp": ref_cpp},
    )
    [problem] = build(tmp_path)
    assert problem.checker.kind is CheckerKind.FLOAT
    assert problem.tests[0].output == f"{5 / 3} nan\n"


def test_a_checker_program_judges_both_references_in_the_sandbox(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    write_spec(
        specs,
        "accepted",
        replace={'CHECKER = "tokens"': PROGRAM_CHECKER},
        files={"checker.py": ACCEPT_ALL_CHECKER},
    )
    rejected = write_spec(
        specs,
        "rejected",
        replace={'CHECKER = "tokens"': PROGRAM_CHECKER},
        files={"checker.py": REJECT_ALL_CHECKER},
    )
    [problem] = build(tmp_path, only=["accepted"], out="a.jsonl")
    assert problem.checker.kind is CheckerKind.PROGRAM
    assert problem.checker.code == ACCEPT_ALL_CHECKER
    with pytest.raises(
        InputError, match="the checker rejects this reference's output on test tiny-0: nope"
    ) as caught:
        build(tmp_path, only=["rejected"], out="b.jsonl")
    assert caught.value.path == str(rejected / "ref.py")


def test_a_crashing_reference_names_the_file_the_test_and_its_stderr(tmp_path: Path) -> None:
    crash = "import sys\nsys.stderr.write('Traceback: boom\\n')\nsys.exit(1)\n"
    directory = write_spec(tmp_path / "specs", files={"ref.py": crash})
    with pytest.raises(InputError, match="RE on test tiny-0: exit status 1: Traceback: boom") as caught:
        build(tmp_path)
    assert caught.value.path == str(directory / "ref.py")


def test_a_compile_error_names_ref_cpp_and_the_compilers_message(tmp_path: Path) -> None:
    directory = write_spec(tmp_path / "specs", files={"ref.cpp": "int main() { return undeclared; }\n"})
    with pytest.raises(InputError, match="does not compile") as caught:
        build(tmp_path)
    assert caught.value.path == str(directory / "ref.cpp")
    assert "undeclared" in caught.value.message


def test_the_command_line_reports_a_spec_error_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_spec(tmp_path / "specs")
    code = main(["--specs", str(tmp_path / "specs"), "--out", str(tmp_path / "x.jsonl"), "--only", "nope"])
    assert code == 2
    assert "build: error:" in capsys.readouterr().err
    assert not (tmp_path / "x.jsonl").exists()
