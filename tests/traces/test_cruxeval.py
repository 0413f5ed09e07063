"""CruxEval: the original harness's scoring on hand-made generations with known results
(including the f(input)-in-output rule and the all-False fallback), its prompts and
post-processing, and the traces of all 800 programs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codefrontier.analysis.estimators import pass_at_k as unbiased_pass_at_k
from codefrontier.errors import InputError
from codefrontier.traces import TraceLimits, Tracer
from codefrontier.traces.cruxeval import (
    load_cruxeval,
    make_prompt,
    pass_at_k,
    postprocess,
    score_generations,
)
from codefrontier.traces.tree import StateTree, apply

from . import bdb_reference
from .test_tree import expected_stop, queries

ITEMS = {item.id: item for item in load_cruxeval()}


def test_the_data_file_is_cruxevals_800_programs_unchanged() -> None:
    shipped = Path(__file__).parents[2] / "src/codefrontier/traces/data"
    assert len(ITEMS) == 800 and list(ITEMS)[:2] == ["sample_0", "sample_1"]
    assert (shipped / "LICENSE").read_text().startswith("MIT License")
    first = json.loads((shipped / "cruxeval.jsonl").read_text().splitlines()[0])
    assert first["output"] == "[(4, 1), (4, 1), (4, 1), (4, 1), (2, 3), (2, 3)]"


OUTPUT_GENERATIONS = {
    # right, wrong, and the call f(input) itself (skipped: n shrinks to 2)
    "sample_0": ["[(4, 1), (4, 1), (4, 1), (4, 1), (2, 3), (2, 3)]", "[]", "f([1, 1, 3, 1, 3, 1])"],
    # nothing passes: all False over every generation, the skipped one included
    "sample_1": ["{1: None}", "f((1, ), (1, ), (1, 2))"],
    # sys.exit and exit() fail as in the harness (SystemExit is an error; exit is None)
    "sample_2": ["'hbtofdeiequ'", "__import__('sys').exit(0)", "exit(0)"],
    # one right out of six; a generation that never ends times out after 3 s
    "sample_3": ["'bcksrutq'", "(lambda: [x for x in iter(int, 1)])()", "'x'", "'y'", "1", "None"],
    # a generation that does not parse fails
    "sample_4": ["'           '", "'  ' +"],
}


def test_output_scores_are_the_original_harness_scores() -> None:
    scored = score_generations(OUTPUT_GENERATIONS, "output", require_all=False, jobs=2)
    assert scored.scored == {
        "sample_0": [True, False],
        "sample_1": [False, False],
        "sample_2": [True, False, False],
        "sample_3": [True, False, False, False, False, False],
        "sample_4": [True, False],
    }
    assert scored.checks["sample_3"][1].result == "timed out"
    assert scored.checks["sample_2"][2].result == "failed: 'NoneType' object is not callable"
    assert scored.checks["sample_0"][2].skipped
    pass1 = [1 / 2, 0.0, 1 / 3, 1 / 6, 1 / 2]
    # pass@5: n - c < 5 gives 1.0 (the original's rule, also for sample_1 where nothing
    # passed); sample_3: 1 - C(5,5)/C(6,5) = 1 - 1/6.
    pass5 = [1.0, 1.0, 1.0, 1 - 1 / 6, 1.0]
    assert scored.pass_at_1 == pytest.approx(sum(pass1) / 5 * 100, abs=1e-12)
    assert scored.pass_at_5 == pytest.approx(sum(pass5) / 5 * 100, abs=1e-12)
    assert set(scored.to_json()) == {"raw_generations", "raw_scored_generations", "pass_at_1", "pass_at_5"}


def test_input_mode_needs_a_call_of_f() -> None:
    generations = {
        "sample_4": ["f([' ', '  ', '    ', '   '])", "f(['          '])", "[' ']", "f(1)"],
        "sample_5": ["'DSUWeqExTQdCMGpqur', 'a', 'x'"],  # no f(: skipped, and nothing passes
    }
    scored = score_generations(generations, "input", require_all=False, jobs=2)
    assert scored.scored == {"sample_4": [True, True, False], "sample_5": [False]}
    assert scored.pass_at_1 == pytest.approx((2 / 3 + 0.0) / 2 * 100)


def test_the_original_estimator_agrees_with_the_unbiased_one_where_that_is_defined() -> None:
    for n in range(1, 12):
        for c in range(n + 1):
            for k in (1, 5):
                if k <= n:
                    assert pass_at_k(n, c, k) == pytest.approx(unbiased_pass_at_k(n, c, k), abs=1e-12)
                else:  # the original's rule: n - c < k, so 1.0, where pass@k is not estimable
                    assert pass_at_k(n, c, k) == 1.0


def test_every_problem_is_needed_unless_partial() -> None:
    with pytest.raises(InputError, match="no generations for 799 problems"):
        score_generations({"sample_0": ["1"]}, "output")
    with pytest.raises(InputError, match="does not have"):
        score_generations({"sample_900": ["1"]}, "output", require_all=False)


def test_prompts_and_post_processing_follow_the_original() -> None:
    item = ITEMS["sample_3"]
    direct = make_prompt(item, "output")
    assert direct.endswith(f"[PYTHON]\n{item.code}\nassert f({item.input}) == ??\n[/PYTHON]\n[ANSWER]\n")
    assert make_prompt(item, "output", cot=True).endswith("[/PYTHON]\n[THOUGHT]\n")
    assert make_prompt(item, "input").endswith(f"assert f(??) == {item.output}\n[/PYTHON]\n[ANSWER]\n")
    assert postprocess("assert f('bcksrut', 'q') == 'bcksrutq'\n", "output") == "'bcksrutq'"
    cot = "The function appends q.\n[/THOUGHT]\n[ANSWER]\nassert f('bcksrut', 'q') == 'bcksrutq'\n"
    assert postprocess(cot, "output", cot=True) == "'bcksrutq'"
    assert postprocess("assert f('a', 'b') == 'ab'", "input") == "f('a', 'b')"
    assert postprocess("[THOUGHT]x[/THOUGHT]\n[ANSWER]\nassert f(16) == 17\n", "input", cot=True) == "f(16)"


@pytest.mark.slow
def test_the_traced_return_value_is_the_real_one_for_every_program() -> None:
    items = list(ITEMS.values())
    with Tracer(jobs=2) as tracer:
        traced = list(tracer.trace_many([(i.code, i.call) for i in items]))
        real = list(tracer.run_many([(i.code, i.call) for i in items]))
    assert all(t.outcome == "returned" for t in traced)
    assert [t.value for t in traced] == [r.value for r in real]
    assert all(t.events[-1].kind == "return" and t.events[-1].value == t.value for t in traced)
    # And each is CruxEval's own output (checked by its own harness: value == output).
    scored = score_generations(
        {i.id: [t.value] for i, t in zip(items, traced, strict=True)}, "output", jobs=2
    )
    assert scored.pass_at_1 == 100.0


def test_actions_on_cruxeval_programs_stop_where_bdb_stops() -> None:
    """bdb runs in the sandbox (dataset code); the tracer on the same sandbox, with its
    hash seed, so that both see the same iteration orders."""
    from codefrontier.sandbox import Sandbox, memfd_from_bytes

    reference = memfd_from_bytes(Path(bdb_reference.__file__).read_bytes())
    tracer = Tracer(TraceLimits(hash_seed=None))
    checked = 0
    with Sandbox() as sandbox:
        from codefrontier.sandbox import Limits

        for item in list(ITEMS.values())[::25]:
            trace = tracer.trace_on(sandbox, item.code, item.call)
            tree = StateTree.of(trace)
            asked = list(queries(trace, tree))
            job = json.dumps({"code": item.code, "call": item.call, "queries": asked}).encode()
            run = sandbox.run_python(reference, memfd_from_bytes(job), Limits(cpu_s=20, wall_s=60))
            answers = json.loads(run.stdout)
            assert answers["events"] == len(tree), item.id
            for (state, action, arg), stop in zip(asked, answers["stops"], strict=True):
                if action == "continue" and state == tree.last:
                    continue
                assert apply(tree, state, action, arg) == expected_stop(tree, action, stop), (
                    item.id,
                    state,
                    action,
                )
                checked += 1
    tracer.close()
    assert checked > 1000
