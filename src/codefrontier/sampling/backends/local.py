"""Models loaded in this process: transformers (any causal LM directory; CPU or GPU) and
vLLM offline (when it is installed and a GPU is present).

Both batch: `chat` calls from many concurrent trajectories are queued, and one worker
thread takes whatever is waiting (up to `batch_size` prompts) into one `generate`. The
conversation is rendered with the tokenizer's chat template. Tools are passed to the
template; where the template ignores them, a short description of the tools and of the
call format is added to the system message. Tool calls are read back from the text in
the common `<tool_call>{"name": ..., "arguments": {...}}</tool_call>` form.

Requests that differ only in their seeds share a batch. vLLM seeds each request on its
own; transformers has one random generator per batch, seeded with its first request's
seed, so there a sample is reproducible only when it is batched the same way.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import queue
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codefrontier.errors import InputError
from codefrontier.sampling.backends.base import (
    BackendUnavailable,
    Completion,
    ContextLengthExceeded,
    GenerationParams,
    Message,
    RequestFailed,
    ToolCall,
    ToolSpec,
    Usage,
)

TOOL_CALL = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)
GATHER_S = 0.005  # how long the worker waits for more requests to fill a batch


def parse_tool_calls(text: str, prefix: str = "call") -> tuple[str, list[ToolCall]]:
    """Split a local model's text into its content and its `<tool_call>` blocks. A block
    that is not a JSON object with a name becomes a call with an empty name and the
    block as its arguments, so the model is told what was wrong."""
    calls: list[ToolCall] = []
    for i, match in enumerate(TOOL_CALL.finditer(text)):
        body = match.group(1)
        try:
            obj = json.loads(body)
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict) and isinstance(obj.get("name"), str):
            args = obj.get("arguments", obj.get("parameters", {}))
            arguments = args if isinstance(args, str) else json.dumps(args)
            calls.append(ToolCall(f"{prefix}_{i}", obj["name"], arguments))
        else:
            calls.append(ToolCall(f"{prefix}_{i}", "", body))
    content = TOOL_CALL.sub("", text).strip() if calls else text
    return content, calls


def tool_instructions(tools: list[ToolSpec]) -> str:
    lines = [
        "You can call tools. To call one, write a block of this form in your reply and stop:",
        '<tool_call>{"name": "TOOL_NAME", "arguments": {ARGUMENTS AS A JSON OBJECT}}</tool_call>',
        "The result comes back in the next message. The tools:",
    ]
    for tool in tools:
        fn = tool["function"]
        lines.append(
            f"- {fn['name']}: {fn.get('description', '')} Arguments: {json.dumps(fn.get('parameters', {}))}"
        )
    return "\n".join(lines)


@dataclass
class _Job:
    prompt: str | list[int]  # text, or token ids sent as they are
    n: int
    params: GenerationParams
    parse_tools: bool
    raw: bool  # a raw completion: special tokens the model writes stay in the text (<|python_tag|>, <EOT>)
    future: asyncio.Future[list[Completion]]
    loop: asyncio.AbstractEventLoop

    def deliver(self, result: list[Completion] | BaseException) -> None:
        def settle() -> None:
            if self.future.done():
                return
            if isinstance(result, BaseException):
                self.future.set_exception(result)
            else:
                self.future.set_result(result)

        self.loop.call_soon_threadsafe(settle)


@dataclass
class Row:
    """One generated sequence: its text, token counts and why it ended."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    token_ids: tuple[int, ...] | None = None


