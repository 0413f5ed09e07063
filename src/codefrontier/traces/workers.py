"""Sandboxes for the traces package: one per worker thread, started on first use and reused.

Tracing, CruxEval checks and the bdb reference all run many short Python programs. A
`Sandbox` starts in about 0.1 s and then runs a program as a fresh process in a few
milliseconds, so each worker keeps one for its whole life. A sandbox whose zygote died
(`SandboxCrashed`) is restarted and the run retried once; a second failure is the
caller's result to report.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib.resources import files
from typing import Any, TypeVar

from codefrontier import pyast

T = TypeVar("T")
R = TypeVar("R")


@cache
def runtime_program(name: str) -> bytes:
    """The program a sandbox runs for `name` (``tracer`` or ``check``): runtime/batch.py
    (the batch loop both share), then runtime/NAME.py."""
    runtime = files("codefrontier.traces") / "runtime"
    return (runtime / "batch.py").read_bytes() + b"\n\n" + (runtime / f"{name}.py").read_bytes()


@cache
def zygote_preimports() -> list[str]:
    """The modules the sandbox's zygote imports before forking runs (its PREIMPORT list,
    read from its source: one list). A batch that re-executed a fresh interpreter imports
    them once too, so that its forks cost what a zygote's fork costs."""
    import ast

    source = (files("codefrontier.sandbox") / "runtime" / "zygote.py").read_text()
    for node in pyast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PREIMPORT" for t in node.targets):
            return list(ast.literal_eval(node.value))
    return []


def read_batch(stdout: bytes, count: int) -> list[tuple[dict[str, Any], bytes]]:
    """The (header, output) of each job a batch run finished, in order: at most `count`,
    fewer when the run was killed (the caller runs the rest one per run)."""
    import json

    done: list[tuple[dict[str, Any], bytes]] = []
    pos = 0
    while len(done) < count:
        end = stdout.find(b"\n", pos)
        if end < 0:
            break
        try:
            header = json.loads(stdout[pos:end])
            size = int(header["bytes"])
            if header["job"] != len(done) or end + 1 + size > len(stdout):
                break
        except (ValueError, KeyError, TypeError):
            break
        done.append((header, stdout[end + 1 : end + 1 + size]))
        pos = end + 1 + size
    return done


class SandboxPool:
    """`jobs` workers, each with its own sandbox at isolation `level`."""

    def __init__(self, jobs: int | None = None, level: str = "auto") -> None:
        from codefrontier.judge import default_jobs

        self.jobs = max(1, jobs or default_jobs())
        self.level = level
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(self.jobs, thread_name_prefix="cf-traces")

    def sandbox(self) -> Any:
        """This thread's sandbox (started now if it has none)."""
        sb = getattr(self._local, "sandbox", None)
        if sb is None:
            from codefrontier.sandbox import Sandbox

            sb = Sandbox(self.level)
            self._local.sandbox = sb
            with self._lock:
                self._all.append(sb)
        return sb

    def run(self, work: Callable[[Any], R]) -> R:
        """`work(sandbox)` on this thread's sandbox, retried once on a fresh one if it crashed."""
        from codefrontier.sandbox import SandboxCrashed

        sb = self.sandbox()
        try:
            return work(sb)
        except SandboxCrashed:
            sb.restart()
            return work(sb)

    def map(self, work: Callable[[Any, T], R], items: Iterable[T]) -> Iterator[R]:
        """`work(sandbox, item)` for every item on the workers; results in the items' order."""
        futures = [self._executor.submit(self.run, lambda sb, item=item: work(sb, item)) for item in items]
        try:
            for future in futures:
                yield future.result()
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            for sb in self._all:
                sb.close()
            self._all.clear()

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
