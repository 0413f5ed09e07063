"""What every model backend provides: `chat` (and `complete`, for infilling) over one
interface, so that the inference settings never know where the model runs.

Messages are OpenAI chat messages (plain dicts): ``{"role": "system" | "user" |
"assistant" | "tool", "content": ...}``, with ``tool_calls`` on assistant messages and
``tool_call_id`` on tool results. That is the wire format of the HTTP backend and what
the trajectories record; the local backends render it with the tokenizer's chat template.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

from codefrontier.errors import CodefrontierError, ConfigError

Message = dict[str, Any]
ToolSpec = dict[str, Any]  # an OpenAI tool definition: {"type": "function", "function": {...}}


@dataclass(frozen=True)
class ToolCall:
    """One tool call as the model wrote it. `arguments` is the raw JSON text: reading it
    is the setting's job, so that malformed arguments reach the model as an error
    message instead of failing the run. `name` is empty when even the call could not be
    read (a local model's `<tool_call>` block that is not JSON)."""

    id: str
    name: str
    arguments: str

    def to_message(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens, self.completion_tokens + other.completion_tokens
        )

    def to_json(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }


@dataclass(frozen=True)
class Completion:
    """One choice of one model call. `latency_s` is the wall time of the request that
    answered (for a batched local backend: of the batch it was generated in);
    `attempts` counts retries of the HTTP backend (1 = first try)."""

    text: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str = "stop"  # stop | length | tool_calls | ...
    usage: Usage = field(default_factory=Usage)
    latency_s: float = 0.0
    attempts: int = 1
    reasoning: str | None = None  # a server's separate reasoning text (`reasoning_content`), if any
    token_ids: tuple[int, ...] | None = None  # the generated tokens, where the backend has them (local)

    def message(self) -> Message:
        """The assistant message to append to the conversation."""
        message: Message = {"role": "assistant", "content": self.text}
        if self.tool_calls:
            message["tool_calls"] = [call.to_message() for call in self.tool_calls]
        if self.reasoning:
            message["reasoning_content"] = self.reasoning
        return message


@dataclass(frozen=True)
class GenerationParams:
    """How to sample one model call: every backend reads these and only these.

    `seed` makes a call reproducible where the backend can (local backends always; a
    server when it honors the OpenAI `seed`). `stop` strings end a completion (the text
    stops before the first one); `stop_token_ids` end it as the end-of-sequence token does
    (a server: vLLM's extension of the API). Checked when made: a bad value is a
    `ConfigError` naming the field, not a server's 400 halfway through a run."""

    temperature: float = 0.8
    top_p: float = 1.0
    max_tokens: int = 2048
    seed: int | None = None
    stop: tuple[str, ...] = ()
    stop_token_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        # lists are accepted and kept as tuples: the params are hashable, and a batch groups by them
        object.__setattr__(self, "stop", tuple(self.stop))
        object.__setattr__(self, "stop_token_ids", tuple(self.stop_token_ids))
        if not (isinstance(self.temperature, int | float) and 0 <= self.temperature < float("inf")):
            raise ConfigError(f"temperature must be a number >= 0, got {self.temperature!r}")
        if not (isinstance(self.top_p, int | float) and 0 < self.top_p <= 1):
            raise ConfigError(f"top_p must be in (0, 1], got {self.top_p!r}")
        if isinstance(self.max_tokens, bool) or not isinstance(self.max_tokens, int) or self.max_tokens < 1:
            raise ConfigError(f"max_tokens must be a whole number >= 1, got {self.max_tokens!r}")
        if self.seed is not None and (isinstance(self.seed, bool) or not isinstance(self.seed, int)):
            raise ConfigError(f"seed must be a whole number or None, got {self.seed!r}")
        if not all(isinstance(s, str) and s for s in self.stop):
            raise ConfigError(f"stop must be non-empty strings, got {self.stop!r}")
        if not all(isinstance(t, int) and not isinstance(t, bool) and t >= 0 for t in self.stop_token_ids):
            raise ConfigError(
                f"stop_token_ids must be token ids (whole numbers >= 0), got {self.stop_token_ids!r}"
            )

    def unseeded(self) -> GenerationParams:
        """The same params without the seed: calls that differ only in their seeds can share a batch."""
        return replace(self, seed=None)


@runtime_checkable
class Backend(Protocol):
    """A model behind one interface. `chat` returns `n` completions of one conversation;
    many calls may be awaited at once (the backend bounds or batches them)."""

    @property
    def model(self) -> str:
        """The model's name, as recorded in provenance."""
        ...

    @property
    def max_concurrency(self) -> int:
        """How many calls it is worth keeping in flight at once."""
        ...

    def describe(self) -> dict[str, Any]:
        """Where the model runs and with what (for the sampling record)."""
        ...

    async def check(self) -> None:
        """Fail fast with one clear message if the model cannot be used (preflight)."""
        ...

    async def chat(
        self,
        messages: list[Message],
        params: GenerationParams | None = None,
        *,
        tools: list[ToolSpec] | None = None,
        n: int = 1,
    ) -> list[Completion]:
        """`n` completions of the conversation, sampled with `params` (the defaults when None)."""
        ...

    async def complete(
        self, prompt: str | list[int], params: GenerationParams | None = None, *, n: int = 1
    ) -> list[Completion]:
        """A raw completion of `prompt`, no chat template (fill-in-the-middle prompts, the
        Llama 3.1 format). A prompt of token ids is sent as they are (token-level infilling
        prompts)."""
        ...

    async def aclose(self) -> None: ...


class BackendError(CodefrontierError):
    """A model backend failed in a way the user can act on."""


class BackendUnavailable(BackendError):
    """A backend cannot run here: a package or a GPU is missing (the message names it)."""


class EndpointError(BackendError):
    """The endpoint or model cannot be used at all (unreachable, refused, no such model):
    every request would fail the same way, so the run stops."""


class RequestFailed(BackendError):
    """One request failed after every retry; other samples may still succeed."""


class ContextLengthExceeded(RequestFailed):
    """The conversation no longer fits the model's context window."""
