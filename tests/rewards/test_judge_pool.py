"""The worker pool's promises, with stand-in workers: every accepted sample gets exactly one
result, a lost worker's sample is re-run elsewhere or reported IE, the queue is bounded,
and shutdown answers what it did not judge."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest

from codefrontier.contracts import Problem, Sample, SampleResult
from codefrontier.judge.config import JudgeConfig
from codefrontier.judge.pool import JudgePool, PoolClosed, QueueFull, WorkerLost, internal_error_result

from .problems import constant_problem

PROBLEM = constant_problem("answer-42", "42")


def accepted(problem: Problem, sample: Sample) -> SampleResult:
    result = internal_error_result(problem, sample, "", "")
    result.verdict = result.verdict.AC
    result.detail = ""
    return result


class StandIn:
    """A worker whose behaviour per sample index is scripted: 'ok', 'lost', 'ie', 'block'."""

    def __init__(
        self, name: str, script: Callable[[str, Sample], str], gate: threading.Event | None = None
    ) -> None:
        self.name = name
        self.script = script
        self.gate = gate
        self.judged: list[int] = []
        self.restarts = 0

    def judge(self, problem: Problem, sample: Sample, config: JudgeConfig, benchmark: str) -> SampleResult:
        action = self.script(self.name, sample)
        if action == "block" and self.gate is not None:
            self.gate.wait()
        if action == "lost":
            raise WorkerLost("killed")
        self.judged.append(sample.sample)
        if action == "ie":
            return internal_error_result(problem, sample, benchmark, f"sandbox of {self.name} broken")
        return accepted(problem, sample)

    def restart(self) -> None:
        self.restarts += 1

    def close(self) -> None:
        pass

    def isolation(self) -> tuple[str, list[str]]:
        return "none", []


def samples(n: int) -> list[tuple[Problem, Sample]]:
    return [(PROBLEM, Sample(PROBLEM.id, "p", i, "python", "print(42)")) for i in range(n)]


def test_a_sample_whose_worker_dies_is_rerun_on_another_worker_exactly_once() -> None:
    seen: set[int] = set()
    lock = threading.Lock()

    def die_on_first_sight_of_3(worker: str, sample: Sample) -> str:
        with lock:
            first = sample.sample == 3 and sample.sample not in seen
            seen.add(sample.sample)
        return "lost" if first else "ok"

    workers = [StandIn(n, die_on_first_sight_of_3) for n in ("a", "b")]
    with JudgePool(workers) as pool:
        results = [f.result() for f in pool.submit_many(samples(8))]
    assert [r.sample for r in results] == list(range(8))
    assert all(r.verdict.value == "AC" for r in results)
    assert Counter(workers[0].judged + workers[1].judged) == Counter(range(8))  # never twice
    assert results[3].attempts == 2
    lost_on = next(w for w in workers if w.restarts)
    assert 3 not in lost_on.judged  # re-run elsewhere


def test_a_sample_that_kills_every_worker_is_reported_internal_error_not_dropped() -> None:
    workers = [StandIn(n, lambda w, s: "lost" if s.sample == 1 else "ok") for n in ("a", "b")]
    with JudgePool(workers) as pool:
        results = [f.result() for f in pool.submit_many(samples(4))]
    assert [r.verdict.value for r in results] == ["AC", "IE", "AC", "AC"]
    assert "lost" in results[1].detail and results[1].attempts == 2
    assert sum(w.restarts for w in workers) == 2


def test_an_internal_error_is_retried_on_another_worker_before_it_stands() -> None:
    workers = [StandIn("a", lambda w, s: "ie"), StandIn("b", lambda w, s: "ok")]
    with JudgePool(workers) as pool:
        results = [f.result() for f in pool.submit_many(samples(6))]
    assert all(r.verdict.value == "AC" for r in results)
    assert sorted(workers[1].judged) == list(range(6))


def test_a_full_queue_refuses_the_whole_batch_with_a_retry_estimate() -> None:
    gate = threading.Event()
    worker = StandIn("a", lambda w, s: "block", gate)
    pool = JudgePool([worker], max_queue=3)
    try:
        first = pool.submit_many(samples(2))
        with pytest.raises(QueueFull) as caught:
            pool.submit_many(samples(2))
        assert caught.value.retry_after >= 1
        assert pool.pending == 2  # the refused batch left nothing behind
        gate.set()
        assert [f.result().sample for f in first] == [0, 1]
    finally:
        gate.set()
        pool.close()


def test_shutdown_answers_queued_samples_as_internal_errors_and_refuses_new_ones() -> None:
    gate = threading.Event()
    started = threading.Event()

    def script(w: str, s: Sample) -> str:
        started.set()
        return "block"

    pool = JudgePool([StandIn("a", script, gate)])
    futures = pool.submit_many(samples(3))
    started.wait()
    pool.stop_accepting()  # what close() does first
    with pytest.raises(PoolClosed):
        pool.submit_many(samples(1))
    closer = threading.Thread(target=pool.close, kwargs={"drain_timeout": 0.0})
    closer.start()
    queued = [f.result() for f in futures[1:]]  # answered while the worker is still busy
    gate.set()
    closer.join()
    assert futures[0].result().verdict.value == "AC"  # running: finished
    assert [r.verdict.value for r in queued] == ["IE", "IE"]  # queued: answered, not dropped
    assert all("shut down" in r.detail for r in queued)
