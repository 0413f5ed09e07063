"""A build Runner that runs programs exactly as the judge does: in a worker sandbox,
timed by the kernel's CPU accounting. Limits are calibrated with the same measurement
that later decides TLE, so a reference never sits closer to its limit than intended."""

from __future__ import annotations

import os
import threading

from codefrontier.languages import Prepared, get_language
from codefrontier.problems.bundled.build import CompileError, RunOutcome
from codefrontier.sandbox.worker import Limits, Sandbox, memfd_from_bytes

OUTPUT_CAP = 256 << 20


class SandboxRunner:
    """One worker sandbox per thread; compiled programs are cached per sandbox."""

    def __init__(self, isolation: str = "auto") -> None:
        self.isolation = isolation
        self._local = threading.local()
        self._sandboxes: list[Sandbox] = []
        self._lock = threading.Lock()

    def _state(self) -> tuple[Sandbox, dict[tuple[str, str], Prepared]]:
        if not hasattr(self._local, "sandbox"):
            sandbox = Sandbox(self.isolation)
            with self._lock:
                self._sandboxes.append(sandbox)
            self._local.sandbox, self._local.programs = sandbox, {}
        return self._local.sandbox, self._local.programs

    def run(self, language: str, code: str, stdin: bytes, time_limit_s: float, memory_mb: int) -> RunOutcome:
        sandbox, programs = self._state()
        lang = get_language(language)
        key = (lang.name, code)
        program = programs.get(key)
        if program is None:
            program = lang.prepare(code, sandbox)
            if program.compile_error is not None:
                raise CompileError(language, program.compile_error)
            programs[key] = program
        stdin_fd = memfd_from_bytes(stdin, "stdin")
        try:
            limits = Limits(
                cpu_s=time_limit_s, wall_s=3 * time_limit_s + 1, memory_mb=memory_mb, output_bytes=OUTPUT_CAP
            )
            result = lang.run(sandbox, program, stdin_fd, limits)
        finally:
            os.close(stdin_fd)
        exit_code = result.exit_code if result.status == "exited" else -(result.signal or 0)
        timed_out = result.killed != "none" or result.cpu_s > time_limit_s
        return RunOutcome(
            stdout=result.stdout,
            cpu_s=result.cpu_s,
            exit_code=exit_code or 0,
            timed_out=timed_out,
            stderr=result.stderr,
        )

    def close(self) -> None:
        with self._lock:
            for sandbox in self._sandboxes:
                sandbox.close()
            self._sandboxes.clear()
        for program in getattr(self._local, "programs", {}).values():
            program.close()

    def __enter__(self) -> SandboxRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
