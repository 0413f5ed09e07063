"""Rewards for batches of model completions, judged through a `JudgePool` (docs/rewards.md).

`Rewarder` is what the in-process trainer adapters and the HTTP service share: it turns
(problem id, completion, language) items into samples with the one extraction rule
(`judge.samples.sample_from_json` / `extract_program`), judges them with the spec's
judge settings, and reads each reward off its result. With an efficiency weight it also
measures the problem's reference solution on the same workers, once per (problem,
language, level), and keeps that measurement.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from codefrontier.contracts import Problem, Sample, SampleResult, Verdict
from codefrontier.errors import InputError
from codefrontier.judge.config import DEFAULT_MAX_CODE_BYTES, JudgeConfig
from codefrontier.judge.pool import JudgePool
from codefrontier.judge.samples import CodeTooLarge, sample_from_json
from codefrontier.rewards.spec import Reward, RewardSpec, reward_from_result

__all__ = ["DEFAULT_MAX_CODE_BYTES", "CodeTooLarge", "RewardItem", "Rewarder", "make_sample"]

REFERENCE_POLICY = "__reference__"


@dataclass
class RewardItem:
    """One completion to reward: the model's text (a fenced block is extracted, else the
    whole text is the program) for problem `problem_id` in `language`."""

    problem_id: str
    completion: str
    language: str = "python"

    def to_json(self) -> dict[str, Any]:
        return {"problem_id": self.problem_id, "completion": self.completion, "language": self.language}


def make_sample(
    obj: Mapping[str, Any],
    problems: Mapping[str, Problem],
    *,
    index: int,
    prefix: str,
    max_code_bytes: int = DEFAULT_MAX_CODE_BYTES,
    policy: str = "rl",
) -> tuple[Problem, Sample]:
    """A (problem, sample) from a request item with `problem_id`, `code` or `completion`,
    optional `language`, `policy`, `sample`; errors name the field as `{prefix}{field}`."""
    if not isinstance(obj, Mapping):
        raise InputError("must be an object", field=prefix.rstrip("."))
    record = {"policy": policy, "sample": index, **obj}
    try:
        sample = sample_from_json(record, problems, max_code_bytes=max_code_bytes)
    except InputError as exc:
        raise type(exc)(exc.message, field=prefix + (exc.field or "")) from None
    return problems[sample.problem_id], sample


class Rewarder:
    """Rewards computed on a `JudgePool` (its own local pool unless one is given)."""

    def __init__(
        self,
        problems: Iterable[Problem] | Mapping[str, Problem],
        *,
        pool: JudgePool | None = None,
        config: JudgeConfig | None = None,
        jobs: int | None = None,
        benchmark: str = "",
        max_code_bytes: int = DEFAULT_MAX_CODE_BYTES,
        close_pool: bool | None = None,
    ) -> None:
        self.problems: dict[str, Problem] = (
            dict(problems) if isinstance(problems, Mapping) else {p.id: p for p in problems}
        )
        self.owns_pool = pool is None if close_pool is None else close_pool  # close() closes the pool
        self.pool = pool if pool is not None else JudgePool.local(config, jobs)
        self.benchmark = benchmark
        self.max_code_bytes = max_code_bytes
        self._references: dict[tuple[str, str, str | float | None], Future[SampleResult]] = {}
        self._lock = threading.Lock()

    # -- the synchronous API (trainer adapters) -------------------------------------------
    def rewards(self, items: Sequence[RewardItem | Mapping[str, Any]], spec: RewardSpec) -> list[Reward]:
        """Judge and reward every item; waits for all of them."""
        pairs = [self.prepare(item, i) for i, item in enumerate(items)]
        return [future.result() for future in self.submit(pairs, spec)]

    def prepare(
        self,
        item: RewardItem | Mapping[str, Any],
        index: int,
        problems: Mapping[str, Problem] | None = None,
        prefix: str | None = None,
    ) -> tuple[Problem, Sample]:
        obj = item.to_json() if isinstance(item, RewardItem) else item
        return make_sample(
            obj,
            problems if problems is not None else self.problems,
            index=index,
            prefix=prefix if prefix is not None else f"items[{index}].",
            max_code_bytes=self.max_code_bytes,
        )

    # -- the asynchronous core (service) --------------------------------------------------
    def submit(self, pairs: Sequence[tuple[Problem, Sample]], spec: RewardSpec) -> list[Future[Reward]]:
        """Queue every sample (all or none: QueueFull/PoolClosed) and return one Future per
        reward. Raises InputError (field `spec.level`) if the level does not fit a problem."""
        for problem in {id(p): p for p, _ in pairs}.values():
            try:
                spec.check_problem(problem)
            except InputError as exc:
                raise InputError(exc.message, field="spec.level") from None
        config = spec.judge_config(self.pool.config)
        references: list[Future[SampleResult] | None] = [None] * len(pairs)
        new_refs: list[tuple[tuple[str, str, str | float | None], Problem, Sample]] = []
        if spec.efficiency_weight > 0:
            references, new_refs = self._references_for(pairs, spec)
        batch = [*pairs, *((p, s) for _, p, s in new_refs)]  # references: same tests, same settings
        try:
            futures = self.pool.submit_many(batch, config, self.benchmark)
        except BaseException:
            with self._lock:
                for key, _, _ in new_refs:
                    self._references.pop(key, None)
            raise
        for (key, _, _), future in zip(new_refs, futures[len(pairs) :], strict=True):
            self._resolve_reference(key, future)
        return [
            _combine(futures[i], references[i], lambda r, ref: reward_from_result(spec, r, ref))
            for i in range(len(pairs))
        ]

    def _references_for(
        self, pairs: Sequence[tuple[Problem, Sample]], spec: RewardSpec
    ) -> tuple[list[Future[SampleResult] | None], list[tuple[Any, Problem, Sample]]]:
        out: list[Future[SampleResult] | None] = []
        new: list[tuple[Any, Problem, Sample]] = []
        with self._lock:
            for problem, sample in pairs:
                solution = next(
                    (s for s in problem.solutions if s.expected == "AC" and s.language == sample.language),
                    None,
                )
                if solution is None:
                    out.append(None)
                    continue
                key = (problem.id, sample.language, spec.level)
                future = self._references.get(key)
                if future is None:
                    future = Future()
                    self._references[key] = future
                    ref = Sample(problem.id, REFERENCE_POLICY, 0, solution.language, solution.code)
                    new.append((key, problem, ref))
                out.append(future)
        return out, new

    def _resolve_reference(self, key: Any, judged: Future[SampleResult]) -> None:
        with self._lock:
            target = self._references[key]

        def done(f: Future[SampleResult]) -> None:
            if f.cancelled() or f.exception() is not None or f.result().verdict is not Verdict.AC:
                with self._lock:  # measure again next time rather than keep a failure
                    if self._references.get(key) is target:
                        del self._references[key]
            if f.cancelled():
                target.cancel()
            elif f.exception() is not None:
                target.set_exception(f.exception())  # type: ignore[arg-type]
            else:
                target.set_result(f.result())

        judged.add_done_callback(done)

    def close(self) -> None:
        if self.owns_pool:
            self.pool.close()

    def __enter__(self) -> Rewarder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _combine(
    judged: Future[SampleResult],
    reference: Future[SampleResult] | None,
    make: Callable[[SampleResult, SampleResult | None], Reward],
) -> Future[Reward]:
    """A Future of make(result, reference result) once both are done."""
    out: Future[Reward] = Future()
    waiting = [judged] + ([reference] if reference is not None else [])
    lock = threading.Lock()
    remaining = [len(waiting)]

    def one_done(_: Future[Any]) -> None:
        with lock:
            remaining[0] -= 1
            if remaining[0]:
                return
        if any(f.cancelled() for f in waiting):
            out.cancel()
            return
        error = next((f.exception() for f in waiting if f.exception() is not None), None)
        if error is not None:
            out.set_exception(error)
            return
        try:
            out.set_result(make(judged.result(), reference.result() if reference is not None else None))
        except Exception as exc:  # pragma: no cover - a bug in the reward arithmetic
            out.set_exception(exc)

    for f in waiting:
        f.add_done_callback(one_done)
    out.add_done_callback(lambda f: judged.cancel() if f.cancelled() else None)  # nobody waits any more
    return out