class LocalBackend:
    """The batching and chat-template half shared by the transformers and vLLM backends."""

    engine = "local"

    def __init__(self, path: str | Path, *, batch_size: int = 16, name: str | None = None) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise InputError("checkpoint directory does not exist", path=self.path)
        if not (self.path / "config.json").is_file():
            raise InputError("not a model directory (no config.json)", path=self.path)
        if batch_size < 1:
            raise InputError("batch size must be at least 1", field="batch_size")
        self.batch_size = batch_size
        self._name = name or self.path.name
        self.tokenizer: Any = None
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._loaded = False
        self.context_length: int | None = None
        self.gather_s = GATHER_S  # how long the worker waits for a batch to fill
        self.batches = 0  # generate calls so far

    # -- the Backend interface ------------------------------------------------------------
    @property
    def model(self) -> str:
        return self._name

    @property
    def max_concurrency(self) -> int:
        return self.batch_size

    def describe(self) -> dict[str, Any]:
        return {"engine": self.engine, "path": str(self.path.resolve()), "batch_size": self.batch_size}

    async def check(self) -> None:
        await asyncio.to_thread(self._load_tokenizer)

    async def chat(
        self,
        messages: list[Message],
        params: GenerationParams | None = None,
        *,
        tools: list[ToolSpec] | None = None,
        n: int = 1,
    ) -> list[Completion]:
        self._load_tokenizer()
        if not getattr(self.tokenizer, "chat_template", None):
            raise InputError(
                "the tokenizer has no chat template; chat settings need one "
                "(set tokenizer.chat_template and save it)",
                path=self.path,
            )
        prompt = self.render(messages, tools)
        return await self._submit(prompt, n, params or GenerationParams(), parse_tools=bool(tools), raw=False)

    async def complete(
        self, prompt: str | list[int], params: GenerationParams | None = None, *, n: int = 1
    ) -> list[Completion]:
        self._load_tokenizer()
        return await self._submit(prompt, n, params or GenerationParams(), parse_tools=False, raw=True)

    async def aclose(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            await asyncio.to_thread(self._thread.join)
            self._thread = None

    # -- chat template --------------------------------------------------------------------
    def _load_tokenizer(self) -> None:
        if self.tokenizer is not None:
            return
        with self._start_lock:
            if self.tokenizer is None:
                self.tokenizer = self._open_tokenizer()

    def _open_tokenizer(self) -> Any:
        raise NotImplementedError

    def render(self, messages: list[Message], tools: list[ToolSpec] | None) -> str:
        """The prompt text for a conversation. Templates that cannot take tool messages
        get them as user messages wrapped in `<tool_response>`."""
        messages = _for_template(messages)
        try:
            text = self._apply_template(messages, tools)
        except Exception:
            text = self._apply_template(_tools_as_text(messages), tools)
        if tools and not all(t["function"]["name"] in text for t in tools):
            text = self._apply_template(_with_tool_instructions(messages, tools), tools)
        return text

    def _apply_template(self, messages: list[Message], tools: list[ToolSpec] | None) -> str:
        kwargs: dict[str, Any] = {"add_generation_prompt": True, "tokenize": False}
        if tools:
            kwargs["tools"] = tools
        return str(self.tokenizer.apply_chat_template(messages, **kwargs))

    # -- batching -------------------------------------------------------------------------
    async def _submit(
        self,
        prompt: str | list[int],
        n: int,
        params: GenerationParams,
        *,
        parse_tools: bool,
        raw: bool = False,
    ) -> list[Completion]:
        loop = asyncio.get_running_loop()
        job = _Job(prompt, n, params, parse_tools, raw, loop.create_future(), loop)
        self._ensure_worker()
        self._jobs.put(job)
        return await job.future

    def _ensure_worker(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._work, name=f"{self.engine}-generate", daemon=True
                )
                self._thread.start()

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            batch = [job]
            rows = job.n
            while rows < self.batch_size:
                try:
                    more = self._jobs.get(timeout=self.gather_s)
                except queue.Empty:
                    break
                if more is None:
                    self._jobs.put(None)  # finish this batch, then stop
                    break
                batch.append(more)
                rows += more.n
            self._run_batch(batch)

    def _run_batch(self, batch: list[_Job]) -> None:
        try:
            if not self._loaded:
                self._load_model()
                self._loaded = True
        except BaseException as exc:  # the model cannot load: every waiting caller hears why
            for job in batch:
                job.deliver(exc)
            return
        # one generate per sampling setup; seeds differ per request and do not split a batch
        groups: dict[tuple[GenerationParams, bool], list[_Job]] = {}
        for job in batch:
            groups.setdefault((job.params.unseeded(), job.raw), []).append(job)
        for jobs in groups.values():
            jobs = [job for job in jobs if self._fits(job)]
            if not jobs:
                continue
            started = time.perf_counter()
            self.batches += 1
            try:
                rows = self._generate(
                    [job.prompt for job in jobs],
                    [job.n for job in jobs],
                    [j.params for j in jobs],
                    raw=jobs[0].raw,
                )
            except BaseException as exc:
                for job in jobs:
                    job.deliver(exc)
                continue
            latency = time.perf_counter() - started
            for job, job_rows in zip(jobs, rows, strict=True):
                job.deliver([self._completion(job, row, latency, i) for i, row in enumerate(job_rows)])

    def _fits(self, job: _Job) -> bool:
        tokens = self.count_tokens(job.prompt)
        if self.context_length is not None and tokens >= self.context_length:
            job.deliver(
                ContextLengthExceeded(
                    f"{self.path}: the prompt has {tokens} tokens; the model's context is "
                    f"{self.context_length}"
                )
            )
            return False
        return True

    def _completion(self, job: _Job, row: Row, latency: float, index: int) -> Completion:
        text, finish = row.text, row.finish_reason
        for stop in job.params.stop:
            if stop in text:
                text, finish = text[: text.index(stop)], "stop"
        calls: list[ToolCall] = []
        if job.parse_tools:
            text, calls = parse_tool_calls(text, prefix=f"call_{id(job) % 10**8}_{index}")
        return Completion(
            text=text,
            tool_calls=calls,
            finish_reason="tool_calls" if calls else finish,
            usage=Usage(row.prompt_tokens, row.completion_tokens),
            latency_s=latency,
            token_ids=row.token_ids,
        )

    # -- what an engine provides ----------------------------------------------------------
    def count_tokens(self, prompt: str | list[int]) -> int:
        if isinstance(prompt, list):
            return len(prompt)
        return len(self.tokenizer(prompt, add_special_tokens=False)["input_ids"])

    def _load_model(self) -> None:
        raise NotImplementedError

    def _generate(
        self,
        prompts: list[str | list[int]],
        ns: list[int],
        params: list[GenerationParams],
        *,
        raw: bool = False,
    ) -> list[list[Row]]:
        """`ns[i]` sequences for prompt i (text, or token ids), sampled with `params[i]`
        (which differ at most in their seeds), in order; their `stop_token_ids` end a sequence
        as EOS does; `raw`: the text keeps the special tokens the model wrote."""
        raise NotImplementedError


def _for_template(messages: list[Message]) -> list[Message]:
    """OpenAI messages as chat templates expect them: tool-call arguments as objects, and
    no `None` content."""
    out = []
    for message in messages:
        message = dict(message)
        if message.get("content") is None:
            message["content"] = ""
        if message.get("tool_calls"):
            calls = []
            for call in message["tool_calls"]:
                fn = dict(call["function"])
                try:
                    fn["arguments"] = json.loads(fn["arguments"])
                except (json.JSONDecodeError, TypeError):
                    pass
                calls.append({**call, "function": fn})
            message["tool_calls"] = calls
        message.pop("reasoning_content", None)
        out.append(message)
    return out


def _tools_as_text(messages: list[Message]) -> list[Message]:
    out: list[Message] = []
    for message in messages:
        if message["role"] == "tool":
            out.append(
                {"role": "user", "content": f"<tool_response>\n{message['content']}\n</tool_response>"}
            )
        elif message.get("tool_calls"):
            blocks = "".join(
                "<tool_call>"
                + json.dumps({"name": c["function"]["name"], "arguments": c["function"]["arguments"]})
                + "</tool_call>"
                for c in message["tool_calls"]
            )
            out.append({"role": "assistant", "content": (message.get("content") or "") + blocks})
        else:
            out.append(message)
    return out


def _with_tool_instructions(messages: list[Message], tools: list[ToolSpec]) -> list[Message]:
    text = tool_instructions(tools)
    if messages and messages[0]["role"] == "system":
        return [{"role": "system", "content": messages[0]["content"] + "\n\n" + text}, *messages[1:]]
    return [{"role": "system", "content": text}, *messages]


def _transformers_version_at_least(major: int, minor: int) -> bool:
    import transformers

    parts = transformers.__version__.split(".")
    return (int(parts[0]), int(re.sub(r"\D.*", "", parts[1]) or 0)) >= (major, minor)


class Interrupted(RequestFailed):
    """The backend was closed while this request was being generated (Ctrl-C): it was
    dropped unfinished, and a later run draws it again."""

    def __init__(self) -> None:
        super().__init__("generation was interrupted; the request was dropped unfinished")


class TransformersBackend(LocalBackend):
    """Any causal LM directory, through transformers (CPU here, GPU where present).

    Sequences are decoded by continuous batching over a preallocated cache
    (`decode.Decoder`): a request's rows join the batch as soon as a slot is free and leave
    it when they end, so the batch stays full and no work goes to padding. Models the
    decoder cannot drive (sliding-window attention, an older transformers) fall back to
    one `generate` call per batch, which `describe()` records.

    Without `dtype`, the CPU dtype is chosen by measuring: a few decoding steps in
    float32 and in bfloat16 at load, and the faster one is kept (both times are in
    `describe()`). On a GPU the checkpoint's own dtype is used."""

    engine = "transformers"

    def __init__(
        self,
        path: str | Path,
        *,
        batch_size: int = 16,
        device: str | None = None,
        dtype: str | None = None,
        name: str | None = None,
    ) -> None:
        for package in ("torch", "transformers"):
            if importlib.util.find_spec(package) is None:
                raise BackendUnavailable(
                    f"the transformers backend needs `{package}`: pip install 'codefrontier[merge]'"
                )
        super().__init__(path, batch_size=batch_size, name=name)
        self.device = device
        self.dtype = dtype
        self.hf_model: Any = None
        self.decoder: Any = None  # decode.Decoder, when the model supports it
        self.measured: dict[str, float] = {}  # dtype -> seconds per decoding step, when measured
        self.load_seconds = 0.0
        self.status = "waiting"  # what the backend is doing, for progress displays
        self._stop = threading.Event()
        self._overflow: list[Any] = []  # rows of a job that did not fit the free slots yet
        self._generated = 0  # tokens generated by the fallback path

    def describe(self) -> dict[str, Any]:
        import torch
        import transformers

        return {
            **super().describe(),
            "device": self._device(),
            "dtype": self.dtype or "auto",
            "dtype_measured_step_s": {k: round(v, 5) for k, v in self.measured.items()},
            "batching": "continuous" if self.decoder is not None else ("generate" if self._loaded else None),
            "transformers": transformers.__version__,
            "torch": torch.__version__,
        }

    @property
    def generated_tokens(self) -> int:
        """Tokens generated so far (continuous batching: updated at every step)."""
        return self.decoder.generated if self.decoder is not None else self._generated

    def _device(self) -> str:
        """`--device`, else cuda where torch sees a GPU, else cpu."""
        import torch

        return self.device or ("cuda" if torch.cuda.is_available() else "cpu")

    def _open_tokenizer(self) -> Any:
        from transformers import AutoTokenizer

        try:
            tokenizer = AutoTokenizer.from_pretrained(self.path)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot load the tokenizer: {exc}", path=self.path) from None
        tokenizer.padding_side = "left"
        return tokenizer

    def _load_model(self) -> None:
        import torch
        from transformers import AutoModelForCausalLM
        from transformers.utils import logging as hf_logging

        started = time.perf_counter()
        self.status = "loading the model"
        hf_logging.disable_progress_bar()
        device = self._device()
        if self.dtype is not None:
            dtype: Any = getattr(torch, self.dtype)
        else:
            dtype = "auto" if device != "cpu" else torch.float32
        key = "dtype" if _transformers_version_at_least(4, 56) else "torch_dtype"
        model = AutoModelForCausalLM.from_pretrained(self.path, **{key: dtype})
        model.to(device).eval()
        self.device = device
        self.context_length = getattr(model.config, "max_position_embeddings", None)
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.hf_model = model
        if _decoder_supports(model):
            if self.dtype is None and device == "cpu":
                self.status = "measuring float32 against bfloat16"
                self._choose_cpu_dtype()
            from codefrontier.sampling.backends.decode import Decoder

            self.decoder = Decoder(
                self.hf_model, self.tokenizer, slots=self.batch_size, eos_ids=self._eos_ids()
            )
            self.decoder.stop_requested = self._stop
        elif self.dtype is None:
            self.dtype = str(model.dtype).removeprefix("torch.")
        self.load_seconds = time.perf_counter() - started
        self.status = "generating"

    def _choose_cpu_dtype(self) -> None:
        """Keep float32 or bfloat16, whichever decodes faster here (measured, not assumed)."""
        import torch

        from codefrontier.sampling.backends.decode import measure_step_seconds

        try:
            self.measured["float32"] = measure_step_seconds(self.hf_model)
            half = self.hf_model.to(torch.bfloat16)
            self.measured["bfloat16"] = measure_step_seconds(half)
        except (RuntimeError, TypeError):  # no bfloat16 kernels here: float32 it is
            self.hf_model.to(torch.float32)
            self.dtype = "float32"
            return
        self.dtype = min(self.measured, key=self.measured.__getitem__)
        self.hf_model.to(getattr(torch, self.dtype))

    def _encode_batch(self, prompts: list[str | list[int]]) -> dict[str, Any]:
        """Input ids and attention mask, left-padded; token-id prompts are taken as they are."""
        import torch

        if all(isinstance(p, str) for p in prompts):
            return dict(self.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False))
        rows = [
            p if isinstance(p, list) else self.tokenizer(p, add_special_tokens=False)["input_ids"]
            for p in prompts
        ]
        width = max(len(r) for r in rows)
        pad = self.tokenizer.pad_token_id
        ids = [[pad] * (width - len(r)) + list(r) for r in rows]
        mask = [[0] * (width - len(r)) + [1] * len(r) for r in rows]
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask)}

    def _eos_ids(self) -> set[int]:
        ids = self.hf_model.generation_config.eos_token_id
        if ids is None:
            ids = self.tokenizer.eos_token_id
        if ids is None:
            return set()
        return set(ids) if isinstance(ids, list) else {int(ids)}

    # -- continuous batching --------------------------------------------------------------
    async def aclose(self) -> None:
        if self._thread is not None:
            self._stop.set()  # the decoder stops within one step; unfinished rows are dropped
        await super().aclose()
        self._stop = threading.Event()
        if self.decoder is not None:
            self.decoder.stop_requested = self._stop

    def _work(self) -> None:
        try:
            if not self._loaded:
                self._load_model()
                self._loaded = True
        except BaseException as exc:  # the model cannot load: every waiting caller hears why
            self._fail_waiting(exc)
            return
        if self.decoder is None:
            super()._work()
            return
        self._decode_loop()

    def _fail_waiting(self, exc: BaseException) -> None:
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                job = self._jobs.get()  # wait for the callers that are on their way
            if job is None:
                return
            job.deliver(exc)

    def _decode_loop(self) -> None:
        from codefrontier.sampling.backends.decode import Sequence

        decoder = self.decoder
        closing = False
        while True:
            if self._stop.is_set():
                for seq in decoder.abandon():
                    seq.done(seq.tokens, "interrupted")
                closing = True
            waiting: list[Sequence] = []
            while not closing and decoder.free > len(waiting):
                try:
                    job = self._jobs.get() if not decoder.live and not waiting else self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    closing = True
                    break
                if self._fits(job):
                    waiting += self._sequences(job)
            self._overflow += waiting  # a job may have more rows than there are free slots
            if self._overflow and decoder.free and not self._stop.is_set():
                room = decoder.free
                admitted, self._overflow = self._overflow[:room], self._overflow[room:]
                self.batches += 1
                try:
                    decoder.admit(admitted)
                except Exception as exc:
                    for seq in admitted + decoder.abandon():
                        seq.done([], exc)
                    continue
            if decoder.live:
                try:
                    decoder.step()
                except Exception as exc:  # every row in the batch hears why
                    for seq in decoder.abandon():
                        seq.done([], exc)
            elif closing:
                for seq in self._overflow:
                    seq.done([], "interrupted")
                self._overflow = []
                return

    def _sequences(self, job: _Job) -> list[Any]:
        """One decoder sequence per row of `job`; the job is delivered when all have ended."""
        from codefrontier.sampling.backends.decode import Sequence

        prompt_ids = (
            list(job.prompt)
            if isinstance(job.prompt, list)
            else self.tokenizer(job.prompt, add_special_tokens=False)["input_ids"]
        )
        budget = job.params.max_tokens
        if self.context_length is not None:
            budget = max(1, min(budget, self.context_length - len(prompt_ids)))
        rows: list[Row | None] = [None] * job.n
        started = time.perf_counter()

        def done_for(index: int) -> Any:
            def done(tokens: list[int], reason: str | BaseException) -> None:
                if isinstance(reason, BaseException) or reason == "interrupted":
                    # the whole request fails (delivered once; later rows find it settled)
                    job.deliver(reason if isinstance(reason, BaseException) else Interrupted())
                    return
                end = [] if sequences[index].end_token is None else [sequences[index].end_token]
                rows[index] = Row(
                    text=self.tokenizer.decode(tokens, skip_special_tokens=not job.raw),
                    prompt_tokens=len(prompt_ids),
                    completion_tokens=len(tokens) + (1 if reason == "stop" else 0),
                    finish_reason=reason,
                    token_ids=tuple(tokens) + tuple(end),
                )
                if all(r is not None for r in rows):
                    latency = time.perf_counter() - started
                    job.deliver([self._completion(job, r, latency, i) for i, r in enumerate(rows) if r])

            return done

        seed = job.params.seed
        sequences = [
            Sequence(
                prompt_ids=prompt_ids,
                max_new_tokens=budget,
                temperature=job.params.temperature,
                top_p=job.params.top_p,
                seed=None if seed is None else (seed * 1_000_003 + i) % (2**63 - 1),
                done=done_for(i),
                stop=list(job.params.stop),
                stop_ids=frozenset(job.params.stop_token_ids),
            )
            for i in range(job.n)
        ]
        return sequences

    # -- the fallback: one generate call per batch ----------------------------------------
    def _generate(
        self,
        prompts: list[str | list[int]],
        ns: list[int],
        params_list: list[GenerationParams],
        *,
        raw: bool = False,
    ) -> list[list[Row]]:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        params = params_list[0]  # the batch shares one RNG: it is seeded with its first request's seed

        expanded = [p for p, n in zip(prompts, ns, strict=True) for _ in range(n)]
        encoded = self._encode_batch(expanded)
        encoded = {k: v.to(self.hf_model.device) for k, v in encoded.items()}
        width = encoded["input_ids"].shape[1]
        max_new = params.max_tokens
        if self.context_length is not None:
            max_new = max(1, min(max_new, self.context_length - width))
        if params.seed is not None:
            torch.manual_seed(params.seed)
        sampling = params.temperature > 0
        options: dict[str, Any] = {"do_sample": sampling, "max_new_tokens": max_new}
        if sampling:
            options.update(temperature=params.temperature, top_p=params.top_p, top_k=0)
        eos = self._eos_ids() | set(params.stop_token_ids)
        stop = self._stop
        backend = self

        class Interrupt(StoppingCriteria):  # type: ignore[misc]
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
                backend._generated += input_ids.shape[0]
                return torch.full((input_ids.shape[0],), stop.is_set(), dtype=torch.bool)

        with torch.inference_mode():
            out = self.hf_model.generate(
                **encoded,
                **options,
                pad_token_id=self.tokenizer.pad_token_id,
                eos_token_id=sorted(eos) or None,
                stopping_criteria=StoppingCriteriaList([Interrupt()]),
            )
        if stop.is_set():
            raise Interrupted()
        prompt_lengths = encoded["attention_mask"].sum(dim=1).tolist()
        rows: list[Row] = []
        for r in range(len(expanded)):
            new = out[r, width:].tolist()
            end = next((i for i, token in enumerate(new) if token in eos), None)
            kept = new if end is None else new[:end]
            rows.append(
                Row(
                    text=self.tokenizer.decode(kept, skip_special_tokens=not raw),
                    prompt_tokens=int(prompt_lengths[r]),
                    completion_tokens=len(kept) + (0 if end is None else 1),
                    finish_reason="length" if end is None else "stop",
                    token_ids=tuple(new if end is None else new[: end + 1]),
                )
            )
        grouped, start = [], 0
        for n in ns:
            grouped.append(rows[start : start + n])
            start += n
        return grouped


