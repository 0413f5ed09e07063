"""The simulation reproduces what is known of RTV and PDR, and RTV's measured selection
accuracy matches the exact probability for small brackets."""

from __future__ import annotations

import asyncio
import math

import pytest

from codefrontier.scaling import (
    Plan,
    SimulatedAgent,
    SimulatedJudge,
    SimulatedOracle,
    SimulatedSummarizer,
    Tournament,
    exact_selection_accuracy,
    group_win_probability,
    measure_selection_accuracy,
    scale_task,
    score,
    simulated_tasks,
)


def test_one_group_of_two_is_won_by_a_binomial_majority_with_fair_ties():
    q, votes = 0.7, 4
    binom = [math.comb(votes, j) * q**j * (1 - q) ** (votes - j) for j in range(votes + 1)]
    expected = sum(binom[3:]) + binom[2] / 2
    assert group_win_probability(1, 1, votes, q) == pytest.approx(expected)
    assert group_win_probability(2, 0, votes, q) == 1.0 and group_win_probability(0, 3, votes, q) == 0.0


@pytest.mark.parametrize(
    ("passing", "failing", "group_size", "votes", "q"),
    [(1, 1, 2, 3, 0.7), (1, 3, 2, 3, 0.7), (2, 3, 2, 2, 0.65), (1, 4, 3, 3, 0.7)],
)
def test_measured_selection_accuracy_matches_the_exact_probability(passing, failing, group_size, votes, q):
    exact = exact_selection_accuracy(passing, failing, group_size=group_size, votes=votes, q=q)
    trials = 1500
    measured = measure_selection_accuracy(
        passing, failing, group_size=group_size, votes=votes, q=q, trials=trials, seed=11
    )
    sigma = math.sqrt(exact * (1 - exact) / trials)
    assert abs(measured - exact) < 4 * sigma, (measured, exact)


def test_the_exact_probability_knows_byes_and_uninformative_judges():
    # a judge at chance: every candidate is equally likely to win, byes and all
    assert exact_selection_accuracy(1, 4, group_size=2, votes=3, q=0.5) == pytest.approx(1 / 5)
    assert exact_selection_accuracy(2, 5, group_size=2, votes=2, q=0.5) == pytest.approx(2 / 7)
    # in one group of three with one passing candidate, chance is q = 1/3
    assert exact_selection_accuracy(1, 2, group_size=3, votes=4, q=1 / 3) == pytest.approx(1 / 3)
    # a perfect judge always finds a passing candidate
    assert exact_selection_accuracy(1, 6, group_size=2, votes=1, q=1.0) == pytest.approx(1.0)


def test_with_q_above_one_half_accuracy_rises_with_votes_and_approaches_the_oracle():
    accuracy = [exact_selection_accuracy(1, 7, group_size=2, votes=v, q=0.65) for v in (1, 3, 9, 31, 101)]
    assert accuracy == sorted(accuracy) and accuracy[0] < accuracy[-1]
    assert accuracy[0] == pytest.approx(0.65**3)  # three rounds, one vote each
    assert accuracy[-1] > 0.99  # the oracle (pass@8 with one passing candidate) is 1
    below = [exact_selection_accuracy(1, 7, group_size=2, votes=v, q=0.4) for v in (1, 9)]
    assert below[1] < below[0]  # a judge worse than chance gets worse with more votes


def test_pdr_round_one_pass_rate_rises_with_the_passing_rollouts_in_its_context():
    tasks = simulated_tasks([0.15, 0.3, 0.45] * 20)
    agent = SimulatedAgent(lift=0.6, seed=3)
    summarizer = SimulatedSummarizer(agent.truth, signal=0.8)
    tournament = Tournament(SimulatedJudge(agent.truth, q=0.75), group_size=2, votes=5, seed=3)
    plan = Plan(("oracle", "rtv", "pdr", "random_k"), n=8, k=4, rounds=1, pool=8, seed=3)

    async def run():
        outcomes = await asyncio.gather(
            *(
                scale_task(t, plan, agent=agent, summarizer=summarizer, tournament=tournament, task_text="")
                for t in tasks
            )
        )
        return outcomes, await SimulatedOracle(agent.truth).judge(
            {}, [r for o in outcomes for r in o.rollouts.values()]
        )

    outcomes, verdicts = asyncio.run(run())
    by_good: dict[int, list[bool]] = {}
    for rollout, (good, k) in agent.context_passing.items():
        assert k == 4
        by_good.setdefault(good, []).append(agent.truth[rollout])
    rates = [sum(v) / len(v) for good, v in sorted(by_good.items()) if len(v) >= 40]
    assert len(rates) >= 3 and rates == sorted(rates)
    # and the tournament puts more passing rollouts into PDR's context than random-K does
    contexts = {"pdr": [], "random_k": []}
    for outcome in outcomes:
        for result in outcome.refinements:
            sources = result.rounds[1].context.sources
            contexts[result.method].append(sum(agent.truth[s] for s in sources))
    assert sum(contexts["pdr"]) > sum(contexts["random_k"])
    rows = score(outcomes, {k: v.passed for k, v in verdicts.items()}, plan)
    rate = {
        m: sum(r.passed for r in rows if r.method == m and r.n == n) / len(tasks)
        for m, n in [("pdr", 16), ("rtv", 8), ("oracle", 8)]
    }
    assert rate["rtv"] <= rate["oracle"] and rate["pdr"] > rate["rtv"]
