"""The HTTP judge and reward service, `codefrontier serve` (docs/rewards.md, "HTTP API").

FastAPI in front of one long-lived `JudgePool` that every request shares:

    POST /judge        judge samples against served or inline problems
    POST /reward       rewards for completions, with a reward spec
    POST /openrlhf     OpenRLHF's remote reward protocol (also at /get_reward)
    GET  /health       liveness and queue state (never needs the token)
    GET  /metrics      Prometheus text

How the app is put together:
- the work routes share two dependencies, run in this order before the body is read:
  the bearer token (`require_token`) and `accepting` (503 while shutting down);
- a route's body is read, measured and parsed by `rewards.body` (bounded memory) into
  the request it asks for, as a dependency (`JudgeBatch`, `RewardBatch`, ...);
- every refusal is an exception, turned into the one error shape by `error_response`
  in the handlers of `EXCEPTION_HANDLERS` (a bug is answered 500 the same way);
- `metrics.RequestMetrics`, a middleware, counts and times every answer of a work route.

The queue is bounded: a batch that does not fit is answered 429 with a Retry-After
estimated from the queue ahead (`rewards.backpressure`), never buffered; a batch that can
never fit (over the queue's size) is a 413. Running it (uvicorn, shutdown, timeouts) is
`rewards.server`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hmac
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from concurrent.futures import Future
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from codefrontier import __version__
from codefrontier.errors import CodefrontierError, InputError
from codefrontier.judge import JudgePool, PoolClosed, QueueFull, Sample
from codefrontier.problems import Problem
from codefrontier.rewards.backpressure import RetryAfter, header_seconds
from codefrontier.rewards.body import BodyReader
from codefrontier.rewards.metrics import CONTENT_TYPE, RequestMetrics, ServiceMetrics
from codefrontier.rewards.rewarder import Rewarder
from codefrontier.rewards.settings import ServiceSettings
from codefrontier.rewards.spec import Reward, RewardSpec
from codefrontier.rewards.wire import (
    Limits,
    ParsedBatch,
    as_request_error,
    error_body,
    parse_judge_request,
    parse_openrlhf_request,
    parse_reward_request,
    result_to_json,
    spec_from_query,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

SHUTDOWN_RETRY_AFTER = "5"  # seconds: another instance should be up by then
MISSING_RETRY_AFTER = "1"


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
        self.limits = queue_bounded(self.settings.limits, pool.max_queue)
        self.rewarder = Rewarder(
            problems, pool=pool, benchmark=benchmark, max_code_bytes=self.limits.max_code_bytes
        )
        self.problems = self.rewarder.problems
        self.metrics = ServiceMetrics(pool)
        self.retry_after = RetryAfter(pool, self.settings.retry_after)
        pool.observers += [self.metrics, self.retry_after]
        self.draining = False
        self._drainer: threading.Thread | None = None
        self._closed = False

    def accept(self, samples: int, submit: Callable[[], T]) -> T:
        """`submit()` queues `samples` samples, all or none; a full queue is a QueueFull
        whose `retry_after` counts the queue ahead (`rewards.backpressure`)."""
        try:
            return submit()
        except QueueFull as exc:
            raise QueueFull(str(exc), self.retry_after.seconds(exc, samples)) from None

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


def queue_bounded(limits: Limits, max_queue: int | None) -> Limits:
    """`limits` with `max_batch` at most the queue's size: a larger batch could never be
    accepted (a 429 its client would retry forever), so it is a 413."""
    if max_queue is None or limits.max_batch <= max_queue:
        return limits
    return dataclasses.replace(limits, max_batch=max_queue)


# -- refusals: one shape, one helper ------------------------------------------------------
class Unauthorized(CodefrontierError):
    """The bearer token is required and was missing or wrong."""


class RewardsMissing(CodefrontierError):
    """Some rewards of an OpenRLHF batch could not be computed (the judge's fault)."""

    def __init__(self, missing: list[tuple[int, str]], total: int) -> None:
        index, reason = missing[0]
        super().__init__(
            f"{len(missing)} of {total} rewards could not be computed; first (query[{index}]): {reason}"
        )
        self.missing = [i for i, _ in missing]


def error_response(
    status: int,
    kind: str,
    message: str,
    *,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Every refusal the service answers: `{"error": {"type", "field", "message", ...}}`."""
    return JSONResponse(error_body(kind, message, field, **extra), status_code=status, headers=headers)


async def _input_error(request: Request, exc: Exception) -> Response:
    refusal = as_request_error(exc)  # type: ignore[arg-type]
    return error_response(refusal.status, refusal.kind, refusal.message, field=refusal.field)


async def _queue_full(request: Request, exc: Exception) -> Response:
    precise: float = exc.retry_after  # type: ignore[attr-defined]
    seconds = header_seconds(precise)
    return error_response(
        429,
        "queue_full",
        str(exc),
        headers={"Retry-After": seconds},
        retry_after=seconds,
        retry_after_s=round(precise, 3),
    )


async def _shutting_down(request: Request, exc: Exception) -> Response:
    headers = {"Retry-After": SHUTDOWN_RETRY_AFTER, "Connection": "close"}  # this instance is going away
    return error_response(503, "shutting_down", str(exc), headers=headers)


async def _unauthorized(request: Request, exc: Exception) -> Response:
    return error_response(
        401, "unauthorized", str(exc), field="Authorization", headers={"WWW-Authenticate": "Bearer"}
    )


async def _rewards_missing(request: Request, exc: Exception) -> Response:
    # OpenRLHF has no "missing" reward: a 0 would train the policy on the judge's failure.
    missing: list[int] = exc.missing  # type: ignore[attr-defined]
    return error_response(
        503,
        "reward_missing",
        str(exc),
        field=f"query[{missing[0]}]",
        headers={"Retry-After": MISSING_RETRY_AFTER},
        missing=missing,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code  # type: ignore[attr-defined]
    kind = {404: "not_found", 405: "method_not_allowed"}.get(status, "http_error")
    return error_response(status, kind, str(exc.detail), headers=exc.headers)  # type: ignore[attr-defined]


async def _internal(request: Request, exc: Exception) -> Response:
    # A bug: answered, and the server logs the traceback; the service keeps serving.
    return error_response(500, "internal", "internal error")


EXCEPTION_HANDLERS: dict[type[Exception], Callable[[Request, Exception], Awaitable[Response]]] = {
    InputError: _input_error,  # RequestError (its own status), and the judge's input errors (422)
    QueueFull: _queue_full,
    PoolClosed: _shutting_down,
    Unauthorized: _unauthorized,
    RewardsMissing: _rewards_missing,
    HTTPException: _http_error,
    Exception: _internal,
}


# -- dependencies -------------------------------------------------------------------------
def the_service(request: Request) -> JudgeService:
    return request.app.state.service  # type: ignore[no-any-return]


Service = Annotated[JudgeService, Depends(the_service)]


def require_token(request: Request, service: Service) -> None:
    token = service.settings.token
    if token is None:
        return
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if not (scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), token.encode())):
        raise Unauthorized("a valid bearer token is required")


def accepting(service: Service) -> None:
    if service.draining:
        raise PoolClosed("the service is shutting down; send this request to another instance")


def parsed_body(
    parse: Callable[[JudgeService, dict[str, Any]], T],
) -> Callable[[Request], Awaitable[T]]:
    """A dependency: the request's JSON body, read with bounded memory, then `parse`d."""

    async def read(request: Request) -> T:
        service = the_service(request)
        return await request.app.state.bodies.parse(  # type: ignore[no-any-return]
            request.headers.get("content-length"), request.stream(), lambda body: parse(service, body)
        )

    return read


JudgeBatch = Annotated[
    ParsedBatch, Depends(parsed_body(lambda s, body: parse_judge_request(body, s.problems, s.limits)))
]
RewardBatch = Annotated[
    ParsedBatch,
    Depends(
        parsed_body(lambda s, body: parse_reward_request(body, s.problems, s.limits, s.settings.default_spec))
    ),
]
OpenRLHFBatch = Annotated[
    list[tuple[Problem, Sample]],
    Depends(parsed_body(lambda s, body: parse_openrlhf_request(body, s.problems, s.limits))),
]


# -- routes -------------------------------------------------------------------------------
work_routes = APIRouter(dependencies=[Depends(require_token), Depends(accepting)])
status_routes = APIRouter()
METERED = ("judge", "reward", "openrlhf")  # route names, the `endpoint` label of the request metrics


async def _results(futures: Sequence[Future[T]]) -> list[T]:
    return list(await asyncio.gather(*(asyncio.wrap_future(f) for f in futures)))


@work_routes.post("/judge", name="judge")
async def judge(batch: JudgeBatch, service: Service) -> JSONResponse:
    config = dataclasses.replace(service.pool.config, mode=batch.mode, level=batch.level)
    futures = service.accept(
        len(batch.pairs), lambda: service.pool.submit_many(batch.pairs, config, service.benchmark)
    )
    out = []
    for result in await _results(futures):
        obj = result_to_json(result)
        obj["problem_id"] = batch.original_id(result.problem_id)
        out.append(obj)
    return JSONResponse({"results": out})


async def _rewards(
    service: JudgeService, pairs: Sequence[tuple[Problem, Sample]], spec: RewardSpec
) -> list[Reward]:
    try:
        futures = service.accept(len(pairs), lambda: service.rewarder.submit(pairs, spec))
    except InputError as exc:  # the level does not fit a problem
        raise as_request_error(exc) from None
    rewards = await _results(futures)
    missing = sum(1 for r in rewards if r.value is None)
    if missing:
        service.metrics.rewards_missing.inc(missing)
    return rewards


@work_routes.post("/reward", name="reward")
async def reward(batch: RewardBatch, service: Service) -> JSONResponse:
    assert batch.spec is not None
    rewards = await _rewards(service, batch.pairs, batch.spec)
    for r in rewards:
        r.problem_id = batch.original_id(r.problem_id)
    return JSONResponse({"spec": batch.spec.to_json(), "rewards": [r.to_json() for r in rewards]})


@work_routes.post("/openrlhf", name="openrlhf")
async def openrlhf(request: Request, pairs: OpenRLHFBatch, service: Service) -> JSONResponse:
    spec = spec_from_query(request.query_params, service.settings.default_spec)
    rewards = await _rewards(service, pairs, spec)
    missing = [(i, r.reason) for i, r in enumerate(rewards) if r.value is None]
    if missing:  # OpenRLHF retries the batch, then stops with the message
        raise RewardsMissing(missing, len(rewards))
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


work_routes.add_api_route("/get_reward", openrlhf, methods=["POST"], name="openrlhf")  # OpenRLHF's older path


@status_routes.get("/health")
async def health(service: Service) -> JSONResponse:
    return JSONResponse(service.health())


@status_routes.get("/metrics", dependencies=[Depends(require_token)])
async def metrics(service: Service) -> Response:
    return Response(service.metrics.render(), media_type=CONTENT_TYPE)


def create_app(service: JudgeService) -> FastAPI:
    """The FastAPI application of `service`."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(service.close)

    app = FastAPI(
        title="codefrontier judge and reward service",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        exception_handlers=EXCEPTION_HANDLERS,
    )
    app.state.service = service
    limits = service.limits
    app.state.bodies = BodyReader(
        limits.body_bytes, limits.body_values, service.settings.parse_budget_bytes or limits.body_bytes
    )
    app.include_router(work_routes)
    app.include_router(status_routes)
    app.add_middleware(RequestMetrics, metrics=service.metrics, endpoints=METERED)
    return app
