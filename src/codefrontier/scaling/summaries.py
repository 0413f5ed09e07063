"""Structured summaries of rollouts: what a tournament judge compares and what a
refinement round is conditioned on.

The schema (docs/scaling.md, "Summaries"): `approach` (a string), `key_findings`,
`changes_made` (lists of strings), `verification` (a list of `{check, outcome}`),
`final_status` (one of FINAL_STATUSES), `failure_modes` and `open_questions` (lists of
strings). A summary is rendered as plain text (`Summary.render`) and cut to a token
budget (`fit`): list items are dropped from the end of the longest list, then the
approach is shortened, until the rendering fits; a cut summary says so.

Two summarizers:
- `ModelSummarizer`: a model behind any sampling backend, with the prompt in
  SUMMARY_PROMPT; its answer must be one JSON object that `parse_summary` validates.
  An answer that does not validate is retried (the error is shown to the model); after
  the last retry the summary is recorded as failed, and the deterministic summary of
  the same rollout stands in for it, marked `source: "fallback"` (never an empty one).
- `DeterministicSummarizer`: the same fields extracted from the trajectory itself
  (public-test outcomes of each submission, how the program changed, the last program),
  for runs without a summarizer model.

Trust: a summarizer sees the task and the rollout (public tests only), never the
hidden-test verdicts.
"""

from __future__ import annotations

import difflib
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from codefrontier.problems import Problem
from codefrontier.scaling.accounting import Cost
from codefrontier.scaling.records import InFlight, RecordCache, digest
from codefrontier.scaling.rollouts import FAILED, Rollout

SUMMARY_VERSION = "1"
FINAL_STATUSES = ("passed_public_tests", "failed_public_tests", "not_verified", "no_program")
LIST_FIELDS = ("key_findings", "changes_made", "failure_modes", "open_questions")
FIELDS = ("approach", "key_findings", "changes_made", "verification", "final_status", *LIST_FIELDS[2:])
TOKEN = re.compile(r"\w+|[^\w\s]")
REQUEST_FAILED = "the request failed: "  # how a summary whose request failed records it

SUMMARY_SYSTEM = "You summarize attempts of a programming agent for a reviewer who compares several attempts."

SUMMARY_PROMPT = """\
Task:
{task}

The agent's attempt, step by step (each reply it gave and the example-test results it was shown):
{transcript}

Summarize the attempt as one JSON object with exactly these keys:
- "approach": a string: the algorithm or strategy of the final program
- "key_findings": a list of strings: what the agent learned about the task
- "changes_made": a list of strings: how the program changed between submissions
- "verification": a list of objects {{"check": string, "outcome": string}}: what was tested and how it came out
- "final_status": one of "passed_public_tests", "failed_public_tests", "not_verified", "no_program"
- "failure_modes": a list of strings: what went wrong, or what could still go wrong
- "open_questions": a list of strings: what remains unverified
Use at most {budget} tokens. Answer with the JSON object only, in one ```json fenced block."""

RETRY_PROMPT = """\
Your answer could not be used: {error}. Answer again with only the JSON object, with exactly the keys \
approach, key_findings, changes_made, verification, final_status, failure_modes, open_questions, \
in one ```json fenced block."""


def count_tokens(text: str) -> int:
    """An approximate token count, the same for every model: words and punctuation marks
    (within a small factor of a BPE tokenizer's count on code and English)."""
    return len(TOKEN.findall(text))


@dataclass
class Summary:
    rollout: str  # the rollout's id
    approach: str = ""
    key_findings: list[str] = field(default_factory=list)
    changes_made: list[str] = field(default_factory=list)
    verification: list[dict[str, str]] = field(default_factory=list)
    final_status: str = "not_verified"
    failure_modes: list[str] = field(default_factory=list)
    open_questions: list[str] = field(default_factory=list)
    source: str = "deterministic"  # model | deterministic | fallback (model failed) | simulated
    status: str = "ok"  # ok | failed (the model's answers never validated; the fallback stands in)
    attempts: int = 0  # model calls made
    errors: list[str] = field(default_factory=list)  # why each rejected answer was rejected
    cut: bool = False  # shortened to fit the token budget
    cost: Cost = field(default_factory=Cost)
    key: str = ""

    def fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}

    def render(self) -> str:
        """The text a judge and a refinement context see."""
        lines = [f"Approach: {self.approach or '(none given)'}"]
        for name, title in (("key_findings", "Key findings"), ("changes_made", "Changes made")):
            lines += _bullets(title, getattr(self, name))
        lines += _bullets("Verification", [f"{v['check']}: {v['outcome']}" for v in self.verification])
        lines.append(f"Final status: {self.final_status}")
        for name, title in (("failure_modes", "Failure modes"), ("open_questions", "Open questions")):
            lines += _bullets(title, getattr(self, name))
        if self.cut:
            lines.append("(shortened to fit the summary budget)")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "rollout": self.rollout,
            **self.fields(),
            "source": self.source,
            "status": self.status,
            "attempts": self.attempts,
            "errors": self.errors,
            "cut": self.cut,
            "cost": self.cost.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        return cls(
            rollout=data["rollout"],
            **{name: data[name] for name in FIELDS},
            source=data.get("source", "deterministic"),
            status=data.get("status", "ok"),
            attempts=int(data.get("attempts", 0)),
            errors=list(data.get("errors", [])),
            cut=bool(data.get("cut", False)),
            cost=Cost.from_json(data.get("cost", {})),
            key=data.get("key", ""),
        )


