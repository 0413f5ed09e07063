"""The rebuild loop: a model rebuilds a program from its documentation and its executable.

The model gets the task's documentation and one tool, `run_reference`, which runs the
reference on arguments, standard input and files it chooses and returns the exit status,
standard output and standard error. The reference runs in the sandbox from a sealed
memory file whose mode is 0111, handed over by descriptor: it can be executed, never
read (not by the model, and not by the reference itself through /proc/self/exe, which a
`cat`-like program could otherwise print), and it is nowhere in the file system.

Settings (`codefrontier sample`'s, from `SettingConfig`):

* `tools`: up to `max_tool_calls` calls; the first reply without a call is the submission.
* `agent`: the same tool, and every reply without a call is a submission that is compiled
  and run on the model's own earlier probes; what differs from the reference comes back,
  up to `max_turns` submissions. The hidden tests are never used for feedback.

A submission is the reply's files, each a fenced block preceded by `File: PATH`; it must
include `compile.sh`, which builds `./executable`. It is written to
`OUT/<task>/submission/` with the trajectory beside it, then evaluated like any other.
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codefrontier.programs.files import TarBuilder, read_tar_file, safe_member_name, write_bytes_atomic
from codefrontier.programs.runner import ProgramRunner, StepLimits
from codefrontier.programs.tasks import Task
from codefrontier.sandbox import Limits, memfd_from_bytes

if TYPE_CHECKING:  # sampling loads only when a model is asked
    from codefrontier.sampling.settings import SettingConfig

TOOL = {
    "type": "function",
    "function": {
        "name": "run_reference",
        "description": "Run the original program (./executable) in a sandbox: with these command-line "
        "arguments, standard input, and files created in its working directory first. Returns JSON with "
        "exit_code, stdout and stderr.",
        "parameters": {
            "type": "object",
            "properties": {
                "args": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "arguments after ./executable",
                },
                "stdin": {"type": "string", "description": "standard input (default empty)"},
                "files": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "name -> content",
                },
            },
        },
    },
}

SYSTEM = (
    "You rebuild command-line programs from scratch. You cannot see the original program's code or "
    "binary; you can only run it. Write the whole program in any language available on a Debian "
    "machine without network (C, C++, Python 3, bash)."
)
INSTRUCTIONS = """Rebuild this program so that it behaves exactly like the original: the same output, \
error messages and exit status for every input.

{documentation}

{tool_note}Answer with every file of your submission, each as a fenced code block preceded by a line \
`File: PATH`. Include `compile.sh`, a bash script that builds `./executable` in the submission's \
directory (it is run there, without network). Do not call or copy the original program: it is not \
available when your submission is tested."""
TOOL_NOTE = "You may call `run_reference` up to {n} times to see how the original behaves.\n\n"
FEEDBACK = """Your submission {status}.

{details}

Fix it and answer again with every file (`File: PATH` before each block)."""
_FILE_BLOCK = re.compile(
    r"(?:^|\n)\s*(?:\*\*)?File:\s*`?([^\n`*]+?)`?(?:\*\*)?\s*\n```[^\n]*\n(.*?)\n```", re.DOTALL
)


def parse_files(text: str) -> dict[str, str]:
    """The files of a reply: `File: PATH` then a fenced block (paths that would leave the
    submission's folder are dropped)."""
    files = {}
    for path, body in _FILE_BLOCK.findall(text):
        try:
            files[safe_member_name(path.strip())] = body + "\n"
        except Exception:
            continue
    return files


