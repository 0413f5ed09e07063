"""The judge's worker pool: sandboxes judging samples from one bounded queue.

`codefrontier judge`, validation, the HTTP service, the reward functions and the Ray
backend all judge through a `JudgePool`: callers `submit` work (or `judge` a batch and
get results as they finish), each worker takes one sample at a time. Samples of a batch
are handed out grouped by problem so each worker reuses its cached test data.
A worker is a `SampleJudge` with its own sandbox (`LocalWorker`) or a Ray actor holding
one (`codefrontier.judge.ray_pool.RayWorker`); either way one thread here drives it.

Every accepted sample gets exactly one result:
- an internal error (IE) after the worker's own retries is re-run once on another
  worker; if that fails too, the IE result stands (a reward of None, never 0);
- a worker that dies mid-sample (its sandbox killed, its actor lost) is restarted and
  the sample is re-run elsewhere, or reported as IE;
- the queue is bounded: `submit_many` refuses a batch that does not fit (`QueueFull`,
  with a Retry-After estimate) instead of growing memory;
- `close` stops accepting, lets queued work finish for a while, then answers what is
  left with IE ("shut down before it was judged").
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, InvalidStateError, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Protocol

from codefrontier.contracts import Problem, Sample, SampleResult, Verdict
from codefrontier.errors import CodefrontierError
from codefrontier.judge.config import JudgeConfig
from codefrontier.judge.runner import SampleJudge, internal_error_result

log = logging.getLogger(__name__)


def default_jobs() -> int:
    """One worker per core the judge may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


PLACEMENTS = 2  # a sample runs on at most this many workers (the first, then one other)


class QueueFull(CodefrontierError):
    """The pool's queue cannot take the batch now; try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PoolClosed(CodefrontierError):
    """The pool no longer accepts work (it is shutting down)."""


class WorkerLost(Exception):
    """The worker died while judging (sandbox or actor gone); the pool restarts it."""


class Worker(Protocol):
    """One sandbox that judges one sample at a time."""

    name: str

    def judge(
        self, problem: Problem, sample: Sample, config: JudgeConfig, benchmark: str
    ) -> SampleResult: ...

    def restart(self) -> None: ...

    def close(self) -> None: ...

    def isolation(self) -> tuple[str, list[str]]: ...


class LocalWorker:
    """A `SampleJudge` in this process. Its config is set per sample (the sandbox is the
    same for every config: isolation and tmpfs are fixed when it starts)."""

    def __init__(self, config: JudgeConfig, name: str = "local") -> None:
        self.name = name
        self.base = config
        self.sample_judge = SampleJudge(config)

    def judge(self, problem: Problem, sample: Sample, config: JudgeConfig, benchmark: str) -> SampleResult:
        self.sample_judge.config = config
        return self.sample_judge.judge(problem, sample, benchmark)

    def restart(self) -> None:
        self.sample_judge.close()
        self.sample_judge = SampleJudge(self.base)

    def close(self) -> None:
        self.sample_judge.close()

    def isolation(self) -> tuple[str, list[str]]:
        sandbox = self.sample_judge.sandbox
        return sandbox.level, sandbox.level_reasons

    @property
    def sandbox_pid(self) -> int | None:
        """The worker's sandbox process (a process group leader); killing the group kills the worker."""
        proc = self.sample_judge.sandbox.proc
        return proc.pid if proc is not None else None


class PoolObserver(Protocol):
    """Hooks for metrics: called from worker threads."""

    def sample_started(self, task: Task, worker: str) -> None: ...

    def sample_finished(self, task: Task, result: SampleResult) -> None: ...


@dataclass(eq=False)
class Task:
    problem: Problem
    sample: Sample
    config: JudgeConfig
    benchmark: str
    future: Future[SampleResult] = field(default_factory=Future)
    submitted: float = field(default_factory=time.monotonic)
    avoid: int | None = None  # index of a worker that already failed this sample
    placements: int = 0
    attempts: int = 0  # judge attempts of earlier placements
    retry_reason: str = ""


class _TaskQueue:
    """FIFO of tasks; a worker skips tasks that must avoid it (unless it is the only one)."""

    def __init__(self) -> None:
        self.items: deque[Task] = deque()
        self.cond = threading.Condition()
        self.closed = False

    def put_many(self, tasks: Iterable[Task], front: bool = False) -> None:
        with self.cond:
            for task in tasks:
                if front:
                    self.items.appendleft(task)
                else:
                    self.items.append(task)
            self.cond.notify_all()

    def get(self, index: int, alone: Callable[[], bool]) -> Task | None:
        with self.cond:
            while True:
                for i, task in enumerate(self.items):
                    if task.avoid != index or alone():
                        del self.items[i]
                        return task
                if self.closed:
                    return None
                self.cond.wait()

    def drain(self) -> list[Task]:
        with self.cond:
            tasks = list(self.items)
            self.items.clear()
            return tasks

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def __len__(self) -> int:
        return len(self.items)


