"""The three inference settings, each a small state machine over the `Backend` interface
that records its whole trajectory beside the final program.

- `reasoning`: one completion; the program is extracted from it.
- `tools`: the model may call `run_python` / `run_cpp` (see `tools`) up to
  `max_tool_calls` times; its first reply without a tool call is the final answer.
- `agent`: every reply is a submission, judged on the problem's public tests only (see
  `feedback`); the verdicts and a bounded diff of the first failing test come back, and
  the model may revise up to `max_turns` submissions. The last submission is the sample.
- `infill`: a fill-in-the-middle problem's prefix and suffix in `infill_order` (psm or
  spm) and `infill_format` (see `infilling`), as a raw completion; the middle the model
  writes is the sample, judged as prefix + middle + suffix. With the model's tokenizer
  (a local model, or `--tokenizer` for a server) the prompt is sent as token ids.

The trajectory format is in docs/sampling.md ("Trajectories").
"""

from __future__ import annotations

import time
import zlib
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from codefrontier.contracts import Problem
from codefrontier.errors import ConfigError
from codefrontier.sampling import infilling, llama31, prompts
from codefrontier.sampling.backends.base import (
    Backend,
    Completion,
    ContextLengthExceeded,
    GenerationParams,
    Message,
    ToolCall,
    ToolSpec,
    Usage,
)
from codefrontier.sampling.feedback import PublicJudge, public_view
from codefrontier.sampling.tools import CodeRunner, ToolOutcome

TOOL_FORMATS = ("openai", "llama3.1")


class Setting(StrEnum):
    REASONING = "reasoning"
    TOOLS = "tools"
    AGENT = "agent"
    INFILL = "infill"


@dataclass(frozen=True)
class SettingConfig:
    """How one sample is drawn. Every field but `tool_output_chars` and `feedback_chars`
    changes what is sampled, so a resumed run must use the same values."""

    setting: Setting = Setting.REASONING
    language: str = "python"
    temperature: float = 0.8
    top_p: float = 1.0
    max_tokens: int = 2048
    seed: int | None = 0
    max_tool_calls: int = 8
    max_turns: int = 4
    tool_output_chars: int = 4000
    feedback_chars: int = 2000
    infill_order: str = "psm"
    infill_format: str = "code-llama"
    tool_format: str = "openai"  # tools setting: "openai" (chat API tool calls) or "llama3.1" (raw text)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "setting", Setting(self.setting))
        except ValueError:
            raise ConfigError(
                f"unknown setting {self.setting!r}; choose one of {', '.join(s.value for s in Setting)}"
            ) from None
        GenerationParams(self.temperature, self.top_p, self.max_tokens, self.seed)  # the same rules
        if self.max_tool_calls < 0 or self.max_turns < 1:
            raise ConfigError("max_tool_calls must be >= 0 and max_turns at least 1")
        if self.tool_format not in TOOL_FORMATS:
            raise ConfigError(
                f"tool_format must be one of {', '.join(TOOL_FORMATS)}, got {self.tool_format!r}"
            )
        object.__setattr__(self, "infill_order", infilling.infill_order(self.infill_order).value)
        infilling.infill_format(self.infill_format)

    def generation(
        self, problem_id: str, sample: int, turn: int, stop: tuple[str, ...] = ()
    ) -> GenerationParams:
        """The params of one model call: this config's sampling, seeded per (problem, sample, turn)."""
        seed = sample_seed(self.seed, problem_id, sample, turn)
        return GenerationParams(self.temperature, self.top_p, self.max_tokens, seed, stop=stop)

    def fingerprint(self) -> dict[str, Any]:
        """What must match for samples to be mixed in one policy."""
        values = asdict(self)
        values["setting"] = self.setting.value
        for key in ("tool_output_chars", "feedback_chars"):
            values.pop(key)
        if self.setting is not Setting.TOOLS:
            values.pop("max_tool_calls")
        if self.setting is not Setting.TOOLS or self.tool_format == "openai":
            values.pop("tool_format")  # absent when default: samples drawn before it existed still resume
        if self.setting is not Setting.AGENT:
            values.pop("max_turns")
        if self.setting is not Setting.INFILL:
            values.pop("infill_order")
            values.pop("infill_format")
        values["prompt_version"] = prompts.PROMPT_VERSION
        return values


def sample_seed(seed: int | None, problem_id: str, sample: int, turn: int = 0) -> int | None:
    """A seed per (problem, sample, turn), derived from the run's seed: samples differ from
    each other and are the same across runs."""
    if seed is None:
        return None
    return (seed * 1_000_003 + zlib.crc32(problem_id.encode()) + sample * 7919 + turn * 104_729) % (2**31 - 1)


