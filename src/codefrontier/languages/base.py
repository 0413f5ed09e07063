"""What every language module provides (DMOJ's executors are the model: one file per
language, a few attributes and hooks, a self-test the judge runs to prove it works).

A language owns everything about itself: its title (prompts, tools), whether this machine
can run it (`available`), how to turn source into something runnable (`prepare`, which
may compile, once per distinct source), how to run that in a worker sandbox (`run`), how a
problem's program is made from a sample (`program_for`), how a run of it turns into a
verdict (`verdict_of`), and a program `codefrontier doctor` runs to check it (`self_test`).
The judge never branches on a language's name.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from codefrontier.contracts import Problem, ProblemKind, Verdict
from codefrontier.errors import InternalJudgeError
from codefrontier.sandbox.runtime import protocol
from codefrontier.sandbox.worker import Limits, RunResult, Sandbox, memfd_from_bytes

MLE_PEAK_FRACTION = 0.95  # a failed run whose measured peak came this close to the limit is MLE


@dataclass
class Prepared:
    """A program ready to run: a read-only memfd with its source (interpreted languages)
    or its executable. `compile_error` is set instead when the source does not compile."""

    language: str
    fd: int = -1
    compile_error: str | None = None
    compile_cpu_s: float = 0.0
    digest: str = ""
    cached: bool = False
    _closed: bool = field(default=False, repr=False)

    def close(self) -> None:
        if self.fd >= 0 and not self._closed:
            os.close(self.fd)
            self._closed = True


@dataclass(frozen=True)
class SelfTest:
    """A tiny program and what it must print: `doctor` runs it in the sandbox."""

    source: str
    stdin: str
    stdout: str


class Language(ABC):
    name: str
    title: str  # how prompts and tool descriptions name it ("Python 3", "C++17")
    aliases: tuple[str, ...] = ()
    fence_tags: tuple[str, ...] = ()  # markdown fence info strings that mean this language
    kinds: frozenset[ProblemKind] = frozenset({ProblemKind.STDIO})
    tool_name: str | None = None  # the `tools` setting's tool that runs it (run_python, run_cpp)
    self_test: SelfTest = SelfTest("", "", "")
    needs: tuple[str, ...] = ()  # programs this machine must have (g++, node, ...)

    def available(self) -> tuple[bool, str]:
        """Whether this machine can run the language, and why not."""
        missing = [tool for tool in self.needs if shutil.which(tool) is None]
        if missing:
            return False, f"{', '.join(missing)} not installed"
        return True, ""

    def program_for(self, problem: Problem, source: str) -> str:
        """The program judged for a sample's source (a language may add the problem's prelude)."""
        return source

    @abstractmethod
    def prepare(self, source: str, sandbox: Sandbox) -> Prepared:
        """Compile (if the language compiles) and return the runnable program."""

    @abstractmethod
    def run(
        self,
        sandbox: Sandbox,
        program: Prepared,
        stdin_fd: int | None,
        limits: Limits,
        *,
        argv: list[str] | None = None,
        extra_fds: dict[int, int] | None = None,
        checker: bool = False,
    ) -> RunResult:
        """Run the program once as a fresh process. `checker`: it is a checker program, whose
        exit status 1 means "wrong answer", so a crash must exit otherwise (docs/formats.md)."""

    def verdict_of(self, run: RunResult, limits: Limits) -> tuple[Verdict, str]:
        """How a fresh-process run ended, before its output is compared (AC = it ran cleanly).

        Decided from what the sandbox measured and what the child runtime said before user
        code ran — never from the exit status's meaning or stderr text: a program can print
        "std::bad_alloc" or exit with any status, and it stays a runtime error."""
        stderr = stderr_tail(run.stderr)
        if run.status == protocol.INTERNAL:
            raise InternalJudgeError(run.message or "the sandbox could not run the program")
        if run.killed == protocol.KILLED_OUTPUT or run.stdout_size >= limits.output_bytes:
            return Verdict.OLE, f"output exceeds {limits.output_bytes >> 20} MiB"
        if run.killed in (protocol.KILLED_CPU, protocol.KILLED_WALL) or run.cpu_s > limits.cpu_s:
            how = "wall-clock backstop" if run.killed == protocol.KILLED_WALL else "CPU"
            return Verdict.TLE, f"{how} limit {limits.cpu_s:g} s exceeded"
        failed = run.status == protocol.SIGNALED or run.exit_code != 0
        if self._memory_exceeded(run, limits, failed):
            return Verdict.MLE, f"memory limit {limits.memory_mb:g} MiB exceeded"
        if run.setup == protocol.SETUP_SYNTAX:
            return Verdict.CE, run.message
        if not run.started:
            raise InternalJudgeError(
                f"the sandbox failed to start the program ({run.setup}): {run.message or stderr}"
            )
        if run.status == protocol.SIGNALED:
            return Verdict.RE, f"killed by signal {run.signal}" + (f": {stderr}" if stderr else "")
        if failed:
            return Verdict.RE, f"exit status {run.exit_code}" + (f": {stderr}" if stderr else "")
        return Verdict.AC, ""

    @staticmethod
    def _memory_exceeded(run: RunResult, limits: Limits, failed: bool) -> bool:
        if run.oom or run.setup == protocol.SETUP_EXEC_NOMEM:
            return True
        if not limits.memory_mb:
            return False
        limit_kb = limits.memory_mb * 1024
        return run.peak_kb > limit_kb or (failed and run.peak_kb >= MLE_PEAK_FRACTION * limit_kb)

    def version(self) -> str:
        """The interpreter or compiler version, for provenance."""
        return ""

    @staticmethod
    def digest(*parts: str | bytes) -> str:
        h = hashlib.sha256()
        for part in parts:
            h.update(part.encode() if isinstance(part, str) else part)
            h.update(b"\0")
        return h.hexdigest()


class Interpreted(Language):
    """A language whose programs an interpreter in the sandbox runs from a file: subclasses
    set `interpreter` (argv before the file), `file_name`, and what every language sets."""

    interpreter: tuple[str, ...] = ()
    file_name: str = "main"

    def prepare(self, source: str, sandbox: Sandbox) -> Prepared:
        data = source.encode("utf-8", errors="surrogatepass")
        return Prepared(self.name, fd=memfd_from_bytes(data, self.file_name), digest=self.digest(data))

    def run(
        self,
        sandbox: Sandbox,
        program: Prepared,
        stdin_fd: int | None,
        limits: Limits,
        *,
        argv: list[str] | None = None,
        extra_fds: dict[int, int] | None = None,
        checker: bool = False,
    ) -> RunResult:
        args = list(argv[1:]) if argv else []
        return sandbox.run_exec(
            [*self.interpreter, self.file_name, *args],
            limits,
            stdin_fd=stdin_fd,
            files={self.file_name: program.fd},
            extra_fds=extra_fds,
        )


def stderr_tail(stderr: bytes, limit: int = 1500) -> str:
    text = stderr.decode(errors="replace").strip()
    return text[-limit:]
