"""Every problem spec shipped in specs/: it loads, carries the solutions `validate` needs,
generates the same tests from the same seed (and other tests from another seed), and its
statement shows an example that the reference really answers.

Running every solution on every test is `codefrontier validate`'s job, not this suite's;
here the judge runs only each reference on its statement's example.
"""

from __future__ import annotations

import functools
import re

import pytest

from codefrontier.contracts import Problem, ProblemKind, SampleResult, TestCase
from codefrontier.judge import JudgeConfig, Sample, judge_samples
from codefrontier.problems.bundled.authoring import (
    SPECS_DIR,
    GeneratedTest,
    ProblemSpec,
    check_generation_in_fresh_process,
    generate_tests,
    load_spec,
    rng_for,
    spec_dirs,
    suite_digest,
)

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


@pytest.fixture(scope="module")
def examples_judged() -> dict[str, SampleResult]:
    """Each spec's ref.py judged on its statement's example (input and output blocks), with
    the spec's checker: all in one judge call."""
    problems, samples = [], []
    for slug in SLUGS:
        s = spec(slug)
        example_input, example_output = example(s.statement)
        test = TestCase("example", example_input, example_output, size=len(example_input), hidden=False)
        problems.append(Problem(slug, ProblemKind.STDIO, s.statement, [test], 10.0, s.memory_mb, s.checker))
        ref = s.solution("ref.py")
        samples.append(Sample(slug, "ref.py", 0, ref.language, ref.code))
    results = judge_samples(problems, samples, config=JudgeConfig(wall_factor=20.0))
    return {r.problem_id: r for r in results}


@pytest.mark.parametrize("slug", SLUGS)
def test_statement_example_is_the_first_public_test_and_the_reference_agrees(
    slug: str, examples_judged: dict[str, SampleResult]
) -> None:
    example_input, _ = example(spec(slug).statement)
    assert suite(slug)[0].input == example_input
    result = examples_judged[slug]
    assert result.passed, f"{result.verdict}: {result.detail or result.tests[0].detail}"
