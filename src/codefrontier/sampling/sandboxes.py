"""Worker sandboxes for the settings that run code while sampling (tool calls and the
agent's submissions). Each sandbox is used by one thread at a time; the pool starts
them on demand, up to `size`, and hands them out to coroutines."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

from codefrontier.judge.pool import default_jobs

W = TypeVar("W")


class SandboxLeases(Generic[W]):
    """Up to `size` workers (sandboxes or sample judges), made on first demand; blocking
    work runs on the pool's own threads."""

    def __init__(self, make: Callable[[], W], close: Callable[[W], None], size: int | None = None) -> None:
        self.size = size or min(8, default_jobs())
        self._make = make
        self._close = close
        self._idle: asyncio.Queue[W] | None = None
        self._all: list[W] = []
        self._starting = 0
        self._executor = ThreadPoolExecutor(self.size, thread_name_prefix="cf-sampling-worker")

    async def run(self, work: Callable[[W], object]) -> object:
        async with self._worker() as worker:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, work, worker)

    @asynccontextmanager
    async def _worker(self) -> AsyncIterator[W]:
        if self._idle is None:
            self._idle = asyncio.Queue()
        if self._idle.empty() and len(self._all) + self._starting < self.size:
            self._starting += 1
            try:
                worker = await asyncio.get_running_loop().run_in_executor(self._executor, self._make)
            finally:
                self._starting -= 1
            self._all.append(worker)
        else:
            worker = await self._idle.get()
        try:
            yield worker
        finally:
            self._idle.put_nowait(worker)

    def close(self) -> None:
        for worker in self._all:
            self._close(worker)
        self._all.clear()
        self._idle = None
        self._executor.shutdown(wait=True)
