"""A Python client of the judge and reward service, with retries (docs/rewards.md, "Client").

    with RewardClient("http://judge:8000", token=os.environ.get("CODEFRONTIER_TOKEN")) as client:
        rewards = client.rewards([RewardItem("calm-stretches", completion)], RewardSpec("level", "small"))

Busy (429) and shutting-down (503) answers are retried after their Retry-After, and
connection failures with exponential backoff; other 4xx answers raise `ServiceError`
at once (the request is wrong, sending it again will not help).
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from typing import Any

from codefrontier.contracts import Problem, Sample, SampleResult
from codefrontier.errors import CodefrontierError
from codefrontier.problems.io import portable_problem, problem_to_json
from codefrontier.rewards.rewarder import RewardItem
from codefrontier.rewards.spec import Reward, RewardSpec
from codefrontier.rewards.wire import result_from_json

RETRY_STATUSES = frozenset({429, 502, 503, 504})


class ServiceError(CodefrontierError):
    """The service refused a request (`status`, and the `field` at fault when it names one),
    or could not be reached after every retry (`status` None)."""

    def __init__(
        self, message: str, *, status: int | None = None, field: str | None = None, kind: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        self.kind = kind

    @property
    def transient(self) -> bool:
        """Unreachable, busy or failing: not the request's fault."""
        return self.status is None or self.status in RETRY_STATUSES or self.status >= 500


class RewardClient:
    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        timeout: float = 900.0,
        retries: int = 8,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        import httpx

        self.url = url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(
            base_url=self.url, headers=headers, timeout=httpx.Timeout(timeout, connect=10.0)
        )
        self._httpx = httpx

    # -- endpoints -----------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return self._request("GET", "/health")

    def judge(
        self,
        samples: Sequence[Sample | Mapping[str, Any]],
        *,
        problems: Sequence[Problem | Mapping[str, Any]] = (),
        mode: str = "all",
        level: str | float | None = None,
    ) -> list[SampleResult]:
        body: dict[str, Any] = {"samples": [_sample_json(s) for s in samples], "mode": mode}
        if level is not None:
            body["level"] = level
        if problems:
            body["problems"] = [_problem_json(p) for p in problems]
        answer = self._request("POST", "/judge", body)
        return [result_from_json(r) for r in answer["results"]]

    def rewards(
        self,
        items: Sequence[RewardItem | Mapping[str, Any]],
        spec: RewardSpec | None = None,
        *,
        problems: Sequence[Problem | Mapping[str, Any]] = (),
    ) -> list[Reward]:
        body: dict[str, Any] = {
            "items": [i.to_json() if isinstance(i, RewardItem) else dict(i) for i in items]
        }
        if spec is not None:
            body["spec"] = spec.to_json()
        if problems:
            body["problems"] = [_problem_json(p) for p in problems]
        answer = self._request("POST", "/reward", body)
        return [Reward.from_json(r) for r in answer["rewards"]]

    def metrics(self) -> str:
        response = self._send("GET", "/metrics", None)
        return response.text

    # -- transport -----------------------------------------------------------------------
    def _request(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        return self._send(method, path, body).json()

    def _send(self, method: str, path: str, body: Any) -> Any:
        delay = self.backoff
        last = ""
        for attempt in range(self.retries + 1):
            try:
                response = self._http.request(method, path, json=body)
            except self._httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
                wait = delay
            else:
                if response.status_code < 400:
                    return response
                error = _error_of(response)
                if response.status_code not in RETRY_STATUSES:
                    raise error
                last = str(error)
                wait = _retry_after(response, delay)
                if attempt == self.retries:
                    raise error
            if attempt < self.retries:
                time.sleep(min(self.max_backoff, wait) * (1 + 0.1 * random.random()))
                delay = min(self.max_backoff, delay * 2)
        raise ServiceError(f"{self.url}{path} unreachable after {self.retries + 1} attempts: {last}")

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RewardClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _error_of(response: Any) -> ServiceError:
    try:
        info = response.json().get("error", {})
    except ValueError:
        info = {}
    message = info.get("message") or response.text[:500] or response.reason_phrase
    field = info.get("field")
    where = f"field '{field}': " if field else ""
    return ServiceError(
        f"HTTP {response.status_code}: {where}{message}",
        status=response.status_code,
        field=field,
        kind=info.get("type", ""),
    )


def _retry_after(response: Any, default: float) -> float:
    """The service's own estimate to the millisecond (`retry_after_s` in a 429's body)
    when given, else the Retry-After header (whole seconds), else `default`."""
    try:
        precise = response.json().get("error", {}).get("retry_after_s")
    except (ValueError, AttributeError):
        precise = None
    if isinstance(precise, int | float) and not isinstance(precise, bool) and precise >= 0:
        return float(precise)
    value = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return default


def _sample_json(sample: Sample | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(sample, Sample):
        return {
            "problem_id": sample.problem_id,
            "policy": sample.policy,
            "sample": sample.sample,
            "language": sample.language,
            # the text as the model wrote it: the service extracts the program by the same rule
            "code": sample.raw if sample.extracted and sample.raw is not None else sample.code,
        }
    return dict(sample)


def _problem_json(problem: Problem | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(problem, Problem):
        return problem_to_json(portable_problem(problem), with_solutions=False)
    return dict(problem)
