"""The HTTP judge and reward service, `codefrontier serve` (docs/rewards.md, "HTTP API").

FastAPI on uvicorn, in front of one long-lived `JudgePool` that every request shares:

    POST /judge        judge samples against served or inline problems
    POST /reward       rewards for completions, with a reward spec
    POST /openrlhf     OpenRLHF's remote reward protocol (also at /get_reward)
    GET  /health       liveness and queue state (never needs the token)
    GET  /metrics      Prometheus text

The queue is bounded: a batch that does not fit is answered 429 with Retry-After, never
buffered. With a token, every endpoint but /health needs `Authorization: Bearer TOKEN`.
On SIGTERM/SIGINT the service stops listening, answers new requests on open connections
503, gives queued samples `drain_timeout` seconds, answers what is left as IE, and exits
after every accepted request has its response.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hmac
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from codefrontier import __version__
from codefrontier.contracts import Problem, Sample
from codefrontier.errors import CodefrontierError, InputError
from codefrontier.judge.pool import JudgePool, PoolClosed, QueueFull
from codefrontier.rewards.metrics import CONTENT_TYPE, ServiceMetrics
from codefrontier.rewards.rewarder import Rewarder
from codefrontier.rewards.spec import Reward, RewardSpec
from codefrontier.rewards.wire import (
    Limits,
    RequestError,
    as_request_error,
    load_body,
    parse_judge_request,
    parse_openrlhf_request,
    parse_reward_request,
    result_to_json,
    spec_from_query,
)

log = logging.getLogger(__name__)


@dataclass
class ServiceSettings:
    token: str | None = None  # bearer token; None: no authentication
    limits: Limits = field(default_factory=Limits)
    default_spec: RewardSpec = field(default_factory=RewardSpec)  # /reward without `spec`, /openrlhf
    drain_timeout: float = 60.0  # seconds queued samples get at shutdown before they are answered IE
    max_body_bytes: int = 256 << 20


class JudgeService:
    """The state behind the HTTP app: served problems, the pool, metrics, draining."""

    def __init__(
        self,
        problems: Sequence[Problem] | Mapping[str, Problem],
        pool: JudgePool,
        settings: ServiceSettings | None = None,
        *,
        benchmark: str = "",
    ) -> None:
        self.settings = settings or ServiceSettings()
        self.pool = pool
        self.benchmark = benchmark
        self.rewarder = Rewarder(
            problems, pool=pool, benchmark=benchmark, max_code_bytes=self.settings.limits.max_code_bytes
        )
        self.problems = self.rewarder.problems
        self.metrics = ServiceMetrics(pool)
        pool.observers.append(self.metrics)
        self.draining = False
        self._drainer: threading.Thread | None = None
        self._closed = False

    def begin_drain(self) -> None:
        """Refuse new work; after `drain_timeout`, answer still-queued samples as IE."""
        if self.draining:
            return
        self.draining = True
        self.pool.stop_accepting()

        def drain() -> None:
            if not self.pool.wait_idle(self.settings.drain_timeout):
                failed = self.pool.fail_queued("the service shut down before this sample was judged")
                log.warning(
                    "shutdown: %d queued samples answered as IE after %.0f s",
                    failed,
                    self.settings.drain_timeout,
                )

        self._drainer = threading.Thread(target=drain, name="cf-drain", daemon=True)
        self._drainer.start()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.begin_drain()
        self.pool.close(self.settings.drain_timeout)

    def health(self) -> dict[str, Any]:
        level, _ = self.pool.isolation
        return {
            "status": "draining" if self.draining else "ok",
            "version": __version__,
            "benchmark": self.benchmark,
            "problems": len(self.problems),
            "workers": self.pool.jobs,
            "busy": self.pool.busy,
            "queued": self.pool.queued,
            "pending": self.pool.pending,
            "max_queue": self.pool.max_queue,
            "isolation": level,
            "auth": self.settings.token is not None,
            "default_spec": self.settings.default_spec.to_json(),
        }


def create_app(service: JudgeService) -> FastAPI:
    """The FastAPI application of `service`."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        yield
        await run_in_threadpool(service.close)

    app = FastAPI(
        title="codefrontier judge and reward service",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service
    limits = service.settings.limits

    def error(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
        return JSONResponse(body, status_code=status, headers=headers)

    def refusal(exc: Exception) -> JSONResponse:
        if isinstance(exc, QueueFull):
            seconds = str(int(exc.retry_after))
            body = {
                "error": {"type": "queue_full", "field": None, "message": str(exc), "retry_after": seconds}
            }
            return error(429, body, {"Retry-After": seconds})
        return error(
            503,
            {"error": {"type": "shutting_down", "field": None, "message": str(exc)}},
            {"Retry-After": "5"},
        )

    def unauthorized() -> JSONResponse:
        message = "a valid bearer token is required"
        body = {"error": {"type": "unauthorized", "field": "Authorization", "message": message}}
        return error(401, body, {"WWW-Authenticate": "Bearer"})

    def authorized(request: Request) -> bool:
        token = service.settings.token
        if token is None:
            return True
        given = request.headers.get("authorization", "")
        scheme, _, credentials = given.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            credentials.strip().encode(), token.encode()
        )

    async def handle(
        endpoint: str, request: Request, work: Callable[[dict[str, Any]], Awaitable[Response]]
    ) -> Response:
        started = time.monotonic()
        try:
            response = await _answer(request, work)
        except Exception:  # a bug: answer it, keep serving
            log.exception("%s failed", endpoint)
            response = error(500, {"error": {"type": "internal", "field": None, "message": "internal error"}})
        service.metrics.request(endpoint, response.status_code, time.monotonic() - started)
        return response

    async def _answer(request: Request, work: Callable[[dict[str, Any]], Awaitable[Response]]) -> Response:
        if not authorized(request):
            return unauthorized()
        if service.draining:
            return refusal(PoolClosed("the service is shutting down; send this request to another instance"))
        declared = request.headers.get("content-length", "")
        limit = service.settings.max_body_bytes
        if declared.isdigit() and int(declared) > limit:
            too_large = RequestError(
                413, f"the body is {declared} bytes; the limit is {limit}", kind="too_large"
            )
            return error(413, too_large.to_json())
        try:
            body = load_body(await request.body())
            return await work(body)
        except RequestError as exc:
            return error(exc.status, exc.to_json())
        except (QueueFull, PoolClosed) as exc:
            return refusal(exc)

    @app.post("/judge")
    async def judge(request: Request) -> Response:
        async def work(body: dict[str, Any]) -> Response:
            batch = await run_in_threadpool(parse_judge_request, body, service.problems, limits)
            config = dataclasses.replace(service.pool.config, mode=batch.mode, level=batch.level)
            futures = service.pool.submit_many(batch.pairs, config, service.benchmark)
            results = await asyncio.gather(*(asyncio.wrap_future(f) for f in futures))
            out = []
            for result in results:
                obj = result_to_json(result)
                obj["problem_id"] = batch.original_id(result.problem_id)
                out.append(obj)
            return JSONResponse({"results": out})

        return await handle("judge", request, work)

    @app.post("/reward")
    async def reward(request: Request) -> Response:
        async def work(body: dict[str, Any]) -> Response:
            batch = await run_in_threadpool(
                parse_reward_request, body, service.problems, limits, service.settings.default_spec
            )
            assert batch.spec is not None
            rewards = await _rewards(batch.pairs, batch.spec)
            for r in rewards:
                r.problem_id = batch.original_id(r.problem_id)
            return JSONResponse({"spec": batch.spec.to_json(), "rewards": [r.to_json() for r in rewards]})

        return await handle("reward", request, work)

    async def _rewards(pairs: Sequence[tuple[Problem, Sample]], spec: RewardSpec) -> list[Reward]:
        try:
            futures = service.rewarder.submit(pairs, spec)
        except InputError as exc:  # the level does not fit a problem
            raise as_request_error(exc) from None
        rewards = list(await asyncio.gather(*(asyncio.wrap_future(f) for f in futures)))
        missing = sum(1 for r in rewards if r.value is None)
        if missing:
            service.metrics.rewards_missing.inc(missing)
        return rewards

    async def openrlhf(request: Request) -> Response:
        async def work(body: dict[str, Any]) -> Response:
            spec = spec_from_query(request.query_params, service.settings.default_spec)
            pairs = await run_in_threadpool(parse_openrlhf_request, body, service.problems, limits)
            rewards = await _rewards(pairs, spec)
            missing = [(i, r.reason) for i, r in enumerate(rewards) if r.value is None]
            if missing:
                # OpenRLHF has no "missing" reward: a 0 would train the policy on the judge's
                # failure. A 503 makes it retry the batch, then stop with this message.
                index, reason = missing[0]
                return error(
                    503,
                    {
                        "error": {
                            "type": "reward_missing",
                            "field": f"query[{index}]",
                            "message": f"{len(missing)} of {len(rewards)} rewards could not be computed; "
                            f"first (query[{index}]): {reason}",
                            "missing": [i for i, _ in missing],
                        }
                    },
                    {"Retry-After": "1"},
                )
            values = [float(r.value) for r in rewards if r.value is not None]
            return JSONResponse(
                {
                    "rewards": values,
                    "scores": values,
                    "extra_logs": {
                        "passed": [float(r.passed) for r in rewards],
                        "highest_level": [r.highest_level for r in rewards],
                        "tests_passed": [float(r.tests_passed) for r in rewards],
                        "cpu_s": [r.cpu_s for r in rewards],
                    },
                }
            )

        return await handle("openrlhf", request, work)

    app.add_api_route("/openrlhf", openrlhf, methods=["POST"])
    app.add_api_route("/get_reward", openrlhf, methods=["POST"])

    @app.get("/health")
    async def health() -> Response:
        return JSONResponse(service.health())

    @app.get("/metrics")
    async def metrics(request: Request) -> Response:
        if not authorized(request):
            return unauthorized()
        return Response(service.metrics.render(), media_type=CONTENT_TYPE)

    return app


# -- running it ------------------------------------------------------------------------------
def _server(app: Any, service: JudgeService, host: str, port: int, log_level: str) -> Any:
    import uvicorn

    class DrainingServer(uvicorn.Server):
        ready = threading.Event()

        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            self.ready.set()

        def handle_exit(self, sig: int, frame: Any) -> None:
            service.begin_drain()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=None,  # wait for every accepted request (the drain bounds it)
        timeout_keep_alive=30,
    )
    return DrainingServer(config)


def serve(service: JudgeService, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info") -> None:
    """Run the service until SIGTERM/SIGINT, then drain and return."""
    _server(create_app(service), service, host, port, log_level).run()


@contextlib.contextmanager
def running(service: JudgeService, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run the service on a background thread (port 0: any free port); yields its base URL.
    On exit the service drains and closes like on SIGTERM."""
    server = _server(create_app(service), service, host, port, "warning")
    thread = threading.Thread(target=server.run, name="cf-serve", daemon=True)
    thread.start()
    while not server.ready.wait(0.1):
        if not thread.is_alive():
            raise CodefrontierError(f"the service could not start on {host}:{port}")
    bound = server.servers[0].sockets[0].getsockname()
    try:
        yield f"http://{bound[0]}:{bound[1]}"
    finally:
        service.begin_drain()
        server.should_exit = True
        thread.join()
