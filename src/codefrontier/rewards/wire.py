"""The JSON the service and its client exchange (docs/rewards.md, "HTTP API").

Requests are read here, not by a schema library, so that every error names the field the
way the rest of codefrontier does (`samples[3].code`, `problems[0].tests[2].input`,
`spec.level`) and maps to one HTTP status.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from codefrontier.contracts import FailureClass, Problem, Sample, SampleResult, TestResult, Verdict
from codefrontier.errors import ConfigError, InputError, UnknownLanguageError, UnknownProblemError
from codefrontier.judge.config import Mode
from codefrontier.problems.io import problem_from_json
from codefrontier.problems.levels import parse_level
from codefrontier.rewards.rewarder import DEFAULT_MAX_CODE_BYTES, CodeTooLarge, make_sample
from codefrontier.rewards.spec import RewardSpec


class RequestError(InputError):
    """A request the service refuses, with its HTTP status."""

    def __init__(self, status: int, message: str, *, field: str | None = None, kind: str = "invalid") -> None:
        super().__init__(message, field=field)
        self.status = status
        self.kind = kind

    def to_json(self) -> dict[str, Any]:
        return error_body(self.kind, self.message, self.field)


def error_body(kind: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    """The one shape of every refusal: `{"error": {"type", "field", "message", ...}}`."""
    return {"error": {"type": kind, "field": field, "message": message, **extra}}


def as_request_error(exc: InputError) -> RequestError:
    if isinstance(exc, RequestError):
        return exc
    if isinstance(exc, CodeTooLarge):
        return RequestError(413, exc.message, field=exc.field, kind="too_large")
    if isinstance(exc, UnknownProblemError):
        return RequestError(422, exc.message, field=exc.field, kind="unknown_problem")
    if isinstance(exc, UnknownLanguageError):
        return RequestError(422, exc.message, field=exc.field, kind="unsupported_language")
    kind = "missing_field" if exc.message == "missing" else "invalid"
    return RequestError(422, exc.message, field=exc.field, kind=kind)


# -- results -----------------------------------------------------------------------------
def result_to_json(result: SampleResult) -> dict[str, Any]:
    out = dataclasses.asdict(result)
    out["verdict"] = result.verdict.value
    out["failure_class"] = result.failure_class.value
    for test in out["tests"]:
        test["verdict"] = str(test["verdict"])
    out["tests_passed"] = result.tests_passed
    out["tests_run"] = result.tests_run
    return out


def result_from_json(obj: Mapping[str, Any]) -> SampleResult:
    names = {f.name for f in dataclasses.fields(SampleResult)}
    fields = {k: v for k, v in obj.items() if k in names}
    fields["verdict"] = Verdict(obj["verdict"])
    fields["failure_class"] = FailureClass(obj["failure_class"])
    test_names = {f.name for f in dataclasses.fields(TestResult)}
    fields["tests"] = [
        TestResult(**{**{k: v for k, v in t.items() if k in test_names}, "verdict": Verdict(t["verdict"])})
        for t in obj.get("tests", [])
    ]
    return SampleResult(**fields)


# -- requests ----------------------------------------------------------------------------
SAMPLE_FIELDS_BYTES = 4 * 1024  # a sample's fields besides its code, as JSON
INLINE_PROBLEM_BYTES = 256 * 1024  # an inline problem: statement, tests and their data
SAMPLE_VALUES = 64  # JSON values of a sample record, policy_meta included
INLINE_PROBLEM_VALUES = 16 * 1024  # JSON values of an inline problem (function tests' arguments)
INT64 = (-(2**63), 2**63 - 1)  # what the results store holds in an integer column


@dataclass
class Limits:
    """What one request may hold. The body limits default to what a full batch can need:
    `max_batch` samples of `max_code_bytes` each, plus `max_inline_problems` problems."""

    max_batch: int = 4096
    max_code_bytes: int = DEFAULT_MAX_CODE_BYTES
    max_inline_problems: int = 64
    max_body_bytes: int | None = None  # None: body_bytes, derived from the limits above

    def __post_init__(self) -> None:
        for name in ("max_batch", "max_code_bytes"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1")
        if self.max_inline_problems < 0:
            raise ConfigError("max_inline_problems must not be negative")
        if self.max_body_bytes is not None and self.max_body_bytes < 1:
            raise ConfigError("max_body_bytes must be at least 1")

    @property
    def body_bytes(self) -> int:
        """The largest body accepted."""
        if self.max_body_bytes is not None:
            return self.max_body_bytes
        return (
            self.max_batch * (self.max_code_bytes + SAMPLE_FIELDS_BYTES)
            + self.max_inline_problems * INLINE_PROBLEM_BYTES
        )

    @property
    def body_values(self) -> int:
        """The most JSON values a body may hold (counted before it is parsed)."""
        return self.max_batch * SAMPLE_VALUES + self.max_inline_problems * INLINE_PROBLEM_VALUES


@dataclass
class ParsedBatch:
    """What a /judge or /reward request asks for: (problem, sample) pairs, with inline
    problems renamed to a content-addressed id while they are judged (`renamed` maps back)."""

    pairs: list[tuple[Problem, Sample]]
    renamed: dict[str, str] = field(default_factory=dict)
    mode: Mode = Mode.ALL
    level: str | float | None = None
    spec: RewardSpec | None = None

    def original_id(self, problem_id: str) -> str:
        return self.renamed.get(problem_id, problem_id)


def check_int64(value: Any, field: str) -> None:
    """An integer the results store will hold must fit its int64 columns."""
    if isinstance(value, int) and not isinstance(value, bool) and not INT64[0] <= value <= INT64[1]:
        raise RequestError(422, "does not fit a 64-bit integer (the results store holds int64)", field=field)


def _list_field(body: Mapping[str, Any], name: str, required: bool, limit: int) -> list[Any]:
    if name not in body:
        if required:
            raise RequestError(422, "missing", field=name, kind="missing_field")
        return []
    value = body[name]
    if not isinstance(value, list):
        raise RequestError(422, "must be a list", field=name)
    if required and not value:
        raise RequestError(422, "must not be empty", field=name)
    if len(value) > limit:
        raise RequestError(
            413, f"has {len(value)} entries; the limit is {limit}", field=name, kind="too_large"
        )
    return value


def inline_problems(
    body: Mapping[str, Any], served: Mapping[str, Problem], limits: Limits
) -> tuple[dict[str, Problem], dict[str, str]]:
    """The problems a request may use: the served ones plus its inline `problems`. An
    inline problem is judged under `ID@<digest>` so that two requests sending different
    problems with the same id never share cached test data."""
    raw = _list_field(body, "problems", False, limits.max_inline_problems)
    if not raw:
        return dict(served), {}
    problems = dict(served)
    renamed: dict[str, str] = {}
    for i, obj in enumerate(raw):
        if not isinstance(obj, dict):
            raise RequestError(422, "must be an object", field=f"problems[{i}]")
        tests = obj.get("tests")
        for j, test in enumerate(tests if isinstance(tests, list) else []):
            if isinstance(test, dict):
                check_int64(test.get("size"), f"problems[{i}].tests[{j}].size")
        try:
            problem = problem_from_json(obj)
        except InputError as exc:
            raise RequestError(
                422, exc.message, field=f"problems[{i}].{exc.field or ''}".rstrip(".")
            ) from None
        if problem.id in served:
            raise RequestError(
                422,
                f"id {problem.id!r} is a problem the service already serves; give inline problems other ids",
                field=f"problems[{i}].id",
            )
        digest = hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]
        internal = dataclasses.replace(problem, id=f"{problem.id}@{digest}")
        problems[problem.id] = internal
        renamed[internal.id] = problem.id
    return problems, renamed


def parse_samples(
    body: Mapping[str, Any], key: str, served: Mapping[str, Problem], limits: Limits
) -> ParsedBatch:
    problems, renamed = inline_problems(body, served, limits)
    raw = _list_field(body, key, True, limits.max_batch)
    pairs = []
    for i, obj in enumerate(raw):
        if isinstance(obj, dict):
            check_int64(obj.get("sample"), f"{key}[{i}].sample")
        try:
            pairs.append(
                make_sample(
                    obj, problems, index=i, prefix=f"{key}[{i}].", max_code_bytes=limits.max_code_bytes
                )
            )
        except InputError as exc:
            raise as_request_error(exc) from None
    return ParsedBatch(pairs, renamed)


def parse_judge_request(
    body: Mapping[str, Any], served: Mapping[str, Problem], limits: Limits
) -> ParsedBatch:
    """{samples: [...], problems?: [...], mode?: "all"|"first-fail", level?: 0.5|"small"}"""
    batch = parse_samples(body, "samples", served, limits)
    mode = body.get("mode", Mode.ALL.value)
    try:
        batch.mode = Mode(mode)
    except ValueError:
        raise RequestError(
            422, f"unknown mode {mode!r}; use {' or '.join(m.value for m in Mode)}", field="mode"
        ) from None
    level = body.get("level")
    if level is not None:
        if isinstance(level, bool) or not isinstance(level, str | int | float):
            raise RequestError(422, "must be a fraction in (0, 1] or a tier name", field="level")
        try:
            batch.level = parse_level(level)
        except Exception as exc:
            raise RequestError(422, str(exc), field="level") from None
        spec = RewardSpec(level=batch.level)
        for problem, _ in batch.pairs:
            try:
                spec.check_problem(problem)
            except InputError as exc:
                raise RequestError(422, exc.message, field="level") from None
    return batch


def parse_reward_request(
    body: Mapping[str, Any], served: Mapping[str, Problem], limits: Limits, default: RewardSpec
) -> ParsedBatch:
    """{items: [...], spec?: {kind, level, efficiency_weight}, problems?: [...]}"""
    batch = parse_samples(body, "items", served, limits)
    try:
        batch.spec = RewardSpec.from_json(body["spec"]) if "spec" in body else default
    except InputError as exc:
        raise as_request_error(exc) from None
    return batch


# -- OpenRLHF's remote reward protocol ------------------------------------------------------
def parse_label(label: Any, index: int) -> dict[str, Any]:
    """An OpenRLHF label (or a verl ground truth): a problem id, or a JSON object (text or
    mapping) with `problem_id` and optionally `language`."""
    field_name = f"labels[{index}]"
    if isinstance(label, Mapping):
        obj = dict(label)
    elif isinstance(label, str) and label.lstrip().startswith("{"):
        try:
            obj = json.loads(label)
        except json.JSONDecodeError as exc:
            raise RequestError(422, f"is not valid JSON ({exc.msg})", field=field_name) from None
        except RecursionError:
            raise RequestError(422, "nests JSON too deeply", field=field_name) from None
        if not isinstance(obj, dict):
            raise RequestError(422, "must be a problem id or a JSON object", field=field_name)
    elif isinstance(label, str | int) and not isinstance(label, bool) and str(label):
        obj = {"problem_id": str(label)}
    else:
        raise RequestError(422, "must be a problem id or a JSON object with `problem_id`", field=field_name)
    if "problem_id" not in obj:
        raise RequestError(422, "missing", field=f"{field_name}.problem_id", kind="missing_field")
    return obj


# End-of-turn tokens a decoder leaves at the end of a query (OpenRLHF decodes with
# skip_special_tokens=False): `<|im_end|>`, `<|endoftext|>`, `<|eot_id|>`, `</s>`, ...
TRAILING_SPECIAL_TOKENS = re.compile(r"(?:\s*(?:<\|[A-Za-z0-9_.:-]{1,40}\|>|</s>|<eos>|<end_of_turn>))+\s*\Z")


def response_text(query: str, prompt: str) -> str:
    """The model's response in an OpenRLHF query (prompt + response, as decoded), without
    the end-of-turn special tokens after it.

    OpenRLHF keeps only the last tokens of a prompt that is too long for its context
    (`prompt_token_ids[-max_prompt_length:]`) but sends the whole prompt, so the query
    starts with a *suffix* of the prompt, not the prompt. The response is what follows the
    longest suffix of the prompt that the query starts with (the whole prompt when nothing
    was cut; nothing is stripped when they share no text)."""
    text = query[_overlap(prompt, query) :] if prompt else query
    return TRAILING_SPECIAL_TOKENS.sub("\n", text)


def _overlap(prompt: str, query: str) -> int:
    """The length of the longest suffix of `prompt` that is a prefix of `query`, in linear
    time: `prompt` run through the Knuth-Morris-Pratt automaton of `query`'s head."""
    head = query[: len(prompt)]
    if not head:
        return 0
    fail = [0] * len(head)  # fail[i]: longest proper prefix of head[: i + 1] that is also its suffix
    k = 0
    for i in range(1, len(head)):
        while k and head[i] != head[k]:
            k = fail[k - 1]
        if head[i] == head[k]:
            k += 1
        fail[i] = k
    k = 0  # the longest prefix of head that ends at the current character of the prompt
    for char in prompt:
        while k and (k == len(head) or char != head[k]):
            k = fail[k - 1]
        if char == head[k]:
            k += 1
    return k


