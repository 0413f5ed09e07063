"""The spec reader: a malformed spec names problem.py and the field at fault, solutions are
tagged by file name, and generation is checked (determinism, caps, duplicates, tier order)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bundled.spec_fixtures import ACCEPT_ALL_CHECKER, PROBLEM, REF_CPP, REF_PY, TLE_PY, write_spec
from codefrontier.contracts import CheckerKind
from codefrontier.errors import InputError
from codefrontier.problems.bundled.authoring import (
    check_generation_in_fresh_process,
    generate_tests,
    load_spec,
    load_specs,
    suite_digest,
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
        check_generation_in_fresh_process(spec, suite_digest(tests))
    assert caught.value.field == "generate"


def test_the_problems_package_does_not_import_the_judge() -> None:
    # `problems` sits below the judge: reading specs and benchmarks must not load it.
    script = (
        "import sys\n"
        "import codefrontier.problems.bundled, codefrontier.problems.registry, codefrontier.problems.io\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('codefrontier.judge', 'codefrontier.authoring')))\n"
        "print(loaded)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
