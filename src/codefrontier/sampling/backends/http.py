"""An OpenAI-compatible server (vLLM, SGLang, a provider) through the official `openai`
client.

Bounded concurrency: at most `max_in_flight` requests are open at once (a semaphore).
Retries are ours, not the client's (its `max_retries` is 0): a 429, a 5xx, a timeout or a
dropped connection is retried up to `max_retries` times with exponential backoff and
jitter, waiting at least as long as the server's `Retry-After` asks. Errors that every
request would repeat (authentication, no such model, a request the server rejects) stop
the run with one message instead.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from codefrontier.sampling.backends.base import (
    BackendUnavailable,
    Completion,
    ContextLengthExceeded,
    EndpointError,
    GenerationParams,
    Message,
    RequestFailed,
    ToolCall,
    ToolSpec,
    Usage,
)

CONTEXT_HINTS = ("context length", "context_length", "maximum context", "too long", "max_model_len")


def normalize_base_url(url: str) -> str:
    """The API base URL: `http://host:8000` means `http://host:8000/v1`, and a full
    `.../v1/chat/completions` is cut back to `.../v1`."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    for suffix in ("/chat/completions", "/completions", "/models"):
        path = path.removesuffix(suffix)
    if not path:
        path = "/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


class OpenAIBackend:
    """Chat (and raw) completions from an OpenAI-compatible endpoint."""

    def __init__(
        self,
        base_url: str,
        model: str | None = None,
        *,
        api_key: str | None = None,
        max_in_flight: int = 32,
        timeout_s: float = 600.0,
        max_retries: int = 6,
        backoff_s: float = 1.0,
        max_backoff_s: float = 60.0,
        check_timeout_s: float = 10.0,
    ) -> None:
        try:
            import openai  # noqa: F401
        except ModuleNotFoundError:
            raise BackendUnavailable(
                "the HTTP backend needs the `openai` package: pip install 'codefrontier[sample]'"
            ) from None
        if max_in_flight < 1 or max_retries < 0 or timeout_s <= 0:
            raise EndpointError("max_in_flight must be at least 1, max_retries at least 0, timeout positive")
        self.base_url = normalize_base_url(base_url)
        self._model = model
        self.api_key = api_key or "EMPTY"
        self.in_flight = max_in_flight
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.check_timeout_s = check_timeout_s
        self.retries = 0  # retried requests so far (all calls)
        self._client: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._semaphore: asyncio.Semaphore | None = None

    # -- the Backend interface ------------------------------------------------------------
    @property
    def model(self) -> str:
        return self._model or ""

    @property
    def max_concurrency(self) -> int:
        return self.in_flight

    def describe(self) -> dict[str, Any]:
        import openai

        return {
            "engine": "http",
            "base_url": self.base_url,
            "model": self.model,
            "max_in_flight": self.in_flight,
            "timeout_s": self.timeout_s,
            "max_retries": self.max_retries,
            "openai": openai.__version__,
        }

    async def check(self) -> None:
        """Reach the server and make sure it serves the model (or pick the only one it serves)."""
        import openai

        client = self._client_for_loop()
        try:
            listing = await client.models.list(timeout=self.check_timeout_s)
            served = [m.id for m in listing.data]
        except (openai.APIConnectionError, openai.APITimeoutError) as exc:
            raise EndpointError(
                f"cannot reach {self.base_url} ({_reason(exc)}); is the server running, and is the URL "
                "right (it usually ends in /v1)?"
            ) from None
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            raise EndpointError(
                f"{self.base_url} refused the API key ({_reason(exc)}); set --api-key"
            ) from None
        except openai.APIStatusError as exc:
            if exc.status_code != 404:
                raise EndpointError(
                    f"{self.base_url}/models answered {exc.status_code}: {_reason(exc)}"
                ) from None
            served = None  # a server without /models: the first request will tell
        if served is None:
            if self._model is None:
                raise EndpointError(f"{self.base_url} does not list its models; name one with --model-name")
            return
        if self._model is None:
            if len(served) != 1:
                listed = ", ".join(served) or "none"
                raise EndpointError(
                    f"{self.base_url} serves {len(served)} models ({listed}); choose one with --model-name"
                )
            self._model = served[0]
        elif self._model not in served:
            raise EndpointError(
                f"{self.base_url} does not serve a model named {self._model!r}; it serves: "
                + (", ".join(served) or "none")
            )

    async def chat(
        self,
        messages: list[Message],
        params: GenerationParams | None = None,
        *,
        tools: list[ToolSpec] | None = None,
        n: int = 1,
    ) -> list[Completion]:
        await self._resolve_model()
        kwargs = self._sampling(params or GenerationParams(), n)
        kwargs["messages"] = messages
        if tools:
            kwargs["tools"] = tools
        response, latency, attempts = await self._request(lambda c: c.chat.completions.create(**kwargs))
        return _chat_completions(response, latency, attempts)

    async def complete(
        self, prompt: str | list[int], params: GenerationParams | None = None, *, n: int = 1
    ) -> list[Completion]:
        await self._resolve_model()
        kwargs = self._sampling(params or GenerationParams(), n)
        kwargs["prompt"] = prompt
        response, latency, attempts = await self._request(lambda c: c.completions.create(**kwargs))
        usage = _usage(response)
        return [
            Completion(
                text=choice.text or "",
                finish_reason=choice.finish_reason or "stop",
                usage=usage if i == 0 else Usage(),
                latency_s=latency,
                attempts=attempts,
            )
            for i, choice in enumerate(response.choices)
        ]

    def _sampling(self, params: GenerationParams, n: int) -> dict[str, Any]:
        """The request's model and sampling fields, from the params."""
        kwargs: dict[str, Any] = {
            "model": self.model,
            "n": n,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "max_tokens": params.max_tokens,
        }
        if params.seed is not None:
            kwargs["seed"] = params.seed
        if params.stop:
            kwargs["stop"] = list(params.stop)
        if params.stop_token_ids:  # vLLM's extension of the API
            kwargs["extra_body"] = {"stop_token_ids": list(params.stop_token_ids)}
        return kwargs

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
            self._loop = None

    # -- requests and retries -------------------------------------------------------------
    async def _resolve_model(self) -> None:
        if self._model is None:  # no name given and check() not run: ask the server
            await self.check()

    def _client_for_loop(self) -> Any:
        """The client of the running event loop (an httpx pool cannot cross loops)."""
        from openai import AsyncOpenAI

        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = AsyncOpenAI(
                base_url=self.base_url, api_key=self.api_key, max_retries=0, timeout=self.timeout_s
            )
            self._loop = loop
            self._semaphore = asyncio.Semaphore(self.in_flight)
        return self._client

    async def _request(self, call: Callable[[Any], Awaitable[Any]]) -> tuple[Any, float, int]:
        """Run one API call with retries; return the response, the latency of the attempt
        that answered, and the number of attempts."""
        import openai

        client = self._client_for_loop()
        assert self._semaphore is not None
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self._semaphore:
                    started = time.perf_counter()
                    response = await call(client)
                return response, time.perf_counter() - started, attempt
            except (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError) as exc:
                # APITimeoutError is an APIConnectionError; a 5xx is an InternalServerError
                if attempt > self.max_retries:
                    raise RequestFailed(
                        f"{self.base_url}: gave up after {attempt} attempts: {_reason(exc)}"
                    ) from None
                self.retries += 1
                await asyncio.sleep(self._delay(attempt, exc))
            except openai.APIStatusError as exc:
                raise _status_error(self.base_url, self.model, exc) from None

    def _delay(self, attempt: int, exc: Exception) -> float:
        backoff = self.backoff_s * 2 ** (attempt - 1) * random.uniform(0.5, 1.0)
        wanted = retry_after_s(getattr(exc, "response", None))
        return min(self.max_backoff_s, max(backoff, wanted or 0.0))