def parse_openrlhf_request(
    body: Mapping[str, Any], served: Mapping[str, Problem], limits: Limits
) -> list[tuple[Problem, Sample]]:
    """{query: [prompt+response...], prompts: [...], labels: [problem id or JSON...]}"""
    queries = _list_field(body, "query", True, limits.max_batch)
    prompts = _list_field(body, "prompts", False, limits.max_batch) or [""] * len(queries)
    labels = _list_field(body, "labels", True, limits.max_batch)
    for name, values in (("prompts", prompts), ("labels", labels)):
        if len(values) != len(queries):
            raise RequestError(
                422,
                f"has {len(values)} entries but `query` has {len(queries)}; give one per query",
                field=name,
            )
    pairs = []
    for i, (query, prompt, label) in enumerate(zip(queries, prompts, labels, strict=True)):
        if not isinstance(query, str):
            raise RequestError(422, "must be a string", field=f"query[{i}]")
        if not isinstance(prompt, str):
            raise RequestError(422, "must be a string", field=f"prompts[{i}]")
        obj = parse_label(label, i)
        item = {
            "problem_id": obj["problem_id"],
            "completion": response_text(query, prompt),
            "language": obj.get("language", "python"),
        }
        try:
            pairs.append(make_sample(item, served, index=i, prefix="", max_code_bytes=limits.max_code_bytes))
        except InputError as exc:
            error = as_request_error(exc)
            error.field = f"labels[{i}].{error.field}" if error.field != "completion" else f"query[{i}]"
            raise error from None
    return pairs


def spec_from_query(params: Mapping[str, str], default: RewardSpec) -> RewardSpec:
    """A spec from URL query parameters (`?kind=level&level=small&efficiency_weight=0.2`)."""
    if not any(k in params for k in ("kind", "level", "efficiency_weight")):
        return default
    obj: dict[str, Any] = default.to_json()
    for name in ("kind", "level"):
        if name in params:
            obj[name] = params[name]
    if "efficiency_weight" in params:
        try:
            obj["efficiency_weight"] = float(params["efficiency_weight"])
        except ValueError:
            raise RequestError(422, "must be a number in [0, 1]", field="efficiency_weight") from None
    if "kind" in params and "level" not in params and params["kind"] != "level":
        obj["level"] = None
    try:
        return RewardSpec.from_json(obj, prefix="")
    except InputError as exc:
        raise as_request_error(exc) from None
