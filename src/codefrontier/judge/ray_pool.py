"""Judging on a Ray cluster (docs/rewards.md, "Ray"): `--ray auto|ADDRESS` on `judge` and `serve`.

Each worker is a Ray actor holding one `SampleJudge` (its own sandbox, as on one
machine), spread over the cluster's nodes; the driver keeps one thread per actor in an
ordinary `JudgePool`, so queueing, retries and the exactly-one-result guarantee are the
same code as the local pool. A problem travels to the object store once (with its test
data in memory) and each actor keeps the problems it has seen. An actor that dies is
replaced and its sample re-run on another actor, or reported IE.

Every node needs codefrontier installed (or a `runtime_env` that installs it) and the
sandbox's requirements (`codefrontier doctor` on a node says what it has). Ray is the
optional extra `codefrontier[ray]`.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from codefrontier.contracts import Problem, Sample, SampleResult
from codefrontier.errors import ConfigError
from codefrontier.judge.config import JudgeConfig
from codefrontier.judge.pool import JudgePool, PoolObserver, WorkerLost
from codefrontier.judge.runner import SampleJudge
from codefrontier.problems.io import portable_problem

ACTOR_PROBLEM_CACHE = 64  # problems an actor keeps decoded


def _ray() -> Any:
    try:
        import ray
    except ImportError:  # pragma: no cover - depends on the installation
        raise ConfigError("--ray needs Ray: pip install 'codefrontier[ray]'") from None
    return ray


def connect(address: str = "auto") -> None:
    """Join the Ray cluster at `address` (`auto`: the one this machine belongs to), unless
    this process is already connected to one."""
    ray = _ray()
    if ray.is_initialized():
        return
    try:
        ray.init(address=address, logging_level="WARNING", log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ConfigError(f"cannot join the Ray cluster at {address!r}: {exc}") from None


class JudgeActor:
    """Runs on a Ray worker: one sandbox, judging one sample at a time."""

    def __init__(self, config: JudgeConfig) -> None:
        import socket

        self.judge_ = SampleJudge(config)
        self.node = socket.gethostname()
        self.problems: OrderedDict[str, Problem] = OrderedDict()

    def ready(self) -> tuple[str, list[str], str]:
        sandbox = self.judge_.sandbox
        return sandbox.level, sandbox.level_reasons, self.node

    def judge(
        self, key: str, boxed: list[Any], sample: Sample, config: JudgeConfig, benchmark: str
    ) -> SampleResult:
        problem = self.problems.get(key)
        if problem is None:
            problem = _ray().get(boxed[0])  # boxed: Ray resolves only top-level references
            self.problems[key] = problem
            while len(self.problems) > ACTOR_PROBLEM_CACHE:
                self.problems.popitem(last=False)
        else:
            self.problems.move_to_end(key)
        self.judge_.config = config
        return self.judge_.judge(problem, sample, benchmark)

    def close(self) -> None:
        self.judge_.close()


class ProblemStore:
    """Problems put into Ray's object store once each. A key names one version of a
    problem, so an actor never judges against a stale copy of a changed problem."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._refs: dict[str, tuple[Problem, str, Any]] = {}
        self._versions = itertools.count()

    def ref(self, problem: Problem) -> tuple[str, Any]:
        with self._lock:
            known = self._refs.get(problem.id)
            if known is not None and known[0] is problem:
                return known[1], known[2]
            key = f"{problem.id}#{next(self._versions)}"
            ref = _ray().put(portable_problem(problem))
            self._refs[problem.id] = (problem, key, ref)
            return key, ref


class RayWorker:
    """The driver's handle on one actor (a `Worker` of the pool)."""

    def __init__(self, actor_class: Any, config: JudgeConfig, store: ProblemStore, name: str) -> None:
        self.actor_class = actor_class
        self.config = config
        self.store = store
        self.name = name
        self.actor = actor_class.remote(config)
        self._isolation: tuple[str, list[str]] | None = None
        self.node = ""

    def wait_ready(self) -> None:
        level, reasons, node = _ray().get(self.actor.ready.remote())
        self._isolation = (level, list(reasons))
        self.node = node

    def judge(self, problem: Problem, sample: Sample, config: JudgeConfig, benchmark: str) -> SampleResult:
        ray = _ray()
        key, ref = self.store.ref(problem)
        try:
            return ray.get(self.actor.judge.remote(key, [ref], sample, config, benchmark))
        except (ray.exceptions.RayActorError, ray.exceptions.ActorUnavailableError) as exc:
            raise WorkerLost(f"Ray actor {self.name} died ({type(exc).__name__})") from exc

    def restart(self) -> None:
        ray = _ray()
        with contextlib.suppress(Exception):
            ray.kill(self.actor)
        self.actor = self.actor_class.remote(self.config)
        self.wait_ready()

    def close(self) -> None:
        ray = _ray()
        with contextlib.suppress(Exception):
            ray.get(self.actor.close.remote(), timeout=10)
        with contextlib.suppress(Exception):
            ray.kill(self.actor)

    def isolation(self) -> tuple[str, list[str]]:
        if self._isolation is None:
            self.wait_ready()
        assert self._isolation is not None
        return self._isolation


def ray_pool(
    config: JudgeConfig | None = None,
    jobs: int | None = None,
    *,
    address: str = "auto",
    max_queue: int | None = None,
    observers: Sequence[PoolObserver] = (),
) -> JudgePool:
    """A `JudgePool` of `jobs` actors (default: one per CPU of the cluster)."""
    ray = _ray()
    connect(address)
    config = config or JudgeConfig()
    if jobs is None:
        jobs = max(1, int(ray.cluster_resources().get("CPU", 1)))
    actor_class = ray.remote(num_cpus=1, max_restarts=0, scheduling_strategy="SPREAD")(JudgeActor)
    store = ProblemStore()
    workers = [RayWorker(actor_class, config, store, f"ray-{i}") for i in range(jobs)]
    try:
        for worker in workers:  # the actors start in parallel; this waits for each
            worker.wait_ready()
    except Exception as exc:
        for worker in workers:
            worker.close()
        raise ConfigError(f"the judge actors could not start on the Ray cluster: {exc}") from None
    return JudgePool(workers, config=config, max_queue=max_queue, observers=observers)