class Trajectory:
    """Everything that happened while drawing one sample."""

    def __init__(self, problem_id: str, policy: str, sample: int, config: SettingConfig, model: str) -> None:
        self.problem_id = problem_id
        self.policy = policy
        self.sample = sample
        self.config = config
        self.model = model
        self.messages: list[Message] = []
        self.steps: list[dict[str, Any]] = []
        self.usage = Usage()
        self.started = time.perf_counter()
        self.wall_s = 0.0
        self.stop = ""
        self.code = ""
        self.extracted = False
        self.extraction: dict[str, Any] = {}  # the extraction record (judge.Extraction.record())
        self.answer = ""  # the reply the program was extracted from

    def completion(self, turn: int, completion: Completion) -> None:
        self.usage = self.usage + completion.usage
        self.messages.append(completion.message())
        self.steps.append(
            {
                "type": "completion",
                "turn": turn,
                "finish_reason": completion.finish_reason,
                **completion.usage.to_json(),
                "latency_s": round(completion.latency_s, 4),
                "attempts": completion.attempts,
                "tool_calls": [c.name for c in completion.tool_calls],
            }
        )

    def finish(self, answer: str, stop: str, problem: Problem | None = None) -> None:
        self.answer = answer
        found = prompts.extract_record(answer, self.config.language, problem)
        self.code, self.extracted, self.extraction = found.code, found.extracted, found.record()
        self.stop = stop
        self.wall_s = time.perf_counter() - self.started

    def finish_program(self, answer: str, program: str, stop: str) -> None:
        """End with a program the setting assembled itself (infilling: prefix + middle + suffix)."""
        self.answer, self.code, self.extracted, self.stop = answer, program, False, stop
        self.wall_s = time.perf_counter() - self.started

    def to_json(self) -> dict[str, Any]:
        return {
            "problem_id": self.problem_id,
            "policy": self.policy,
            "sample": self.sample,
            "setting": self.config.setting.value,
            "language": self.config.language,
            "model": self.model,
            "seed": sample_seed(self.config.seed, self.problem_id, self.sample),
            "prompt_version": prompts.PROMPT_VERSION,
            "messages": self.messages,
            "steps": self.steps,
            "usage": self.usage.to_json(),
            "wall_s": round(self.wall_s, 4),
            "stop": self.stop,
            "program": {"code": self.code, "extracted": self.extracted, "extraction": self.extraction},
        }


@dataclass
class Resources:
    """What the settings that run code share across samples."""

    runner: CodeRunner | None = None
    judge: PublicJudge | None = None
    tools: list[ToolSpec] | None = None
    tokens: infilling.TokenInfill | None = None  # the infill setting's token-level prompts