def _decoder_supports(model: Any) -> bool:
    """Whether `decode.Decoder` can drive `model`: full attention in every layer (no
    sliding window, whose cache needs other masks) and transformers' layered caches."""
    try:
        from transformers.cache_utils import Cache, DynamicLayer  # noqa: F401
    except ImportError:
        return False
    import inspect

    if "layer_class_to_replicate" not in inspect.signature(Cache.__init__).parameters:
        return False
    config = model.config
    layer_types = getattr(config, "layer_types", None)
    if layer_types and any(t != "full_attention" for t in layer_types):
        return False
    return not getattr(config, "sliding_window", None) or not getattr(config, "use_sliding_window", True)


def vllm_missing() -> str | None:
    """Why the vLLM backend cannot run here, or None when it can."""
    if importlib.util.find_spec("vllm") is None:
        return "the vLLM backend needs the `vllm` package, which is not installed (pip install vllm)"
    try:
        import torch

        if not torch.cuda.is_available():
            return (
                "the vLLM backend needs a CUDA GPU, and torch sees none (torch.cuda.is_available() is False)"
            )
    except ModuleNotFoundError:
        return "the vLLM backend needs torch, which is not installed"
    return None


class VLLMBackend(LocalBackend):
    """vLLM's offline engine. The chat template and the tool-call reading are the
    transformers backend's; vLLM does the batching within each `generate`."""

    engine = "vllm"

    def __init__(
        self,
        path: str | Path,
        *,
        batch_size: int = 256,
        dtype: str | None = None,
        name: str | None = None,
        engine_args: dict[str, Any] | None = None,
    ) -> None:
        missing = vllm_missing()
        if missing is not None:
            raise BackendUnavailable(missing + "; use --engine transformers")
        super().__init__(path, batch_size=batch_size, name=name)
        self.dtype = dtype
        self.engine_args = engine_args or {}
        self.llm: Any = None

    def describe(self) -> dict[str, Any]:
        import vllm

        return {**super().describe(), "vllm": vllm.__version__, "dtype": self.dtype or "auto"}

    def _open_tokenizer(self) -> Any:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(self.path)

    def _load_model(self) -> None:
        from vllm import LLM

        self.llm = LLM(model=str(self.path), dtype=self.dtype or "auto", **self.engine_args)
        self.context_length = self.llm.llm_engine.model_config.max_model_len

    def _generate(
        self,
        prompts: list[str | list[int]],
        ns: list[int],
        params_list: list[GenerationParams],
        *,
        raw: bool = False,
    ) -> list[list[Row]]:
        from vllm import SamplingParams

        sampling = [  # vLLM seeds each request on its own
            SamplingParams(
                n=n,
                temperature=params.temperature,
                top_p=params.top_p,
                max_tokens=params.max_tokens,
                seed=params.seed,
                stop_token_ids=list(params.stop_token_ids) or None,
                stop=list(params.stop) or None,
                skip_special_tokens=not raw,
            )
            for n, params in zip(ns, params_list, strict=True)
        ]
        inputs = [{"prompt_token_ids": p} if isinstance(p, list) else p for p in prompts]
        outputs = self.llm.generate(inputs, sampling, use_tqdm=False)
        return [
            [
                Row(
                    text=choice.text,
                    prompt_tokens=len(output.prompt_token_ids or []),
                    completion_tokens=len(choice.token_ids),
                    finish_reason=choice.finish_reason or "stop",
                    token_ids=tuple(choice.token_ids),
                )
                for choice in output.outputs
            ]
            for output in outputs
        ]
