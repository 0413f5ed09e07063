"""What every language module provides (DMOJ's executors are the model: one file per language).

A language says how to turn source into something runnable (`prepare`, which may
compile, once per distinct source, cached by hash) and how to run that in a worker
sandbox (`run`). The judge never branches on a language's name.
"""

from __future__ import annotations

import hashlib
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from codefrontier.contracts import ProblemKind
from codefrontier.sandbox.worker import Limits, RunResult, Sandbox


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


class Language(ABC):
    name: str
    aliases: tuple[str, ...] = ()
    fence_tags: tuple[str, ...] = ()  # markdown fence info strings that mean this language
    kinds: frozenset[ProblemKind] = frozenset({ProblemKind.STDIO})

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