class Episode:
    """Draws one sample: runs the setting's state machine against the backend."""

    def __init__(
        self,
        backend: Backend,
        config: SettingConfig,
        resources: Resources,
        problem: Problem,
        policy: str,
        sample: int,
        *,
        context: str | None = None,
    ) -> None:
        self.backend = backend
        self.config = config
        self.resources = resources
        self.problem = problem
        self.trajectory = Trajectory(problem.id, policy, sample, config, backend.model)
        self.turn = 0
        # text added after the task (test-time scaling's refinement context, docs/scaling.md)
        self.context = context

    async def run(self) -> Trajectory:
        if self.config.setting is Setting.INFILL:
            await self._infill()
            return self.trajectory
        tools = self.resources.tools or []
        self.trajectory.messages = prompts.initial_messages(
            self.problem,
            self.config.language,
            self.config.setting.value,
            max_tool_calls=self.config.max_tool_calls,
            max_turns=self.config.max_turns,
            cpp_tool=any(t["function"]["name"] == "run_cpp" for t in tools),
        )
        if self.context:
            task = self.trajectory.messages[-1]
            task["content"] = f"{task['content']}\n\n{self.context}"
        if self.config.setting is Setting.REASONING:
            await self._reasoning()
        elif self.config.setting is Setting.TOOLS:
            await self._tools(tools)
        else:
            await self._agent()
        return self.trajectory

    async def _ask(self, tools: list[ToolSpec] | None = None) -> Completion:
        self.turn += 1
        params = self.config.generation(self.problem.id, self.trajectory.sample, self.turn)
        (completion,) = await self.backend.chat(list(self.trajectory.messages), params, tools=tools or None)
        self.trajectory.completion(self.turn, completion)
        return completion

    def _say(self, text: str) -> None:
        self.trajectory.messages.append({"role": "user", "content": text})

    # -- reasoning --------------------------------------------------------------------------
    async def _reasoning(self) -> None:
        completion = await self._ask()
        self.trajectory.finish(completion.text, _stop_of(completion), self.problem)

    # -- tools ------------------------------------------------------------------------------
    async def _tools(self, tools: list[ToolSpec]) -> None:
        runner = self.resources.runner
        assert runner is not None
        limit = self.config.max_tool_calls
        used = 0
        while True:
            offered = tools if used < limit else None
            if self.config.tool_format == "llama3.1":
                completion = await self._ask_llama31(offered)
            else:
                completion = await self._ask(offered)
            if not (completion.tool_calls and offered):
                stop = "tool_limit" if offered is None and used else _stop_of(completion)
                self.trajectory.finish(completion.text, stop, self.problem)
                return
            for call in completion.tool_calls:
                if used < limit:
                    used += 1
                    outcome = await runner.call(self.problem, call, tools)
                else:  # several calls in one reply can overshoot the limit
                    message = f"error: the limit of {limit} tool calls is reached; this call was not run"
                    outcome = ToolOutcome(message, "limit", 0.0, {})
                self._tool_result(call, outcome)
            if used >= limit:
                noun = prompts.answer_noun(self.problem)
                self._say(
                    prompts.TOOL_LIMIT_NOTE.format(
                        max_tool_calls=limit, what=noun, tag=prompts.language_tag(self.config.language)
                    )
                )

    async def _ask_llama31(self, tools: list[ToolSpec] | None) -> Completion:
        """One turn as a raw completion in the Llama 3.1 format (no chat template): the
        conversation rendered with `llama31.render`, the reply parsed back into content
        and tool calls (a `<|python_tag|>` call is `run_python`)."""
        self.turn += 1
        prompt = llama31.render(self.trajectory.messages, tools=tools or [])
        stops = tuple(llama31.STOPS)
        params = self.config.generation(self.problem.id, self.trajectory.sample, self.turn, stop=stops)
        (raw,) = await self.backend.complete(prompt, params)
        reply = llama31.parse_reply(raw.text, call_id=f"call_{self.turn}")
        calls = reply.tool_calls if tools else []
        completion = Completion(
            text=reply.content if calls else raw.text,
            tool_calls=calls,
            finish_reason="tool_calls" if calls else raw.finish_reason,
            usage=raw.usage,
            latency_s=raw.latency_s,
            attempts=raw.attempts,
        )
        self.trajectory.completion(self.turn, completion)
        return completion

    def _tool_result(self, call: ToolCall, outcome: ToolOutcome) -> None:
        self.trajectory.messages.append({"role": "tool", "tool_call_id": call.id, "content": outcome.content})
        self.trajectory.steps.append(
            {
                "type": "tool",
                "turn": self.turn,
                "id": call.id,
                "name": call.name,
                "arguments": call.arguments,
                "status": outcome.status,
                "result": outcome.result,
                "wall_s": round(outcome.wall_s, 4),
            }
        )

    # -- infill -----------------------------------------------------------------------------
    async def _infill(self) -> None:
        problem, config = self.problem, self.config
        if not problem.infilling:
            raise ConfigError(
                f"problem {problem.id!r} has no suffix: the infill setting needs an infilling benchmark"
            )
        prefix, suffix = problem.starter_code or "", problem.suffix or ""
        fmt = infilling.infill_format(config.infill_format)
        tokens = self.resources.tokens
        text = infilling.infill_prompt(prefix, suffix, config.infill_order, fmt)
        self.trajectory.messages = [{"role": "prompt", "content": text, "tokens": tokens is not None}]
        self.turn += 1
        (completion,) = await infilling.infill(
            self.backend,
            prefix,
            suffix,
            order=config.infill_order,
            fmt=fmt,
            tokens=tokens,
            params=config.generation(problem.id, self.trajectory.sample, self.turn),
        )
        self.trajectory.completion(self.turn, completion)
        middle, ended = infilling.middle_of(completion, fmt, tokens)
        self.trajectory.finish_program(
            middle, problem.program_for_completion(middle), "answer" if ended else "length"
        )

    # -- agent ------------------------------------------------------------------------------
    async def _agent(self) -> None:
        judge = self.resources.judge
        assert judge is not None
        view = public_view(self.problem)  # from here on, the hidden tests are out of reach
        answer, stop = "", "turn_limit"
        for submission in range(1, self.config.max_turns + 1):
            try:
                completion = await self._ask()
            except ContextLengthExceeded:
                if submission == 1:
                    raise
                stop = "context_length"
                break
            answer = completion.text
            if not view.tests:
                stop = "no_public_tests"
                break
            code, _ = prompts.extract_answer(answer, self.config.language, self.problem)
            feedback = await judge.judge(view, code, self.config.language)
            self.trajectory.steps.append(
                {"type": "submission", "turn": self.turn, "submission": submission, **feedback.record()}
            )
            if feedback.passed:
                stop = "passed_public"
                break
            if submission == self.config.max_turns:
                break
            self._say(
                prompts.FEEDBACK_FAILED.format(
                    results=feedback.text,
                    what=prompts.answer_noun(self.problem),
                    tag=prompts.language_tag(self.config.language),
                )
            )
        self.trajectory.finish(answer, stop, self.problem)


def _stop_of(completion: Completion) -> str:
    return "length" if completion.finish_reason == "length" else "answer"
