"""Prometheus metrics of the judge service (docs/rewards.md, "Metrics").

Each service has its own registry, so several services (or tests) in one process never
share counters. The pool reports samples through the `PoolObserver` hooks; HTTP requests
are counted by `RequestMetrics`, an ASGI middleware around the whole app, so every answer
of a metered route is counted once, whichever layer gave it (a dependency refusing the
token, an exception handler, the route itself, or a bug answered 500).
"""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from codefrontier.contracts import SampleResult
from codefrontier.judge.pool import JudgePool, Task

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)

__all__ = ["CONTENT_TYPE", "RequestMetrics", "ServiceMetrics"]


class ServiceMetrics:
    def __init__(self, pool: JudgePool) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        Gauge(
            "codefrontier_queue_length", "samples accepted and waiting for a worker", registry=r
        ).set_function(lambda: pool.queued)
        Gauge(
            "codefrontier_samples_pending", "samples accepted and not finished (queued + running)", registry=r
        ).set_function(lambda: pool.pending)
        Gauge("codefrontier_workers_busy", "workers judging a sample now", registry=r).set_function(
            lambda: pool.busy
        )
        Gauge("codefrontier_workers", "judge workers (sandboxes)", registry=r).set_function(lambda: pool.jobs)
        self.samples = Counter(
            "codefrontier_samples", "samples judged, by sample verdict", ["verdict"], registry=r
        )
        self.tests = Counter("codefrontier_tests_run", "tests run in the sandbox", registry=r)
        self.test_verdicts = Counter(
            "codefrontier_test_verdicts", "tests judged, by test verdict", ["verdict"], registry=r
        )
        self.sample_latency = Histogram(
            "codefrontier_sample_latency_seconds",
            "from a sample's acceptance to its result (queue wait + judging)",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.requests = Counter(
            "codefrontier_requests",
            "HTTP requests, by endpoint and status",
            ["endpoint", "status"],
            registry=r,
        )
        self.request_latency = Histogram(
            "codefrontier_request_latency_seconds",
            "HTTP request latency, by endpoint",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.rewards_missing = Counter(
            "codefrontier_rewards_missing",
            "rewards answered as missing (internal error after retries)",
            registry=r,
        )

    # -- PoolObserver ----------------------------------------------------------------------
    def sample_started(self, task: Task, worker: str) -> None:
        pass

    def sample_finished(self, task: Task, result: SampleResult) -> None:
        self.samples.labels(result.verdict.value).inc()
        self.tests.inc(result.tests_run)
        for test in result.tests:
            self.test_verdicts.labels(test.verdict.value).inc()
        self.sample_latency.observe(time.monotonic() - task.submitted)

    # -- HTTP --------------------------------------------------------------------------------
    def request(self, endpoint: str, status: int, seconds: float) -> None:
        self.requests.labels(endpoint, str(status)).inc()
        self.request_latency.labels(endpoint).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class RequestMetrics:
    """ASGI middleware: counts and times the requests of the routes named in `endpoints`
    (by route name, the `endpoint` label), whatever answers them."""

    def __init__(self, app: Any, metrics: ServiceMetrics, endpoints: Collection[str]) -> None:
        self.app = app
        self.metrics = metrics
        self.endpoints = frozenset(endpoints)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = 500  # unless a response starts: an exception that escaped every handler

        async def send_and_note(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = scope.get("route")  # set by the router once it matched one
            name = getattr(route, "name", None)
            if name in self.endpoints:
                self.metrics.request(name, status, time.monotonic() - started)
