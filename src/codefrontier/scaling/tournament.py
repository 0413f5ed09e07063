"""Recursive Tournament Voting: pick one of N candidates with a judge that compares a
few at a time.

    bracket = await rtv(candidates, judge, task_text=..., group_size=2, votes=8, seed=0)
    bracket.winner, bracket.top(4), bracket.to_json()

Each round, the candidates still in are shuffled (seeded) and cut into groups of
`group_size`; a last group of one is a bye (it advances without a vote), a shorter last
group is judged as it is. Each group gets `votes` votes; on every vote the group's
candidates are shown in a freshly shuffled order, labelled A, B, ..., so a judge that
favours a position favours no candidate. The answer must end with a line
`FINAL: <label>`; an answer that does not (or names a label that was not shown) is an
abstention, recorded with its reason and counted nowhere. The candidate with the most
votes wins the group; a tie (all abstentions included) is broken by a seeded draw among
the tied, and the record says so. Winners go on until one is left.

The ranking (`top(k)`): the winner, then the others by the last round they reached,
then by their share of the votes in the last group they played in, then by a seeded
draw. Everything is recorded: every group, every vote with the order shown, its key, the
answer and what it was read as, and (once) the task and each candidate's summary, from
which `Bracket.prompt(vote)` rebuilds every vote's exact prompt.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from codefrontier.scaling.accounting import Cost, Ledger
from codefrontier.scaling.records import InFlight, RecordCache, digest

LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
JUDGE_VERSION = "1"
FINAL_LINE = re.compile(r"^[\W_]*FINAL\s*:\s*[\W_]*([A-Za-z])[\W_]*$")

JUDGE_SYSTEM = (
    "You are an expert reviewer of programming work. You compare attempts at a task and pick the one "
    "most likely to be correct."
)

JUDGE_PROMPT = """\
Task:
{task}

Summaries of {count} independent attempts at this task:

{attempts}

Which attempt most likely produced a program that is correct and fast enough on all of the task's tests, \
including tests the agent never saw? Weigh what was verified and how it came out, not how confident a summary \
sounds. Reason briefly, then end your answer with a last line of the form
FINAL: <label>
where <label> is one of {labels}."""


@dataclass(frozen=True)
class Candidate:
    id: str
    summary: str  # the text the judge sees


@dataclass
class Ballot:
    """One vote's question: the task and the group's candidates in the order shown."""

    task_text: str
    shown: list[Candidate]
    seed: int  # the vote's sampling seed

    @property
    def labels(self) -> list[str]:
        return list(LABELS[: len(self.shown)])

    def messages(self) -> list[dict[str, Any]]:
        attempts = "\n\n".join(
            f"Attempt {label}:\n{c.summary}" for label, c in zip(self.labels, self.shown, strict=True)
        )
        prompt = JUDGE_PROMPT.format(
            task=self.task_text, count=len(self.shown), attempts=attempts, labels=", ".join(self.labels)
        )
        return [{"role": "system", "content": JUDGE_SYSTEM}, {"role": "user", "content": prompt}]


@dataclass
class Answer:
    text: str
    cost: Cost = field(default_factory=Cost)
    error: str = ""  # the request failed (an abstention)


class VoteJudge(Protocol):
    def fingerprint(self) -> dict[str, Any]: ...

    async def vote(self, ballot: Ballot, key: str) -> Answer: ...


def parse_final(text: str, labels: list[str]) -> tuple[str | None, str]:
    """The label an answer votes for, or None and why it is an abstention. The last
    non-empty line must be `FINAL: <label>` (markdown emphasis around it is allowed)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return None, "empty answer"
    match = FINAL_LINE.match(lines[-1])
    if match is None:
        return None, "no `FINAL: <label>` line at the end"
    label = match.group(1).upper()
    if label not in labels:
        return None, f"label {label} was not shown (labels: {', '.join(labels)})"
    return label, ""


@dataclass
class Vote:
    round: int
    group: int
    index: int
    shown: list[str]  # candidate ids in the order shown (A, B, ...)
    key: str
    answer: str
    label: str | None
    choice: str | None  # the candidate voted for; None for an abstention
    abstention: str = ""  # why the answer counts as an abstention
    cost: Cost = field(default_factory=Cost)

    def to_json(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "group": self.group,
            "index": self.index,
            "shown": self.shown,
            "key": self.key,
            "answer": self.answer,
            "label": self.label,
            "choice": self.choice,
            "abstention": self.abstention,
            "cost": self.cost.to_json(),
        }