class ReferenceTool:
    """Runs the reference for the model: executable by descriptor only (mode 0111)."""

    def __init__(self, reference: bytes, runner: ProgramRunner, output_chars: int = 4000) -> None:
        self.fd = memfd_from_bytes(reference, "reference")
        os.fchmod(self.fd, 0o111)  # execute only: no read, whoever asks
        self.runner = runner
        self.output_chars = output_chars

    def close(self) -> None:
        os.close(self.fd)

    def run(self, args: list[str], stdin: str = "", files: dict[str, str] | None = None) -> dict[str, Any]:
        assert self.runner.sandbox is not None
        file_fds = {}
        for name, content in (files or {}).items():
            if "/" in name or name in ("", ".", ".."):
                continue
            file_fds[name] = memfd_from_bytes(content.encode(), "file")
        stdin_fd = memfd_from_bytes(stdin.encode(), "stdin")
        try:
            run = self.runner.sandbox.run_exec(
                ["./executable", *args],
                Limits(cpu_s=5, wall_s=10, memory_mb=512, nproc=16),
                stdin_fd=stdin_fd,
                exe_fd=self.fd,
                files=file_fds,
            )
        finally:
            for fd in [stdin_fd, *file_fds.values()]:
                os.close(fd)
        code: int | str = run.exit_code if run.status == "exited" else f"signal {run.signal}"
        if run.killed != "none":
            code = "timeout"
        return {
            "exit_code": code,
            "stdout": run.stdout.decode(errors="replace")[: self.output_chars],
            "stderr": run.stderr.decode(errors="replace")[: self.output_chars],
        }


@dataclass
class Attempt:
    task: Task
    files: dict[str, str] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    probes: list[dict[str, Any]] = field(default_factory=list)
    stop: str = ""
    wall_s: float = 0.0

    def trajectory(self) -> dict[str, Any]:
        return {
            "task": self.task.id,
            "messages": self.messages,
            "steps": self.steps,
            "stop": self.stop,
            "wall_s": round(self.wall_s, 3),
        }


async def rebuild(task: Task, backend: Any, config: SettingConfig, runner: ProgramRunner) -> Attempt:
    """One rebuild attempt of `task` with `backend` in `config.setting` (tools or agent)."""
    from codefrontier.sampling.settings import Setting

    setting = Setting(config.setting)
    if setting is Setting.REASONING:
        calls_allowed = 0
    else:
        calls_allowed = config.max_tool_calls
    reference = task.reference_path()
    if reference is None:
        from codefrontier.errors import InputError

        raise InputError(
            "the task has no reference executable to run",
            path=task.directory / "task.yaml",
            field="reference",
        )
    tool = ReferenceTool(reference.read_bytes(), runner, config.tool_output_chars)
    attempt = Attempt(task)
    started = time.perf_counter()
    note = TOOL_NOTE.format(n=calls_allowed) if calls_allowed else ""
    attempt.messages = [
        {"role": "system", "content": SYSTEM},
        {
            "role": "user",
            "content": INSTRUCTIONS.format(documentation=task.documentation_text().strip(), tool_note=note),
        },
    ]
    used, turn, submissions = 0, 0, 0
    max_submissions = config.max_turns if setting is Setting.AGENT else 1
    try:
        while True:
            turn += 1
            offered = [TOOL] if used < calls_allowed else None
            params = config.generation(task.id, 0, turn)
            (completion,) = await backend.chat(list(attempt.messages), params, tools=offered)
            attempt.messages.append(completion.message())
            attempt.steps.append(
                {
                    "type": "completion",
                    "turn": turn,
                    **completion.usage.to_json(),
                    "tool_calls": len(completion.tool_calls),
                }
            )
            if completion.tool_calls and offered:
                for call in completion.tool_calls:
                    used += 1
                    content = (
                        _call_tool(tool, call, attempt)
                        if used <= calls_allowed
                        else "error: the limit of tool calls is reached"
                    )
                    attempt.messages.append({"role": "tool", "tool_call_id": call.id, "content": content})
                continue
            submissions += 1
            files = parse_files(completion.text)
            if files:
                attempt.files = files
            if setting is not Setting.AGENT or submissions >= max_submissions:
                attempt.stop = "answer" if files else "no_files"
                break
            status, details, passed = _feedback(attempt, runner, tool)
            attempt.steps.append({"type": "submission", "turn": turn, "status": status, "passed": passed})
            if passed:
                attempt.stop = "matches_probes"
                break
            attempt.messages.append(
                {"role": "user", "content": FEEDBACK.format(status=status, details=details)}
            )
    finally:
        tool.close()
        attempt.wall_s = time.perf_counter() - started
    return attempt


