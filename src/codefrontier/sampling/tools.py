"""The `tools` setting's tools: `run_python` and `run_cpp` run a program the model wrote
in codefrontier's sandbox, with the problem's time and memory limits, on the standard
input the model gives, and answer with a JSON object:

    {"status": "OK" | "RE" | "TLE" | "MLE" | "OLE" | "CE" | "IE", "exit_code": 0,
     "cpu_s": 0.01, "wall_s": 0.02, "stdout": "...", "stderr": "...", "detail": "...",
     "truncated": ["stdout"]}

`status` is the judge's verdict for how the run ended (OK where the judge would go on to
compare the output). A call the setting cannot read (unknown tool, arguments that are
not a JSON object with a `code` string) is answered with a message that starts with
`error:` and says how to call the tool; it still counts toward the call limit.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from typing import Any

from codefrontier.contracts import Problem
from codefrontier.errors import InternalJudgeError
from codefrontier.judge.config import JudgeConfig
from codefrontier.languages import Language, all_languages, get_language
from codefrontier.sampling.backends.base import ToolCall, ToolSpec
from codefrontier.sampling.sandboxes import SandboxLeases
from codefrontier.sandbox.worker import Sandbox, memfd_from_bytes

TOOL_OUTPUT_BYTES = 8 << 20  # a tool run's output cap (what the model sees is cut much shorter)


def _spec(language: Language) -> ToolSpec:
    return {
        "type": "function",
        "function": {
            "name": language.tool_name,
            "description": f"Run a {language.title} program in a sandbox on the given standard input, with the "
            "problem's time and memory limits. Returns JSON with status (OK, RE, TLE, MLE, OLE, CE), "
            "exit_code, cpu_s, wall_s, stdout and stderr.",
            "parameters": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "description": "the whole program"},
                    "stdin": {"type": "string", "description": "standard input for the run (default: empty)"},
                },
                "required": ["code"],
            },
        },
    }


def tool_languages() -> dict[str, Language]:
    """Every language with a tool, by tool name (run_python, run_cpp, ...)."""
    return {lang.tool_name: lang for lang in all_languages().values() if lang.tool_name}


def cpp_available() -> bool:
    return get_language("cpp").available()[0]


def tool_specs(*, cpp: bool | None = None) -> list[ToolSpec]:
    """The tools offered: one per language this machine can run (`cpp` forces C++ on or off)."""
    specs = []
    for language in tool_languages().values():
        usable = language.available()[0] if (cpp is None or language.name != "cpp") else cpp
        if usable:
            specs.append(_spec(language))
    return specs


@dataclass
class ToolOutcome:
    """What a call returns to the model (`content`) and what the trajectory records."""

    content: str
    status: str
    wall_s: float
    result: dict[str, Any]


class CodeRunner:
    """Runs tool calls in a pool of sandboxes."""

    def __init__(self, config: JudgeConfig | None = None, jobs: int | None = None, output_chars: int = 4000):
        self.config = config or JudgeConfig()
        self.output_chars = output_chars
        self.pool: SandboxLeases[Sandbox] = SandboxLeases(
            lambda: Sandbox(self.config.isolation, tmpfs_mb=self.config.tmpfs_mb), lambda s: s.close(), jobs
        )

    def close(self) -> None:
        self.pool.close()

    async def call(self, problem: Problem, call: ToolCall, offered: list[ToolSpec]) -> ToolOutcome:
        started = time.perf_counter()
        names = [t["function"]["name"] for t in offered]
        problem_text = _bad_call(call, names)
        if problem_text is not None:
            return ToolOutcome(problem_text, "error", time.perf_counter() - started, {"error": problem_text})
        args = json.loads(call.arguments)
        result = await self.run(
            problem, tool_languages()[call.name].name, args["code"], args.get("stdin") or ""
        )
        return ToolOutcome(
            json.dumps(result, ensure_ascii=False), result["status"], time.perf_counter() - started, result
        )

    async def run(self, problem: Problem, language: str, code: str, stdin: str) -> dict[str, Any]:
        """Run `code` on `stdin` with the problem's limits: the tool result object above
        (stdout and stderr cut at `output_chars`)."""
        args = {"code": code, "stdin": stdin}
        result = await self.pool.run(lambda sandbox: self._run(sandbox, problem, language, args))
        assert isinstance(result, dict)
        return result

    def _run(
        self, sandbox: Sandbox, problem: Problem, language_name: str, args: dict[str, Any]
    ) -> dict[str, Any]:
        language = get_language(language_name)
        limits = self.config.limits_for(problem, language.name).replace(output_bytes=TOOL_OUTPUT_BYTES)
        stdin = memfd_from_bytes(str(args.get("stdin") or "").encode(), "stdin")
        try:
            program = language.prepare(args["code"], sandbox)
            try:
                if program.compile_error is not None:
                    return self._result("CE", detail=program.compile_error)
                run = language.run(sandbox, program, stdin, limits)
            finally:
                program.close()
            verdict, detail = language.verdict_of(run, limits)
        except InternalJudgeError as exc:
            try:
                sandbox.restart()
            except Exception:  # the next call will say so again
                pass
            return self._result("IE", detail=f"the sandbox failed ({exc}); try again")
        finally:
            os.close(stdin)
        status = "OK" if verdict.value == "AC" else verdict.value
        return self._result(
            status,
            exit_code=run.exit_code,
            signal=run.signal,
            cpu_s=round(run.cpu_s, 4),
            wall_s=round(run.wall_s, 4),
            stdout=run.stdout,
            stderr=run.stderr,
            detail="" if status == "OK" else detail,
        )

    def _result(
        self,
        status: str,
        *,
        exit_code: int | None = None,
        signal: int | None = None,
        cpu_s: float = 0.0,
        wall_s: float = 0.0,
        stdout: bytes = b"",
        stderr: bytes = b"",
        detail: str = "",
    ) -> dict[str, Any]:
        truncated = []
        shown = {}
        for name, data in (("stdout", stdout), ("stderr", stderr), ("detail", detail.encode())):
            text = data.decode(errors="replace")
            if len(text) > self.output_chars:
                text = text[: self.output_chars]
                truncated.append(name)
            shown[name] = text
        result: dict[str, Any] = {"status": status, "exit_code": exit_code, "cpu_s": cpu_s, "wall_s": wall_s}
        if signal is not None:
            result["signal"] = signal
        result.update(stdout=shown["stdout"], stderr=shown["stderr"])
        if shown["detail"]:
            result["detail"] = shown["detail"]
        if truncated:
            result["truncated"] = truncated
        return result


def _bad_call(call: ToolCall, names: list[str]) -> str | None:
    """Why a call cannot run, as the message the model gets back; None when it can."""
    usage = 'call it with arguments {"code": "<the whole program>", "stdin": "<input>"}'
    if call.name not in names:
        if not call.name:
            return f"error: could not read the tool call {call.arguments[:200]!r}; write a JSON object with name and arguments"
        return f"error: unknown tool {call.name!r}; the tools are {', '.join(names)}"
    try:
        args = json.loads(call.arguments or "{}")
    except json.JSONDecodeError as exc:
        return f"error: the arguments of {call.name} are not valid JSON ({exc.msg} at column {exc.colno}); {usage}"
    if not isinstance(args, dict):
        return f"error: the arguments of {call.name} must be a JSON object; {usage}"
    if not isinstance(args.get("code"), str):
        return f"error: {call.name} needs a `code` string; {usage}"
    if args.get("stdin") is not None and not isinstance(args["stdin"], str):
        return f"error: `stdin` must be a string; {usage}"
    return None