def retry_after_s(response: Any) -> float | None:
    """Seconds a 429/503 asks the client to wait: `retry-after-ms`, or `Retry-After` in
    seconds or as an HTTP date."""
    if response is None:
        return None
    headers = response.headers
    try:
        if headers.get("retry-after-ms") is not None:
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _status_error(url: str, model: str, exc: Any) -> Exception:
    """An error status that retrying will not change."""
    reason = _reason(exc)
    status = exc.status_code
    if status == 400 and any(hint in reason.lower() for hint in CONTEXT_HINTS):
        return ContextLengthExceeded(f"{url}: the conversation exceeds the model's context: {reason}")
    if status in (401, 403):
        return EndpointError(f"{url} refused the request ({status}: {reason}); check --api-key")
    if status == 404:
        return EndpointError(f"{url} has no model {model!r} or no such API ({reason}); check --model-name")
    return EndpointError(f"{url} rejected the request ({status}: {reason})")


def _reason(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error")
        message = error.get("message") if isinstance(error, dict) else body.get("message")
        if message:
            return str(message)[:500]
    return (str(exc) or type(exc).__name__)[:500]


def _usage(response: Any) -> Usage:
    usage = getattr(response, "usage", None)
    if usage is None:
        return Usage()
    return Usage(int(usage.prompt_tokens or 0), int(usage.completion_tokens or 0))


def _chat_completions(response: Any, latency: float, attempts: int) -> list[Completion]:
    usage = _usage(response)
    completions = []
    for i, choice in enumerate(response.choices):
        message = choice.message
        calls = [
            ToolCall(
                id=call.id or f"call_{i}_{j}",
                name=call.function.name or "",
                arguments=call.function.arguments or "",
            )
            for j, call in enumerate(message.tool_calls or [])
        ]
        extra = getattr(message, "model_extra", None) or {}
        reasoning = extra.get("reasoning_content") or extra.get("reasoning")
        completions.append(
            Completion(
                text=message.content or "",
                tool_calls=calls,
                finish_reason=choice.finish_reason or "stop",
                usage=usage if i == 0 else Usage(),  # a response's usage covers all its choices
                latency_s=latency,
                attempts=attempts,
                reasoning=reasoning if isinstance(reasoning, str) else None,
            )
        )
    return completions
