"""Retry-After for a batch the queue cannot take now (docs/rewards.md, "The queue and 429").

A refused client is told when its batch would fit, counting everything ahead of it:

    ahead   = pending + promised + batch - max_queue        samples that must finish first
    seconds = (ahead + U(0, JITTER) * max_queue) / throughput     between 0.1 and 60

`pending` is what the pool holds now; `promised` is the samples of refused batches told
to come back later than now, which will take room before this one; `throughput` is
workers / (mean judge time per sample), measured on the pool. Each refusal takes its turn
in that line, so clients that honour it come back spread out instead of all at once.
The Retry-After header counts whole seconds (HTTP allows no fraction), so it is
`seconds` rounded up, at least 1; the estimate itself goes in the 429's body as
`retry_after_s`, which `RewardClient` waits instead: with a small queue on fast workers,
turns a fraction of a second apart would otherwise all round to the same second.

The jitter only ever delays, by up to half the time the queue takes to drain: a client
back before its turn is refused again (and goes to the back of the line), while one back
a little after it still finds the queue holding work, so the workers never wait for it.

The rule before this one estimated each batch alone (`pending + batch - max_queue`, at
least 1 s), so every client refused at the same moment was told the same second and came
back together. It is kept as `rule="batch"` to compare the two (benchmarks/serve_load.py).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from typing import TYPE_CHECKING

from codefrontier.judge import JudgePool, QueueFull, SampleResult
from codefrontier.rewards.settings import RULES, Rule

if TYPE_CHECKING:
    from codefrontier.judge.pool import Task

JITTER = 0.5  # a retry comes back up to half a queue's worth of judging after its turn
MIN_SECONDS = 0.1
MAX_SECONDS = 60.0
SMOOTHING = 0.1  # weight of the newest sample in the mean judge time, once 10 are measured


class RetryAfter:
    """Estimates Retry-After for refused batches; a `PoolObserver` of `pool`, which it
    watches to measure the judge time per sample."""

    def __init__(self, pool: JudgePool, rule: Rule = "queue", rng: random.Random | None = None) -> None:
        if rule not in RULES:
            raise ValueError(f"unknown Retry-After rule {rule!r}; use {' or '.join(RULES)}")
        self.pool = pool
        self.rule = rule
        self.rng = rng or random.Random()
        self.sample_seconds = 1.0  # until the first sample is measured
        self.measured = 0
        self._started: dict[int, float] = {}
        self._promised: deque[tuple[float, int]] = deque()  # (when it comes back, samples), by time
        self._lock = threading.Lock()

    @property
    def throughput(self) -> float:
        """Samples the pool finishes per second when every worker is busy."""
        return self.pool.jobs / self.sample_seconds

    def seconds(self, refused: QueueFull, batch: int) -> float:
        """Seconds after which a batch of `batch` samples, just refused, should come back."""
        if self.rule == "batch":
            return refused.retry_after
        now = time.monotonic()
        with self._lock:
            while self._promised and self._promised[0][0] <= now:
                self._promised.popleft()
            promised = sum(size for _, size in self._promised)
            room = self.pool.max_queue or 0
            ahead = max(1, self.pool.pending + promised + batch - room)
            wait = (ahead + JITTER * self.rng.random() * room) / self.throughput
            seconds = min(MAX_SECONDS, max(MIN_SECONDS, wait))
            self._promise(now + seconds, batch)
        return seconds

    def _promise(self, when: float, batch: int) -> None:
        self._promised.append((when, batch))
        if len(self._promised) > 1 and self._promised[-2][0] > when:  # keep them in time order
            self._promised = deque(sorted(self._promised))

    # -- PoolObserver ----------------------------------------------------------------------
    def sample_started(self, task: Task, worker: str) -> None:
        with self._lock:
            self._started[id(task)] = time.monotonic()

    def sample_finished(self, task: Task, result: SampleResult) -> None:
        with self._lock:
            started = self._started.pop(id(task), None)
            if started is not None:
                # The plain mean of the first ones (no prior to forget), then a moving one.
                self.measured += 1
                weight = max(SMOOTHING, 1 / self.measured)
                self.sample_seconds += weight * (time.monotonic() - started - self.sample_seconds)


def header_seconds(seconds: float) -> str:
    """Retry-After's value: whole seconds, rounded up, at least 1."""
    return str(max(1, math.ceil(seconds)))
