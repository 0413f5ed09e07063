"""Parallel-Distill-Refine's context: the top-K summaries of the round before, in the
tournament's order, and nothing else; random-K and single-summary refinement differ only
in which summaries they take."""

from __future__ import annotations

import asyncio

import pytest

from codefrontier.scaling import (
    SimulatedAgent,
    SimulatedJudge,
    SimulatedSummarizer,
    Summary,
    Tournament,
    pdr,
    refinement_context,
    simulated_tasks,
)
from codefrontier.scaling.refinement import CONTEXT_HEAD, ORDER_NONE, ORDER_RANKED


def world(q: float = 0.8, seed: int = 0):
    agent = SimulatedAgent(lift=0.5, seed=seed)
    return (
        agent,
        SimulatedSummarizer(agent.truth, signal=0.9),
        Tournament(SimulatedJudge(agent.truth, q=q), votes=3, seed=seed),
    )


def run_pdr(distill: str, *, k: int = 3, n: int = 6, rounds: int = 1, seed: int = 0):
    agent, summarizer, tournament = world(seed=seed)
    (task,) = simulated_tasks([0.4])
    result = asyncio.run(
        pdr(task, agent, summarizer, tournament, task_text="t", rounds=rounds, k=k, n=n, distill=distill)
    )
    return result, agent, summarizer


def test_the_context_is_the_top_k_summaries_in_rank_order_and_nothing_else():
    result, agent, summarizer = run_pdr("top_k", k=3, n=6)
    first, second = result.rounds
    assert second.context is not None
    assert list(second.context.sources) == first.bracket.top(3)
    text = second.context.text
    assert text.startswith(CONTEXT_HEAD.format(order=ORDER_RANKED))
    by_id = {s.rollout: s for s in first.summaries}
    positions = [text.index(by_id[r].render()) for r in first.bracket.top(3)]
    assert positions == sorted(positions)
    for left_out in first.bracket.ranking[3:]:
        assert by_id[left_out].approach not in text  # "simulated attempt <i> of r0" names each one
    assert [f"Summary {i}:" in text for i in (1, 2, 3, 4)] == [True, True, True, False]
    # every refinement rollout got that context, in its own fresh episode
    assert len(second.rollouts) == 6 and {r.context for r in second.rollouts} == {text}
    assert len({r.id for r in second.rollouts}) == 6 and all(r.stage == "pdr.r1" for r in second.rollouts)
    assert result.final == second.bracket.winner


def test_random_k_refinement_draws_its_context_by_seed_and_says_it_is_unranked():
    result, _, _ = run_pdr("random", k=3, n=6, seed=4)
    first, second = result.rounds
    assert first.bracket is None  # no tournament is needed to choose at random
    assert len(second.context.sources) == 3 and set(second.context.sources) <= {r.id for r in first.rollouts}
    assert second.context.text.startswith(CONTEXT_HEAD.format(order=ORDER_NONE))
    again, _, _ = run_pdr("random", k=3, n=6, seed=4)
    assert again.rounds[1].context.sources == second.context.sources
    assert {r.stage for r in second.rollouts} == {"random_k.r1"}


def test_single_summary_refinement_uses_the_tournament_winner_alone():
    result, _, _ = run_pdr("single", k=4, n=6)
    first, second = result.rounds
    assert list(second.context.sources) == [first.bracket.winner]
    assert "Summary 2:" not in second.context.text


def test_more_rounds_refine_the_refined():
    result, _, _ = run_pdr("top_k", k=2, n=4, rounds=2)
    assert [r.stage for r in result.rounds] == ["r0", "pdr.r1", "pdr.r2"]
    assert list(result.rounds[2].context.sources) == result.rounds[1].bracket.top(2)
    assert result.final == result.rounds[2].bracket.winner
    assert len(result.ledger) == 3 * 4 + 3 * 4 + sum(len(r.bracket.all_votes) for r in result.rounds)


def test_k_larger_than_n_is_refused():
    with pytest.raises(ValueError, match="k \\(5\\) must be between 1 and n \\(4\\)"):
        run_pdr("top_k", k=5, n=4)


def test_a_context_renders_the_summaries_it_names():
    summaries = [Summary("a", approach="sort then sweep"), Summary("b", approach="brute force")]
    context = refinement_context(summaries, ranked=True)
    assert context.sources == ("a", "b")
    assert context.text.index("sort then sweep") < context.text.index("brute force")
