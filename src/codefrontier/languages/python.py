"""Python 3: programs are forked from the sandbox's warm interpreter (no per-run start-up)
and behave as under `python3 main.py` on a normal machine — `exit()` exists, stdin splits
lines at "\\n" only, `__file__` is main.py in the working directory.

The sandbox sees only the standard library of the interpreter codefrontier runs on. A
SyntaxError is a compile error (CE), reported by the child runtime before user code runs.
"""

from __future__ import annotations

import platform

from codefrontier.contracts import Problem, ProblemKind
from codefrontier.languages.base import Language, Prepared, SelfTest
from codefrontier.sandbox.worker import Limits, RunResult, Sandbox, memfd_from_bytes

CHECKER_UNCAUGHT = 3  # a checker that raises exits so, not 1 ("rejected"): its bugs are not WA


class Python(Language):
    name = "python"
    title = "Python 3"
    aliases = ("python3", "py", "py3", "python3.11")
    fence_tags = ("python", "python3", "py", "py3")
    kinds = frozenset({ProblemKind.STDIO, ProblemKind.FUNCTION, ProblemKind.ASSERT})
    tool_name = "run_python"
    self_test = SelfTest("import sys\nprint(sum(map(int, sys.stdin.read().split())))\n", "2 3\n", "5\n")

    def program_for(self, problem: Problem, source: str) -> str:
        # A dataset's prelude (imports HumanEval's prompts assume, MBPP's setup code) comes first.
        if problem.prelude:
            return problem.prelude.rstrip("\n") + "\n" + source
        return source

    def prepare(self, source: str, sandbox: Sandbox) -> Prepared:
        data = source.encode("utf-8", errors="surrogatepass")
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
            program.fd,
            stdin_fd,
            limits,
            argv=argv,
            extra_fds=extra_fds,
            uncaught_status=CHECKER_UNCAUGHT if checker else 1,
        )

    def version(self) -> str:
        return f"Python {platform.python_version()} ({platform.python_implementation()})"


LANGUAGE = Python()