@dataclass
class Group:
    round: int
    index: int
    members: list[str]
    votes: list[Vote] = field(default_factory=list)
    tally: dict[str, int] = field(default_factory=dict)
    winner: str = ""
    tie_broken: bool = False
    bye: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "index": self.index,
            "members": self.members,
            "bye": self.bye,
            "tally": self.tally,
            "winner": self.winner,
            "tie_broken": self.tie_broken,
            "votes": [v.to_json() for v in self.votes],
        }


@dataclass
class Bracket:
    name: str
    candidates: list[str]
    group_size: int
    votes: int
    seed: int
    rounds: list[list[Group]] = field(default_factory=list)
    winner: str = ""
    ranking: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    task_text: str = ""
    summaries: dict[str, str] = field(default_factory=dict)  # what the judge saw of each candidate

    def top(self, k: int) -> list[str]:
        return self.ranking[:k]

    def prompt(self, vote: Vote) -> list[dict[str, Any]]:
        """The exact messages of one vote (rebuilt: the record keeps each candidate's
        summary once, not every prompt in full)."""
        shown = [Candidate(c, self.summaries[c]) for c in vote.shown]
        return Ballot(self.task_text, shown, 0).messages()

    @property
    def all_votes(self) -> list[Vote]:
        return [v for groups in self.rounds for g in groups for v in g.votes]

    @property
    def abstentions(self) -> int:
        return sum(1 for v in self.all_votes if v.choice is None)

    def ledger(self) -> Ledger:
        ledger = Ledger()
        for vote in self.all_votes:
            ledger.charge(vote.key, vote.cost)
        return ledger

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "candidates": self.candidates,
            "group_size": self.group_size,
            "votes": self.votes,
            "seed": self.seed,
            "winner": self.winner,
            "ranking": self.ranking,
            "abstentions": self.abstentions,
            "votes_cast": len(self.all_votes),
            "warnings": self.warnings,
            "judge_prompt_version": JUDGE_VERSION,
            "task_text": self.task_text,
            "summaries": self.summaries,
            "rounds": [[g.to_json() for g in groups] for groups in self.rounds],
        }


def _rng(seed: int, name: str, *path: object) -> random.Random:
    return random.Random("/".join(map(str, (seed, name, *path))))


async def rtv(
    candidates: list[Candidate],
    judge: VoteJudge,
    *,
    task_text: str,
    group_size: int = 2,
    votes: int = 8,
    seed: int = 0,
    name: str = "rtv",
) -> Bracket:
    """Run the tournament (see the module doc). `name` keeps the seeded draws of different
    tournaments over the same seed apart (use the task and the stage)."""
    if not candidates:
        raise ValueError("RTV needs at least one candidate")
    if group_size < 2:
        raise ValueError("the group size must be at least 2")
    if votes < 1:
        raise ValueError("each group needs at least one vote")
    ids = [c.id for c in candidates]
    if len(set(ids)) != len(ids):
        raise ValueError("candidate ids must be unique")
    by_id = {c.id: c for c in candidates}
    bracket = Bracket(name, ids, group_size, votes, seed, task_text=task_text)
    bracket.summaries = {c.id: c.summary for c in candidates}
    reached = dict.fromkeys(ids, 0)
    share = dict.fromkeys(ids, 0.0)
    alive = list(ids)
    round_number = 0
    while len(alive) > 1:
        round_number += 1
        order = list(alive)
        _rng(seed, name, round_number, "groups").shuffle(order)
        groups = [
            Group(round_number, i, order[start : start + group_size])
            for i, start in enumerate(range(0, len(order), group_size))
        ]
        await asyncio.gather(*(_play(g, by_id, judge, task_text, votes, seed, name) for g in groups))
        for group in groups:
            cast = sum(group.tally.values())
            for member in group.members:
                reached[member] = round_number
                share[member] = group.tally.get(member, 0) / cast if cast else (1.0 if group.bye else 0.0)
        bracket.rounds.append(groups)
        alive = [g.winner for g in groups]
    bracket.winner = alive[0]
    reached[bracket.winner] = round_number + 1
    draw = _rng(seed, name, "ranking")
    tiebreak = {c: draw.random() for c in ids}
    bracket.ranking = sorted(ids, key=lambda c: (-reached[c], -share[c], tiebreak[c]))
    bracket.warnings = _warnings(bracket)
    return bracket


