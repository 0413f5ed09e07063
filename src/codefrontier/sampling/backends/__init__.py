"""Model backends behind one interface (`Backend`): an OpenAI-compatible server over
HTTP, transformers in this process, or vLLM offline. `open_backend` picks one from a
URL or a checkpoint path."""

from __future__ import annotations

import asyncio
from pathlib import Path

from codefrontier.errors import ConfigError
from codefrontier.sampling.backends.base import (
    Backend,
    BackendError,
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
from codefrontier.sampling.backends.http import OpenAIBackend, is_url, normalize_base_url
from codefrontier.sampling.backends.local import (
    LocalBackend,
    TransformersBackend,
    VLLMBackend,
    parse_tool_calls,
    vllm_missing,
)

ENGINES = ("auto", "http", "transformers", "vllm")

__all__ = [
    "ENGINES",
    "Backend",
    "BackendError",
    "BackendUnavailable",
    "Completion",
    "ContextLengthExceeded",
    "EndpointError",
    "GenerationParams",
    "LocalBackend",
    "Message",
    "OpenAIBackend",
    "RequestFailed",
    "ToolCall",
    "ToolSpec",
    "TransformersBackend",
    "Usage",
    "VLLMBackend",
    "check_backend",
    "is_url",
    "normalize_base_url",
    "open_backend",
    "parse_tool_calls",
    "resolve_engine",
    "vllm_missing",
]


def resolve_engine(model: str, engine: str = "auto") -> str:
    """`http` for a URL; for a directory `vllm` when it can run here, else `transformers`."""
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if is_url(model):
        if engine not in ("auto", "http"):
            raise ConfigError(f"{model} is a URL: it is served over HTTP, not by {engine}")
        return "http"
    if engine == "http":
        raise ConfigError(f"--engine http needs a URL, got {model!r}")
    if engine == "auto":
        return "vllm" if vllm_missing() is None else "transformers"
    return engine


def open_backend(
    model: str | Path,
    *,
    engine: str = "auto",
    model_name: str | None = None,
    api_key: str | None = None,
    max_in_flight: int = 32,
    timeout_s: float = 600.0,
    max_retries: int = 6,
    batch_size: int | None = None,
    device: str | None = None,
    dtype: str | None = None,
) -> Backend:
    """The backend for `model`: a server URL or a checkpoint directory. Cheap checks
    (the directory exists, the engine can run here) happen now; `await backend.check()`
    reaches the server or reads the tokenizer; weights load on first use."""
    model = str(model)
    chosen = resolve_engine(model, engine)
    if chosen == "http":
        return OpenAIBackend(
            model,
            model_name,
            api_key=api_key,
            max_in_flight=max_in_flight,
            timeout_s=timeout_s,
            max_retries=max_retries,
        )
    if chosen == "vllm":
        return VLLMBackend(model, batch_size=batch_size or 256, dtype=dtype, name=model_name)
    return TransformersBackend(
        model, batch_size=batch_size or 16, device=device, dtype=dtype, name=model_name
    )


def check_backend(backend: Backend) -> None:
    """`backend.check()` outside an event loop (a preflight), then close what it opened;
    the backend stays usable and keeps what the check resolved (the served model's name)."""

    async def check() -> None:
        try:
            await backend.check()
        finally:
            await backend.aclose()

    asyncio.run(check())