class JudgePool:
    """`workers` judging submitted samples; see the module docstring for the guarantees.

    `max_queue` bounds the samples accepted and not yet finished (queued + running);
    None means unbounded (batch use, e.g. `codefrontier judge`)."""

    def __init__(
        self,
        workers: Sequence[Worker],
        *,
        config: JudgeConfig | None = None,
        max_queue: int | None = None,
        observers: Sequence[PoolObserver] = (),
    ) -> None:
        if not workers:
            raise ValueError("a pool needs at least one worker")
        self.config = config or JudgeConfig()
        self.workers: list[Worker] = list(workers)
        self.max_queue = max_queue
        self.observers: list[PoolObserver] = list(observers)
        self._queue = _TaskQueue()
        self._lock = threading.Lock()
        self._pending = 0  # accepted, not finished
        self._running: dict[int, Task] = {}
        self._alive = len(self.workers)
        self._accepting = True
        self._idle = threading.Condition(self._lock)
        self._sample_seconds = 1.0  # moving average of one sample's judge time, for Retry-After
        self._threads = [
            threading.Thread(target=self._work, args=(i,), name=f"cf-worker-{i}", daemon=True)
            for i in range(len(self.workers))
        ]
        for thread in self._threads:
            thread.start()

    @classmethod
    def local(
        cls,
        config: JudgeConfig | None = None,
        jobs: int | None = None,
        *,
        max_queue: int | None = None,
        observers: Sequence[PoolObserver] = (),
    ) -> JudgePool:
        """`jobs` sandboxes in this process (default: one per core), started in parallel."""
        config = config or JudgeConfig()
        jobs = jobs or default_jobs()
        with ThreadPoolExecutor(jobs) as starter:
            workers = list(starter.map(lambda i: LocalWorker(config, f"local-{i}"), range(jobs)))
        return cls(workers, config=config, max_queue=max_queue, observers=observers)

    # -- state ------------------------------------------------------------------------
    @property
    def jobs(self) -> int:
        return len(self.workers)

    @property
    def isolation(self) -> tuple[str, list[str]]:
        return self.workers[0].isolation()

    @property
    def pending(self) -> int:
        """Samples accepted and not yet finished (queued or running)."""
        return self._pending

    @property
    def queued(self) -> int:
        """Samples waiting for a worker."""
        return len(self._queue)

    @property
    def busy(self) -> int:
        return len(self._running)

    def retry_after(self, extra: int = 0) -> float:
        """Seconds until about `extra` more samples would fit, from the recent judge time."""
        overflow = max(1, self._pending + extra - (self.max_queue or 0))
        return float(min(60, max(1, math.ceil(overflow * self._sample_seconds / self.jobs))))

    # -- submitting ---------------------------------------------------------------------
    def submit(
        self, problem: Problem, sample: Sample, config: JudgeConfig | None = None, benchmark: str = ""
    ) -> Future[SampleResult]:
        return self.submit_many([(problem, sample)], config, benchmark)[0]

    def submit_many(
        self,
        tasks: Sequence[tuple[Problem, Sample]],
        config: JudgeConfig | None = None,
        benchmark: str = "",
    ) -> list[Future[SampleResult]]:
        """Accept the whole batch or none of it (QueueFull / PoolClosed)."""
        config = config or self.config
        made = [Task(problem, sample, config, benchmark) for problem, sample in tasks]
        with self._lock:
            if not self._accepting:
                raise PoolClosed("the judge is shutting down and accepts no new samples")
            if self.max_queue is not None and self._pending + len(made) > self.max_queue:
                raise QueueFull(
                    f"the judge queue is full ({self._pending} of {self.max_queue} samples pending; "
                    f"this batch has {len(made)})",
                    self.retry_after(len(made)),
                )
            self._pending += len(made)
        self._queue.put_many(made)
        return [t.future for t in made]

    def judge(
        self,
        tasks: Iterable[tuple[Problem, Sample]],
        benchmark: str = "",
    ) -> Iterator[SampleResult]:
        """Judge every task with the pool's config; yields results as they finish.
        Stopping early cancels the samples of this call that have not started."""
        ordered = sorted(tasks, key=lambda t: (t[0].id, t[1].policy, t[1].sample))
        futures = self.submit_many(ordered, self.config, benchmark)
        try:
            remaining = set(futures)
            while remaining:  # a timeout keeps Ctrl-C responsive
                done, remaining = wait(remaining, timeout=0.5, return_when="FIRST_COMPLETED")
                for future in done:
                    yield future.result()
        finally:
            for future in futures:
                future.cancel()  # a worker skips a cancelled sample it has not started

    # -- the workers ----------------------------------------------------------------------
    def _alone(self) -> bool:
        return self._alive <= 1

    def _work(self, index: int) -> None:
        worker = self.workers[index]
        while True:
            task = self._queue.get(index, self._alone)
            if task is None:
                return
            if task.future.cancelled():  # the caller gave up on it while it was queued
                self._finished(task)
                continue
            task.placements += 1
            with self._lock:
                self._running[index] = task
            for observer in self.observers:
                _notify(observer.sample_started, task, worker.name)
            started = time.monotonic()
            try:
                result = worker.judge(task.problem, task.sample, task.config, task.benchmark)
            except WorkerLost as exc:
                result = None
                failure = f"worker {worker.name} was lost while judging: {exc}"
            except Exception as exc:  # a bug in the judge: never drop the sample, never kill the pool
                log.exception("worker %s failed on %s", worker.name, task.sample.key)
                result = None
                failure = f"worker {worker.name} failed: {type(exc).__name__}: {exc}"
            finally:
                with self._lock:
                    self._running.pop(index, None)
            elapsed = time.monotonic() - started
            self._sample_seconds = 0.9 * self._sample_seconds + 0.1 * elapsed
            if result is None:
                task.attempts += 1
                restarted = self._restart(index, worker)
                self._place_again_or_fail(task, index, failure)
                if not restarted:
                    return  # this worker is gone for good; the others carry on
            elif (
                result.verdict is Verdict.IE
                and not getattr(result, "problem_defect", False)
                and self._may_place_again(task)
            ):
                task.attempts += result.attempts
                task.retry_reason = result.detail
                self._requeue(task, index)
            else:
                self._complete(task, result)

    def _restart(self, index: int, worker: Worker) -> bool:
        try:
            worker.restart()
            return True
        except Exception:
            log.exception("worker %s could not be restarted; the pool goes on without it", worker.name)
            with self._lock:
                self._alive -= 1
                left = self._alive
            if left == 0:  # nobody can judge what is queued: answer it now
                for task in self._queue.drain():
                    self._fail(task, "no judge worker is left (every sandbox failed to restart)")
            return False

    def _may_place_again(self, task: Task) -> bool:
        return task.placements < PLACEMENTS and self._alive > 0

    def _place_again_or_fail(self, task: Task, index: int, failure: str) -> None:
        if self._may_place_again(task):
            task.retry_reason = failure
            self._requeue(task, index)
        else:
            self._fail(task, failure)

    def _requeue(self, task: Task, index: int) -> None:
        task.avoid = index
        self._queue.put_many([task], front=True)

    def _fail(self, task: Task, message: str) -> None:
        if task.retry_reason and task.retry_reason not in message:
            message = f"{message} (earlier attempt: {task.retry_reason})"
        result = internal_error_result(task.problem, task.sample, task.benchmark, message)
        result.attempts = 0  # made here: the attempts are those of the placements before
        self._complete(task, result)

    def _complete(self, task: Task, result: SampleResult) -> None:
        result.attempts += task.attempts
        for observer in self.observers:
            _notify(observer.sample_finished, task, result)
        try:
            task.future.set_result(result)
        except InvalidStateError:  # cancelled by the caller meanwhile: nobody waits for it
            pass
        self._finished(task)

    def _finished(self, task: Task) -> None:
        with self._lock:
            self._pending -= 1
            self._idle.notify_all()

    # -- shutting down ------------------------------------------------------------------
    def stop_accepting(self) -> None:
        with self._lock:
            self._accepting = False

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until nothing is pending; False if `timeout` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while self._pending > 0:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def fail_queued(self, message: str) -> int:
        """Answer every sample still waiting for a worker with IE; returns how many."""
        tasks = self._queue.drain()
        for task in tasks:
            self._fail(task, message)
        return len(tasks)

    def close(self, drain_timeout: float | None = 0.0) -> None:
        """Stop accepting; give queued samples `drain_timeout` seconds (None: as long as it
        takes), answer the rest with IE, let running samples finish, stop the workers."""
        self.stop_accepting()
        if not self.wait_idle(drain_timeout):
            self.fail_queued("the judge shut down before this sample was judged")
        self.wait_idle(None)
        self._queue.close()
        for thread in self._threads:
            thread.join()
        for worker in self.workers:
            try:
                worker.close()
            except Exception:  # closing is best effort: the process is going away
                log.exception("closing worker %s failed", worker.name)

    def __enter__(self) -> JudgePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _notify(hook: Callable[..., None], *args: object) -> None:
    try:
        hook(*args)
    except Exception:  # an observer must never break judging
        log.exception("pool observer failed")
