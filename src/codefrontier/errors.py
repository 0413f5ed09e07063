"""One exception type per failure a user can act on.

Every message names the file, line or field at fault and says what to do, so the
CLI can print it as a single line and exit non-zero.
"""

from __future__ import annotations

from pathlib import Path


class CodefrontierError(Exception):
    """Base class: a failure the user can act on (the CLI prints it and exits 2)."""


class InputError(CodefrontierError):
    """A file, record or field given by the user is malformed or inconsistent."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.message = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        field = f"field '{self.field}': " if self.field else ""
        return f"{where}{field}{self.message}"


class UnknownProblemError(InputError):
    """A sample or request names a problem id that the benchmark does not have."""


class UnknownLanguageError(InputError):
    """A sample or request names a language codefrontier cannot run."""


class ConfigError(CodefrontierError):
    """A command-line option or configuration value is invalid."""


class SandboxError(CodefrontierError):
    """The sandbox cannot be started at the requested isolation level."""


class InternalJudgeError(CodefrontierError):
    """The judge itself failed (never the sample's fault); the run records IE and retries."""


class ProblemDefectError(InternalJudgeError):
    """The problem itself cannot judge (its checker fails on its own answer): IE at once,
    never the sample's fault, and not retried — a fresh sandbox would fail the same way."""