async def _play(
    group: Group,
    by_id: dict[str, Candidate],
    judge: VoteJudge,
    task_text: str,
    votes: int,
    seed: int,
    name: str,
) -> None:
    if len(group.members) == 1:
        group.bye = True
        group.winner = group.members[0]
        return

    async def one(index: int) -> Vote:
        draw = _rng(seed, name, group.round, group.index, index)
        shown = list(group.members)
        draw.shuffle(shown)
        ballot = Ballot(task_text, [by_id[c] for c in shown], draw.randrange(2**31 - 1))
        key = vote_key(judge, ballot)
        answer = await judge.vote(ballot, key)
        label, why = (
            parse_final(answer.text, ballot.labels)
            if not answer.error
            else (None, f"request failed: {answer.error}")
        )
        choice = shown[ballot.labels.index(label)] if label is not None else None
        return Vote(group.round, group.index, index, shown, key, answer.text, label, choice, why, answer.cost)

    group.votes = list(await asyncio.gather(*(one(i) for i in range(votes))))
    counts = Counter(v.choice for v in group.votes if v.choice is not None)
    group.tally = {m: counts.get(m, 0) for m in group.members}
    best = max(group.tally.values())
    tied = [m for m in group.members if group.tally[m] == best]
    group.tie_broken = len(tied) > 1
    group.winner = (
        tied[0] if len(tied) == 1 else _rng(seed, name, group.round, group.index, "tie").choice(tied)
    )


def vote_key(judge: VoteJudge, ballot: Ballot) -> str:
    """The vote's content key: the judge, what its prompt is made of (the task and the
    summaries in the order shown: JUDGE_VERSION in the judge's fingerprint names the
    template) and the vote's seed."""
    return digest(
        "vote", judge.fingerprint(), ballot.task_text, [c.summary for c in ballot.shown], ballot.seed
    )


def _warnings(bracket: Bracket) -> list[str]:
    warnings = []
    cast = [v for v in bracket.all_votes if v.label is not None]
    labels = Counter(v.label for v in cast)
    if len(cast) >= 4 and len(labels) == 1:
        (label,) = labels
        warnings.append(
            f"the judge answered {label} on all {len(cast)} votes it cast: its answers did not depend on the "
            "candidates (a position bias, or candidates it could not tell apart), so the shuffled order decided "
            "every group"
        )
    total = len(bracket.all_votes)
    if total and bracket.abstentions == total:
        warnings.append(f"all {total} votes were abstentions: every group was decided by a seeded draw")
    elif total and bracket.abstentions * 2 > total:
        warnings.append(f"{bracket.abstentions} of {total} votes were abstentions")
    return warnings


class ModelJudge:
    """Votes by a model through any sampling backend (JUDGE_PROMPT)."""

    def __init__(self, backend: Any, *, temperature: float = 0.7, max_tokens: int = 1024) -> None:
        self.backend = backend
        self.temperature = temperature
        self.max_tokens = max_tokens

    def fingerprint(self) -> dict[str, Any]:
        return {
            "judge": "model",
            "model": self.backend.model,
            "version": JUDGE_VERSION,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }

    async def vote(self, ballot: Ballot, key: str) -> Answer:
        import time

        from codefrontier.sampling import GenerationParams, RequestFailed

        started = time.perf_counter()
        try:
            params = GenerationParams(
                temperature=self.temperature, max_tokens=self.max_tokens, seed=ballot.seed
            )
            (completion,) = await self.backend.chat(ballot.messages(), params)
        except RequestFailed as exc:
            return Answer("", Cost.of("judge", wall_s=time.perf_counter() - started), error=str(exc))
        return Answer(
            completion.text,
            Cost.of(
                "judge",
                prompt_tokens=completion.usage.prompt_tokens,
                completion_tokens=completion.usage.completion_tokens,
                calls=1,
                wall_s=time.perf_counter() - started,
            ),
        )


class CachedJudge:
    """Votes kept in a `RecordCache`: a vote already cast is never asked again (a failed
    request is; it was not paid for)."""

    def __init__(self, judge: VoteJudge, cache: RecordCache) -> None:
        self.judge = judge
        self.cache = cache
        self.cast = 0
        self._in_flight = InFlight()

    def fingerprint(self) -> dict[str, Any]:
        return self.judge.fingerprint()

    async def vote(self, ballot: Ballot, key: str) -> Answer:
        cached = self.cache.get(key)
        if cached is not None:
            return Answer(cached["answer"], Cost.from_json(cached["cost"]))
        return await self._in_flight.run(key, lambda: self._cast(ballot, key))

    async def _cast(self, ballot: Ballot, key: str) -> Answer:
        answer = await self.judge.vote(ballot, key)
        if not answer.error:
            self.cast += 1
            self.cache.put({"key": key, "answer": answer.text, "cost": answer.cost.to_json()})
        return answer
