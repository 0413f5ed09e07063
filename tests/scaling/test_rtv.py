"""Recursive Tournament Voting: brackets with byes, shuffled votes, abstentions, seeded
tie-breaks, the whole record, the ranking."""

from __future__ import annotations

import asyncio
from collections import Counter

from codefrontier.scaling import Answer, Ballot, Candidate, parse_final, rtv


class Scripted:
    """A judge that answers with a function of the ballot and remembers every ballot."""

    def __init__(self, choose):
        self.choose = choose
        self.ballots: list[Ballot] = []

    def fingerprint(self):
        return {"judge": "test"}

    async def vote(self, ballot: Ballot, key: str) -> Answer:
        self.ballots.append(ballot)
        return Answer(self.choose(ballot))


def best(order: list[str]):
    """Votes for the candidate that comes first in `order` (a judge with a true ranking)."""

    def choose(ballot: Ballot) -> str:
        pick = min(range(len(ballot.shown)), key=lambda i: order.index(ballot.shown[i].id))
        return f"Attempt {ballot.labels[pick]} is best.\nFINAL: {ballot.labels[pick]}"

    return choose


def candidates(n: int) -> list[Candidate]:
    return [Candidate(f"c{i}", f"summary {i}") for i in range(n)]


def run(cands, judge, **kwargs):
    return asyncio.run(rtv(cands, judge, task_text="task", **kwargs))


def test_an_odd_bracket_gives_a_bye_and_the_bye_casts_no_vote():
    judge = Scripted(best([f"c{i}" for i in range(5)]))
    bracket = run(candidates(5), judge, group_size=2, votes=3, seed=1)
    sizes = [[len(g.members) for g in groups] for groups in bracket.rounds]
    assert sizes == [[2, 2, 1], [2, 1], [2]]
    byes = [g for groups in bracket.rounds for g in groups if g.bye]
    assert len(byes) == 2 and all(not g.votes and g.winner == g.members[0] for g in byes)
    assert len(judge.ballots) == 3 * 4  # four groups that were judged, three votes each
    assert bracket.winner == "c0"  # a judge that knows the best candidate makes it win


def test_a_last_group_shorter_than_g_is_judged_as_it_is():
    judge = Scripted(best([f"c{i}" for i in range(5)]))
    bracket = run(candidates(5), judge, group_size=3, votes=2, seed=0)
    assert [len(g.members) for g in bracket.rounds[0]] == [3, 2]
    assert {len(b.shown) for b in judge.ballots} == {2, 3}
    assert bracket.winner == "c0"


def test_every_vote_shows_the_group_in_a_fresh_seeded_order():
    orders = []
    for _ in range(2):
        judge = Scripted(best(["c0", "c1"]))
        run(candidates(2), judge, group_size=2, votes=16, seed=7)
        orders.append([tuple(c.id for c in b.shown) for b in judge.ballots])
    assert orders[0] == orders[1]  # the same seed shows the same orders
    assert set(orders[0]) == {("c0", "c1"), ("c1", "c0")}  # both orders were shown
    judge = Scripted(best(["c0", "c1"]))
    run(candidates(2), judge, group_size=2, votes=16, seed=8)
    assert [tuple(c.id for c in b.shown) for b in judge.ballots] != orders[0]


def test_a_judge_that_always_answers_a_favours_no_candidate_and_is_reported():
    wins = Counter()
    for seed in range(200):
        bracket = run(candidates(4), Scripted(lambda b: "FINAL: A"), group_size=2, votes=4, seed=seed)
        wins[bracket.winner] += 1
    assert set(wins) == {"c0", "c1", "c2", "c3"} and min(wins.values()) > 25  # about 50 each
    assert any("answered A on all" in w for w in bracket.warnings)


def test_an_answer_without_a_final_label_is_an_abstention_and_the_tie_is_broken_by_a_seeded_draw():
    answers = iter(["I think A.", "FINAL: C", "FINAL: B\nthen more text", "FINAL: B"])
    judge = Scripted(lambda b: next(answers))
    bracket = run(candidates(2), judge, group_size=2, votes=4, seed=3)
    (group,) = bracket.rounds[0]
    reasons = [v.abstention for v in group.votes]
    assert reasons[0] == "no `FINAL: <label>` line at the end"
    assert reasons[1].startswith("label C was not shown")
    assert reasons[2] == "no `FINAL: <label>` line at the end"
    assert reasons[3] == "" and group.votes[3].choice == group.votes[3].shown[1]
    assert bracket.abstentions == 3
    assert sum(group.tally.values()) == 1 and not group.tie_broken
    silent = run(candidates(2), Scripted(lambda b: "no idea"), group_size=2, votes=3, seed=3)
    assert silent.rounds[0][0].tie_broken
    assert (
        silent.winner
        == run(candidates(2), Scripted(lambda b: "no idea"), group_size=2, votes=3, seed=3).winner
    )
    assert any("all 3 votes were abstentions" in w for w in silent.warnings)


def test_final_label_parsing():
    labels = ["A", "B"]
    assert parse_final("reasoning...\nFINAL: B", labels) == ("B", "")
    assert parse_final("**FINAL: a**\n\n", labels) == ("A", "")
    assert parse_final("FINAL: (B)", labels) == ("B", "")
    assert parse_final("", labels)[0] is None
    assert parse_final("FINAL: Z", labels)[0] is None
    assert parse_final("FINAL: A because", labels)[0] is None


def test_the_record_holds_every_vote_and_the_ranking_puts_the_finalists_first():
    order = [f"c{i}" for i in range(8)]
    bracket = run(candidates(8), Scripted(best(order)), group_size=2, votes=3, seed=5)
    record = bracket.to_json()
    assert record["votes_cast"] == 7 * 3 and len(bracket.all_votes) == 21
    vote = record["rounds"][0][0]["votes"][0]
    assert set(vote) >= {"shown", "answer", "label", "choice", "key", "abstention", "cost"}
    assert bracket.ranking[0] == "c0" == bracket.winner
    final = bracket.rounds[-1][0]
    assert bracket.ranking[1] == next(m for m in final.members if m != "c0")  # the other finalist
    semifinalists = {m for g in bracket.rounds[-2] for m in g.members} - set(final.members)
    assert set(bracket.top(4)[2:]) == semifinalists
    assert sorted(bracket.ranking) == sorted(order)


def test_one_candidate_wins_without_a_vote():
    judge = Scripted(lambda b: "FINAL: A")
    bracket = run(candidates(1), judge, group_size=2, votes=8, seed=0)
    assert bracket.winner == "c0" and not judge.ballots and bracket.ranking == ["c0"]


def test_every_vote_prompt_can_be_rebuilt_exactly_from_the_record():
    judge = Scripted(lambda b: "FINAL: B")
    bracket = run(candidates(5), judge, group_size=2, votes=2, seed=2)
    record = bracket.to_json()
    assert record["task_text"] == "task" and record["summaries"]["c3"] == "summary 3"
    assert [bracket.prompt(v) for v in bracket.all_votes] == [b.messages() for b in judge.ballots]