def _call_tool(tool: ReferenceTool, call: Any, attempt: Attempt) -> str:
    try:
        args = json.loads(call.arguments or "{}")
    except json.JSONDecodeError as exc:
        return f"error: the arguments are not valid JSON ({exc.msg})"
    if call.name != "run_reference" or not isinstance(args, dict):
        return 'error: call run_reference with {"args": [...], "stdin": "...", "files": {...}}'
    argv = args.get("args") or []
    stdin = args.get("stdin") or ""
    files = args.get("files") or {}
    if not (
        isinstance(argv, list)
        and all(isinstance(a, str) for a in argv)
        and isinstance(stdin, str)
        and isinstance(files, dict)
    ):
        return "error: args must be a list of strings, stdin a string, files an object of strings"
    files = {str(k): str(v) for k, v in files.items()}
    result = tool.run(argv, stdin, files)
    attempt.probes.append({"args": argv, "stdin": stdin, "files": files, "result": result})
    attempt.steps.append({"type": "tool", "args": argv, "exit_code": result["exit_code"]})
    return json.dumps(result, ensure_ascii=False)


def _feedback(attempt: Attempt, runner: ProgramRunner, tool: ReferenceTool) -> tuple[str, str, bool]:
    """Compile the submission and replay the model's probes on it."""
    if "compile.sh" not in attempt.files:
        return "has no compile.sh", "Include a file `compile.sh` that builds ./executable.", False
    builder = TarBuilder()
    for name, body in attempt.files.items():
        builder.add_bytes(name, body.encode(), 0o755 if name.endswith(".sh") else 0o644)
    step = runner.compile(builder.getvalue(), StepLimits(wall_s=300, output_mb=256))
    if step.report.get("error_code") or step.failure():
        detail = step.report.get("error_details") or step.failure() or ""
        return "did not build", f"compile.sh failed:\n{detail[-2000:]}", False
    executable = read_tar_file(step.data, "executable")
    if executable is None or not attempt.probes:
        return (
            "builds",
            "It builds; run the original with run_reference to compare behaviors.",
            executable is not None,
        )
    cases = [
        {
            "id": f"p{i}",
            "argv": p["args"],
            "stdin": base64.b64encode(p["stdin"].encode()).decode(),
            "files": {k: base64.b64encode(v.encode()).decode() for k, v in p["files"].items()},
            "timeout": 10,
        }
        for i, p in enumerate(attempt.probes)
    ]
    observed = runner.observe(
        executable, cases, 1, StepLimits(wall_s=300), workspace_tar=step.data, flat=True
    )
    mismatches = []
    for probe, obs in zip(attempt.probes, observed.report.get("observations", []), strict=False):
        run = obs["runs"][0]
        got = {
            "exit_code": run["code"],
            "stdout": base64.b64decode(run["stdout"]).decode(errors="replace")[: tool.output_chars],
            "stderr": base64.b64decode(run["stderr"]).decode(errors="replace")[: tool.output_chars],
        }
        if got != probe["result"]:
            mismatches.append(
                f"args {probe['args']!r}: expected {json.dumps(probe['result'])}, got {json.dumps(got)}"
            )
    if not mismatches:
        return "matches every probe", "", True
    return (
        f"differs on {len(mismatches)} of {len(attempt.probes)} probes",
        "\n".join(mismatches[:5])[:4000],
        False,
    )


def write_attempt(attempt: Attempt, out: Path) -> Path:
    """OUT/<task>/submission/ (the files) and OUT/<task>/trajectory.json; returns the folder."""
    root = out / attempt.task.id
    folder = root / "submission"
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, body in attempt.files.items():
        write_bytes_atomic(folder / name, body.encode())
        if name.endswith(".sh"):
            (folder / name).chmod(0o755)
    write_bytes_atomic(
        root / "trajectory.json",
        (json.dumps(attempt.trajectory(), indent=2, ensure_ascii=False) + "\n").encode(),
    )
    return folder
