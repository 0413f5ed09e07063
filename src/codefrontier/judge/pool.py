"""Judging many samples at once: one worker sandbox per job, results as they finish.

Workers are threads in the judge's process, each owning a sandbox; the untrusted
work happens in the sandboxes, so threads are enough. Samples are handed out
grouped by problem so each worker reuses its cached test data.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

from codefrontier.judge.results import SampleResult
from codefrontier.judge.runner import JudgeConfig, SampleJudge
from codefrontier.judge.samples import Sample
from codefrontier.problems.model import Problem

_DONE = object()


def default_jobs() -> int:
    """One worker per core the judge may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class JudgePool:
    """`jobs` worker sandboxes judging (problem, sample) pairs in parallel."""

    def __init__(self, config: JudgeConfig | None = None, jobs: int | None = None) -> None:
        self.config = config or JudgeConfig()
        self.jobs = jobs or default_jobs()
        with ThreadPoolExecutor(self.jobs) as starter:  # sandboxes start in parallel
            self.workers = list(starter.map(lambda _: SampleJudge(self.config), range(self.jobs)))
        self._stop = threading.Event()

    @property
    def isolation(self) -> tuple[str, list[str]]:
        sandbox = self.workers[0].sandbox
        return sandbox.level, sandbox.level_reasons

    def close(self) -> None:
        self._stop.set()
        for worker in self.workers:
            worker.close()

    def __enter__(self) -> JudgePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def judge(
        self,
        tasks: Iterable[tuple[Problem, Sample]],
        benchmark: str = "",
        on_start: Callable[[Problem, Sample], None] | None = None,
    ) -> Iterator[SampleResult]:
        """Judge every task; yields results in completion order. Stopping early (or
        Ctrl-C in the caller) stops the workers after their current sample."""
        todo: queue.Queue[object] = queue.Queue()
        done: queue.Queue[object] = queue.Queue()
        ordered = sorted(tasks, key=lambda t: (t[0].id, t[1].policy, t[1].sample))
        for task in ordered:
            todo.put(task)
        for _ in self.workers:
            todo.put(_DONE)

        def work(judge: SampleJudge) -> None:
            while not self._stop.is_set():
                task = todo.get()
                if task is _DONE:
                    break
                problem, sample = task  # type: ignore[misc]
                if on_start is not None:
                    on_start(problem, sample)
                try:
                    done.put(judge.judge(problem, sample, benchmark))
                except BaseException as exc:  # a bug in the judge: report it, keep the others going
                    done.put(exc)
                    break
            done.put(_DONE)

        threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in self.workers]
        for thread in threads:
            thread.start()
        finished = 0
        try:
            while finished < len(threads):
                try:
                    item = done.get(timeout=0.5)  # a timeout keeps Ctrl-C responsive
                except queue.Empty:
                    continue
                if item is _DONE:
                    finished += 1
                elif isinstance(item, BaseException):
                    raise item
                else:
                    yield item  # type: ignore[misc]
        finally:
            self._stop.set()
            while not todo.empty():  # unblock workers waiting for work
                try:
                    todo.get_nowait()
                except queue.Empty:
                    break
            for _ in threads:
                todo.put(_DONE)
            for thread in threads:
                thread.join(timeout=0.1)
            self._stop.clear()
