"""Every problem spec shipped in specs/: it loads, carries the solutions `validate` needs,
generates the same tests from the same seed (and other tests from another seed), and its
statement shows an example that the reference really answers.

Running every solution on every test is `codefrontier validate`'s job, not this suite's.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys

import pytest

from codefrontier.contracts import CheckerKind
from codefrontier.problems.bundled.authoring import (
    SPECS_DIR,
    GeneratedTest,
    ProblemSpec,
    generate_tests,
    load_spec,
    rng_for,
    spec_dirs,
    suite_digest,
)
from codefrontier.problems.bundled.build import check_generation_in_fresh_process, outputs_differ, run_checker

SLUGS = [d.name for d in spec_dirs(SPECS_DIR)]
REQUIRED_SECTIONS = ("## Input", "## Output", "## Constraints", "## Example")


@functools.cache
def spec(slug: str) -> ProblemSpec:
    return load_spec(SPECS_DIR / slug)


@functools.cache
def suite(slug: str) -> tuple[GeneratedTest, ...]:
    """The spec's tests; generate_tests itself checks determinism, caps, duplicates and tier order."""
    return tuple(generate_tests(spec(slug)))


def example(statement: str) -> tuple[str, str]:
    """The input and output code blocks of the statement's `## Example` section."""
    section = statement.split("## Example", 1)[1]
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section, re.DOTALL)
    assert len(blocks) >= 2, "## Example needs an input block and an output block"
    return blocks[0], blocks[1]


def test_the_bundled_benchmark_has_at_least_thirty_problems() -> None:
    assert len(SLUGS) >= 30


def test_seeds_are_distinct_across_problems() -> None:
    seeds = [spec(slug).seed for slug in SLUGS]
    assert len(set(seeds)) == len(seeds)


@pytest.mark.parametrize("slug", SLUGS)
def test_spec_has_references_and_known_wrong_solutions(slug: str) -> None:
    names = [s.name for s in spec(slug).solutions]
    assert "ref.py" in names and "ref.cpp" in names
    assert any(n.startswith("tle_") and n.endswith(".py") for n in names), "needs a tle_*.py"
    assert any(n.startswith("tle_") and n.endswith(".cpp") for n in names), "needs a tle_*.cpp"
    assert any(n.startswith("wa_") for n in names), "needs a wa_* solution"


@pytest.mark.parametrize("slug", SLUGS)
def test_generation_follows_the_declared_tiers(slug: str) -> None:
    tests = suite(slug)
    assert [t.id for t in tests] == [f"{tier}-{i}" for tier, n in spec(slug).tiers.items() for i in range(n)]
    assert tests[0].id == "tiny-0"


@pytest.mark.parametrize("slug", SLUGS)
def test_a_different_seed_gives_different_tests(slug: str) -> None:
    s = spec(slug)
    assert any(
        s.generate(t.tier, t.index, rng_for(s.seed + 1, t.tier, t.index)) != t.input for t in suite(slug)
    )


@pytest.mark.slow
@pytest.mark.parametrize("slug", SLUGS)
def test_generation_is_identical_in_a_fresh_interpreter(slug: str) -> None:
    check_generation_in_fresh_process(spec(slug), suite_digest(suite(slug)))


@pytest.mark.parametrize("slug", SLUGS)
def test_statement_has_the_required_sections(slug: str) -> None:
    statement = spec(slug).statement
    for heading in REQUIRED_SECTIONS:
        assert heading in statement, f"statement lacks {heading}"


@pytest.mark.parametrize("slug", SLUGS)
def test_statement_example_is_the_first_public_test_and_the_reference_agrees(slug: str) -> None:
    s = spec(slug)
    example_input, example_output = example(s.statement)
    first = suite(slug)[0]
    assert first.input == example_input
    ref = subprocess.run(
        [sys.executable, str(s.directory / "ref.py")],
        input=first.input.encode(),
        capture_output=True,
        timeout=60,
        check=True,
    )
    if s.checker.kind is CheckerKind.PROGRAM:
        assert s.checker_file is not None
        code, reason = run_checker(s.checker_file, first.input.encode(), ref.stdout, example_output.encode())
        assert code == 0, reason
    else:
        assert outputs_differ(s.checker, ref.stdout, example_output.encode()) is None
