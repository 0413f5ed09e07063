"""Python 3: programs are forked from the sandbox's warm interpreter (no per-run startup).

The sandbox sees only the standard library of the interpreter codefrontier runs on.
A SyntaxError is a compile error (CE), detected when the program is first run.
"""

from __future__ import annotations

import platform

from codefrontier.contracts import ProblemKind
from codefrontier.languages.base import Language, Prepared
from codefrontier.sandbox.worker import Limits, RunResult, Sandbox, memfd_from_bytes

EXIT_SYNTAX = 200  # set by the sandbox runtime (runtime/zygote.py) for a SyntaxError
EXIT_MEMORY = 201  # ... for an uncaught MemoryError
EXIT_SETUP = 210  # ... when the child failed before the program started (the judge's fault)


class Python(Language):
    name = "python"
    aliases = ("python3", "py", "py3", "python3.11")
    fence_tags = ("python", "python3", "py", "py3")
    kinds = frozenset({ProblemKind.STDIO, ProblemKind.FUNCTION, ProblemKind.ASSERT})

    def prepare(self, source: str, sandbox: Sandbox) -> Prepared:
        data = source.encode("utf-8", errors="surrogateescape")
        return Prepared(self.name, fd=memfd_from_bytes(data, "main.py"), digest=self.digest(data))

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
        return sandbox.run_python(
            program.fd, stdin_fd, limits, argv=argv, extra_fds=extra_fds, uncaught_status=3 if checker else 1
        )

    def version(self) -> str:
        return f"Python {platform.python_version()} ({platform.python_implementation()})"


LANGUAGE = Python()
