"""Ray: a local two-CPU cluster judges a batch with the same results as the local pool, a
killed actor's sample is re-run on another actor, and `codefrontier judge --ray` works."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from codefrontier.cli import main
from codefrontier.contracts import Problem, Sample, SampleResult
from codefrontier.judge.config import JudgeConfig, Mode
from codefrontier.judge.ray_pool import RayWorker, ray_pool
from codefrontier.problems.io import save_problems
from codefrontier.rewards import JudgePool
from rewards.problems import (
    PAIRWISE_NAIVE,
    PAIRWISE_REF,
    PAIRWISE_WA,
    broken_checker_problem,
    constant_problem,
    pairwise_problem,
)
from rewards.test_service import Started

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def problems() -> list[Problem]:
    return [
        pairwise_problem(),
        broken_checker_problem(),
        constant_problem("answer-42", "42"),
        constant_problem("answer-7", "7"),
    ]


@pytest.fixture(scope="module")
def pool() -> Iterator[JudgePool]:
    with JudgePool.local(jobs=2) as local:
        yield local


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING", log_to_driver=False)
    yield
    ray.shutdown()


def batch(problems: list[Problem]) -> list[tuple[Problem, Sample]]:
    by_id = {p.id: p for p in problems}
    pairwise = by_id["pairwise-products"]
    programs = [("ref", PAIRWISE_REF), ("naive", PAIRWISE_NAIVE), ("wa", PAIRWISE_WA)]
    tasks = [(pairwise, Sample(pairwise.id, name, 0, "python", code)) for name, code in programs]
    tasks += [
        (by_id["answer-42"], Sample("answer-42", "p", i, "python", f"print({40 + i})")) for i in range(4)
    ]
    return tasks


def comparable(result: SampleResult) -> tuple:
    return (
        result.verdict,
        result.failure_class,
        [(t.test_id, t.verdict) for t in result.tests],
        result.tests_total,
        result.highest_level,
        result.highest_tier,
    )


def test_a_local_cluster_judges_a_batch_like_the_local_pool(
    ray_cluster: None, problems: list[Problem], pool: JudgePool
) -> None:
    config = JudgeConfig(mode=Mode.FIRST_FAIL)
    tasks = batch(problems)
    local = [f.result() for f in pool.submit_many(tasks, config)]
    with ray_pool(config, address="auto") as on_ray:
        assert on_ray.jobs == 2 and all(isinstance(w, RayWorker) for w in on_ray.workers)
        remote = [f.result() for f in on_ray.submit_many(tasks, config)]
    assert [comparable(r) for r in remote] == [comparable(r) for r in local]
    assert [r.verdict.value for r in remote] == ["AC", "TLE", "WA", "WA", "WA", "AC", "WA"]


def test_a_killed_actor_has_its_sample_rerun_on_another_actor(
    ray_cluster: None, problems: list[Problem]
) -> None:
    import ray

    started = Started()
    config = JudgeConfig(mode=Mode.FIRST_FAIL)
    pairwise = next(p for p in problems if p.id == "pairwise-products")
    programs = [PAIRWISE_REF, PAIRWISE_NAIVE, PAIRWISE_WA, PAIRWISE_REF, PAIRWISE_WA]
    tasks = [(pairwise, Sample(pairwise.id, "p", i, "python", code)) for i, code in enumerate(programs)]
    with ray_pool(config, address="auto", observers=[started]) as on_ray:
        futures = on_ray.submit_many(tasks, config)
        started.event(1).wait()  # the naive program runs for seconds on that actor
        worker = next(w for w in on_ray.workers if w.name == started.workers[1])
        ray.kill(worker.actor, no_restart=True)
        results = [f.result() for f in futures]
    assert [r.sample for r in results] == [0, 1, 2, 3, 4]
    assert [r.verdict.value for r in results] == ["AC", "TLE", "WA", "AC", "WA"]
    assert results[1].attempts >= 2


def test_judge_command_runs_on_the_cluster(
    ray_cluster: None, tmp_path: Path, problems: list[Problem]
) -> None:
    problems_file = tmp_path / "problems.jsonl"
    save_problems(problems_file, [p for p in problems if p.id == "answer-42"])
    samples_file = tmp_path / "samples.jsonl"
    samples_file.write_text(
        "".join(
            json.dumps({"problem_id": "answer-42", "sample": i, "code": f"print({41 + i})"}) + "\n"
            for i in range(3)
        )
    )
    out = tmp_path / "store"
    args = ["judge", "--problems", str(problems_file), "--samples", str(samples_file), "--out", str(out)]
    assert main([*args, "--ray", "auto", "--jobs", "2", "--no-progress"]) == 0
    rows = pq.read_table(out / "samples.parquet").to_pylist()
    assert sorted((r["sample"], r["verdict"]) for r in rows) == [(0, "WA"), (1, "AC"), (2, "WA")]
    provenance = json.loads((out / "provenance.json").read_text())
    assert provenance["judge"]["jobs"] == 2


def test_the_service_serves_rewards_judged_on_the_cluster(ray_cluster: None, problems: list[Problem]) -> None:
    from codefrontier.rewards import RewardItem, RewardSpec
    from codefrontier.rewards.client import RewardClient
    from codefrontier.rewards.server import running
    from codefrontier.rewards.service import JudgeService

    service = JudgeService(problems, ray_pool(address="auto", max_queue=64))
    with running(service) as url, RewardClient(url) as client:
        assert client.health()["workers"] == 2
        rewards = client.rewards(
            [RewardItem("pairwise-products", PAIRWISE_REF), RewardItem("pairwise-products", PAIRWISE_WA)],
            RewardSpec("level", "medium"),
        )
    assert [r.value for r in rewards] == [1.0, 0.0]