def _bullets(title: str, items: list[str]) -> list[str]:
    if not items:
        return [f"{title}: none"]
    return [f"{title}:", *(f"- {item}" for item in items)]


class SummaryInvalid(ValueError):
    """A model's answer is not a summary of the schema (the message says why)."""


def parse_summary(text: str, rollout: str) -> Summary:
    """The summary in a model's answer: the last ```json block (else the outermost {...}),
    checked against the schema. Raises SummaryInvalid naming the first problem."""
    blocks = re.findall(r"```(?:json)?\s*\n(.*?)```", text, flags=re.DOTALL)
    if blocks:
        body = blocks[-1]
    else:
        start, end = text.find("{"), text.rfind("}")
        if start < 0 or end <= start:
            raise SummaryInvalid("no JSON object found")
        body = text[start : end + 1]
    try:
        value = json.loads(body)
    except json.JSONDecodeError as exc:
        raise SummaryInvalid(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    if not isinstance(value, dict):
        raise SummaryInvalid("the JSON value is not an object")
    missing = [name for name in FIELDS if name not in value]
    if missing:
        raise SummaryInvalid(f"missing key(s) {', '.join(missing)}")
    if not isinstance(value["approach"], str) or not value["approach"].strip():
        raise SummaryInvalid("`approach` must be a non-empty string")
    for name in LIST_FIELDS:
        items = value[name]
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            raise SummaryInvalid(f"`{name}` must be a list of strings")
    checks = value["verification"]
    if not isinstance(checks, list) or not all(
        isinstance(c, dict) and isinstance(c.get("check"), str) and isinstance(c.get("outcome"), str)
        for c in checks
    ):
        raise SummaryInvalid('`verification` must be a list of {"check": string, "outcome": string}')
    if value["final_status"] not in FINAL_STATUSES:
        raise SummaryInvalid(f"`final_status` must be one of {', '.join(FINAL_STATUSES)}")
    return Summary(
        rollout=rollout,
        approach=value["approach"].strip(),
        key_findings=list(value["key_findings"]),
        changes_made=list(value["changes_made"]),
        verification=[{"check": c["check"], "outcome": c["outcome"]} for c in checks],
        final_status=value["final_status"],
        failure_modes=list(value["failure_modes"]),
        open_questions=list(value["open_questions"]),
        source="model",
    )


def fit(summary: Summary, budget: int) -> Summary:
    """Cut `summary` (in place) until its rendering has at most `budget` tokens."""
    while count_tokens(summary.render()) > budget:
        lists = [(len(getattr(summary, n)), n) for n in (*LIST_FIELDS, "verification")]
        longest, name = max(lists)
        summary.cut = True
        if longest > 1:
            getattr(summary, name).pop()
            continue
        words = summary.approach.split()
        if len(words) > 8:
            summary.approach = " ".join(words[: max(8, len(words) * 2 // 3)]) + " ..."
            continue
        if longest == 1:
            getattr(summary, name).pop()
            continue
        break  # only the fixed frame is left: the budget is smaller than the schema itself
    return summary


class Summarizer(Protocol):
    def fingerprint(self) -> dict[str, Any]: ...

    async def summarize(self, task: Problem, rollout: Rollout, key: str) -> Summary: ...


class DeterministicSummarizer:
    """The schema's fields read off the trajectory: outcomes of each submission on the
    public tests, how the program changed between them, the final status."""

    def __init__(self, budget: int = 400) -> None:
        self.budget = budget

    def fingerprint(self) -> dict[str, Any]:
        return {"summarizer": "deterministic", "version": SUMMARY_VERSION, "budget": self.budget}

    async def summarize(self, task: Problem, rollout: Rollout, key: str) -> Summary:
        summary = deterministic_summary(rollout)
        summary.key = key
        return fit(summary, self.budget)


def deterministic_summary(rollout: Rollout) -> Summary:
    from codefrontier.sampling import extract_answer

    if rollout.status == FAILED:
        return Summary(
            rollout.id,
            approach="the attempt failed before it produced a program",
            final_status="no_program",
            failure_modes=[f"the model could not be reached: {rollout.error[:200]}"],
            open_questions=["nothing was verified"],
        )
    programs = [extract_answer(s["action"]["text"], rollout.language)[0] for s in rollout.steps]
    findings, changes, checks = [], [], []
    for number, step in enumerate(rollout.steps, 1):
        public = step["observation"].get("public")
        if public is not None:
            verdicts = public["verdicts"]
            passed = sum(1 for v in verdicts.values() if v == "AC")
            findings.append(f"submission {number} passed {passed} of {len(verdicts)} example tests")
            checks.append(
                {
                    "check": f"example tests, submission {number}",
                    "outcome": ", ".join(f"{t} {v}" for t, v in verdicts.items()),
                }
            )
        if number > 1:
            diff = list(
                difflib.unified_diff(
                    programs[number - 2].splitlines(), programs[number - 1].splitlines(), n=0
                )
            )
            added = sum(1 for d in diff if d.startswith("+") and not d.startswith("+++"))
            removed = sum(1 for d in diff if d.startswith("-") and not d.startswith("---"))
            changes.append(f"submission {number}: +{added} -{removed} lines")
    final = rollout.public
    if not rollout.program.strip():
        status = "no_program"
    elif final is None:
        status = "not_verified"
    else:
        status = "passed_public_tests" if final["passed"] else "failed_public_tests"
    failures = []
    if final is not None:
        failures += [f"{v} on example test {t}" for t, v in final["verdicts"].items() if v != "AC"]
    if rollout.stop in ("turn_limit", "length", "context_length"):
        failures.append(f"stopped by {rollout.stop.replace('_', ' ')}")
    lines = len(rollout.program.splitlines())
    prose = _prose(rollout.steps[-1]["action"]["text"]) if rollout.steps else ""
    return Summary(
        rollout.id,
        approach=(prose or "(no explanation given)")
        + f" [final program: {lines} lines of {rollout.language}]",
        key_findings=findings,
        changes_made=changes,
        verification=checks,
        final_status=status,
        failure_modes=failures,
        open_questions=["behaviour on the hidden tests (larger inputs, edge cases) is unverified"],
    )


def _prose(text: str) -> str:
    """The reply's words outside code blocks, first 40 words."""
    outside = re.sub(r"```.*?(```|$)", " ", text, flags=re.DOTALL)
    words = outside.split()
    return " ".join(words[:40]) + (" ..." if len(words) > 40 else "")


def transcript(rollout: Rollout, max_chars: int = 6000) -> str:
    """The rollout as the summarizer model reads it: each reply and what came back, cut
    so that the whole is at most about `max_chars` characters (later steps are kept whole
    first: the final program matters most)."""
    if rollout.status == FAILED:
        return f"(the attempt failed: {rollout.error[:300]})"
    parts = []
    per_step = max(400, max_chars // max(1, len(rollout.steps)))
    for number, step in enumerate(rollout.steps, 1):
        text = step["action"]["text"]
        if len(text) > per_step:
            text = text[: per_step // 3] + "\n...\n" + text[-(per_step * 2) // 3 :]
        seen = "\n".join(step["observation"].get("messages", []))
        if len(seen) > per_step // 2:
            seen = seen[: per_step // 2] + " ..."
        public = step["observation"].get("public")
        if public is not None:
            verdicts = public["verdicts"]
            passed = sum(1 for v in verdicts.values() if v == "AC")
            results = ", ".join(f"{t} {v}" for t, v in verdicts.items())
            text += f"\n\n(Example tests: passed {passed} of {len(verdicts)}: {results})"
        parts.append(
            f"Reply {number}:\n{text}\n\nWhat the agent was told:\n{seen or '(nothing: this was the last reply)'}"
        )
    return "\n\n---\n\n".join(parts)


class ModelSummarizer:
    """Summaries written by a model (any sampling backend), validated, retried."""

    def __init__(
        self,
        backend: Any,
        *,
        budget: int = 400,
        retries: int = 2,
        temperature: float = 0.2,
        max_tokens: int = 1024,
        seed: int = 0,
    ) -> None:
        self.backend = backend
        self.budget = budget
        self.retries = retries
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.seed = seed

    def fingerprint(self) -> dict[str, Any]:
        return {
            "summarizer": "model",
            "model": self.backend.model,
            "version": SUMMARY_VERSION,
            "budget": self.budget,
            "retries": self.retries,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
        }

    def messages(self, task: Problem, rollout: Rollout) -> list[dict[str, Any]]:
        from codefrontier.sampling.prompts import task_text

        prompt = SUMMARY_PROMPT.format(
            task=task_text(task, rollout.language), transcript=transcript(rollout), budget=self.budget
        )
        return [{"role": "system", "content": SUMMARY_SYSTEM}, {"role": "user", "content": prompt}]

    async def summarize(self, task: Problem, rollout: Rollout, key: str) -> Summary:
        from codefrontier.sampling import GenerationParams, RequestFailed

        if rollout.status == FAILED:  # no attempt to summarize: say so without a model call
            summary = deterministic_summary(rollout)
            summary.key = key
            return fit(summary, self.budget)
        messages = self.messages(task, rollout)
        cost = Cost()
        errors: list[str] = []
        started = time.perf_counter()
        attempts = 0
        for attempt in range(self.retries + 1):
            attempts += 1
            try:
                seed = int(digest(key, attempt)[:7], 16) if self.seed is not None else None
                params = GenerationParams(temperature=self.temperature, max_tokens=self.max_tokens, seed=seed)
                (completion,) = await self.backend.chat(messages, params)
            except RequestFailed as exc:
                errors.append(f"{REQUEST_FAILED}{exc}")
                break
            cost = cost + Cost.of(
                "summarizer",
                prompt_tokens=completion.usage.prompt_tokens,
                completion_tokens=completion.usage.completion_tokens,
                calls=1,
            )
            try:
                summary = parse_summary(completion.text, rollout.id)
            except SummaryInvalid as exc:
                errors.append(str(exc))
                messages = [
                    *messages,
                    {"role": "assistant", "content": completion.text},
                    {"role": "user", "content": RETRY_PROMPT.format(error=exc)},
                ]
                continue
            summary.attempts, summary.errors, summary.key = attempts, errors, key
            summary.cost = cost + Cost(wall_s=time.perf_counter() - started)
            return fit(summary, self.budget)
        fallback = fit(deterministic_summary(rollout), self.budget)
        fallback.source, fallback.status = "fallback", FAILED
        fallback.attempts, fallback.errors, fallback.key = attempts, errors, key
        fallback.cost = cost + Cost(wall_s=time.perf_counter() - started)
        return fallback


class CachedSummarizer:
    """Summaries kept in a `RecordCache`: a rollout is never summarized twice by the same
    summarizer. The key holds the rollout's content as well as its id, so a rollout drawn
    again (`--retry-failed`) is summarized again. With `retry_failed`, a summary that
    failed because its request failed (nothing was paid for) is asked again."""

    def __init__(self, summarizer: Summarizer, cache: RecordCache, *, retry_failed: bool = False) -> None:
        self.summarizer = summarizer
        self.cache = cache
        self.retry_failed = retry_failed
        self.made = 0
        self.used: dict[str, str] = {}  # key -> status, of the summaries this run used
        self._in_flight = InFlight()

    @property
    def failed(self) -> int:
        """Summaries used by this run that never validated (the fallback stood in)."""
        return sum(1 for status in self.used.values() if status == FAILED)

    def fingerprint(self) -> dict[str, Any]:
        return self.summarizer.fingerprint()

    async def summarize(self, task: Problem, rollout: Rollout) -> Summary:
        content = [rollout.status, rollout.code_sha256, rollout.steps]
        key = digest("summary", self.summarizer.fingerprint(), rollout.id, content)
        cached = self.cache.get(key)
        if cached is not None and not (self.retry_failed and _request_failed(cached)):
            summary = Summary.from_json(cached)
        else:
            summary = await self._in_flight.run(key, lambda: self._make(task, rollout, key))
        self.used[key] = summary.status
        return summary

    async def _make(self, task: Problem, rollout: Rollout, key: str) -> Summary:
        summary = await self.summarizer.summarize(task, rollout, key)
        self.made += 1
        self.cache.put(summary.to_json())
        return summary


def _request_failed(record: dict[str, Any]) -> bool:
    errors = record.get("errors") or []
    return record.get("status") == FAILED and bool(errors) and errors[-1].startswith(REQUEST_FAILED)
