"""verl itself (the release installed from PyPI, 0.9.x): its ppo_trainer config composed with
Hydra, its `get_custom_reward_fn` and reward-manager registry, and rewards computed by its
reward loop on a real DataProto batch -- for every reward manager it ships. A reward the
judge cannot compute stops verl under each of them; none turns it into a number."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import codefrontier.rewards.verl_adapter as verl_adapter

from .problems import PAIRWISE_NAIVE, PAIRWISE_REF, fenced
from .tiny_tokenizer import save_tokenizer

pytestmark = pytest.mark.slow  # importing verl alone takes 10-30 s

ADAPTER = verl_adapter.__file__
# (prompt, response, ground truth, expected score; None: missing)
ROWS = [
    ("# Problem: print 42\n", fenced("print(42)"), "answer-42", 1.0),
    ("# Problem: print 42\n", "print(41)\n", "answer-42", 0.0),
    ("# Problem: print 7\n", "print(7)\n", json.dumps({"problem_id": "answer-7", "language": "python"}), 1.0),
]
BROKEN = ("# Problem: print 1\n", "print(1)\n", "broken-checker", None)


def compose(*overrides: str) -> Any:
    """verl's own ppo_trainer config, composed by Hydra as `main_ppo` composes it."""
    import verl
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    config_dir = os.path.join(os.path.dirname(verl.__file__), "trainer", "config")
    with initialize_config_dir(config_dir=config_dir, version_base=None):
        return hydra_compose("ppo_trainer", overrides=list(overrides))


def reward_overrides(
    problems_file: Path, tokenizer_dir: Path, manager: str = "naive", **kwargs: Any
) -> list[str]:
    reward_kwargs = {"kind": "binary", "problems_file": str(problems_file), "jobs": 1, **kwargs}
    return [
        f"actor_rollout_ref.model.path={tokenizer_dir}",
        f"reward.custom_reward_function.path={ADAPTER}",
        "reward.custom_reward_function.name=compute_score",
        *(f"+reward.custom_reward_function.reward_kwargs.{k}={v}" for k, v in reward_kwargs.items()),
        f"reward.reward_manager.name={manager}",
    ]


def batch(tokenizer: Any, rows: list[tuple[str, str, str, float | None]]) -> Any:
    """A DataProto as verl's rollout hands it to the reward loop: left-padded prompts,
    right-padded responses, one attention mask over both, and the parquet's columns."""
    from verl import DataProto

    pad = tokenizer.pad_token_id
    prompts = [tokenizer(p, add_special_tokens=False)["input_ids"] for p, *_ in rows]
    responses = [
        tokenizer(r, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id] for _, r, *_ in rows
    ]
    width_p = max(map(len, prompts))
    width_r = max(map(len, responses)) + 2  # padding after every response
    prompt_ids = torch.tensor([[pad] * (width_p - len(p)) + p for p in prompts])
    response_ids = torch.tensor([r + [pad] * (width_r - len(r)) for r in responses])
    mask = torch.tensor(
        [
            [0] * (width_p - len(p)) + [1] * len(p) + [1] * len(r) + [0] * (width_r - len(r))
            for p, r in zip(prompts, responses, strict=True)
        ]
    )
    return DataProto.from_dict(
        tensors={
            "prompts": prompt_ids,
            "responses": response_ids,
            "input_ids": torch.cat([prompt_ids, response_ids], dim=1),
            "attention_mask": mask,
        },
        non_tensors={
            "data_source": np.array(["codefrontier/tests"] * len(rows), dtype=object),
            "reward_model": np.array(
                [{"style": "rule", "ground_truth": truth} for _, _, truth, _ in rows], dtype=object
            ),
            "extra_info": np.array([{"index": i, "split": "train"} for i in range(len(rows))], dtype=object),
        },
    )


def last_token_scores(rm_scores: torch.Tensor, data: Any) -> list[float]:
    """The reward verl puts on each response's last valid token."""
    lengths = data.batch["attention_mask"][:, data.batch["prompts"].shape[1] :].sum(dim=1)
    assert rm_scores.count_nonzero() <= len(lengths)  # nothing anywhere else
    return [float(rm_scores[i, n - 1]) for i, n in enumerate(lengths.tolist())]


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tokenizer")
    save_tokenizer(path)
    return path


@pytest.fixture(scope="module")
def tokenizer(tokenizer_dir: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tokenizer_dir)


def run_reward_loop(config: Any, data: Any) -> tuple[torch.Tensor, list[dict[str, Any]]]:
    """verl's RewardLoopWorker (the class its Ray actors run) over the batch, then the
    manager's `assemble_rm_scores`, as `RewardLoopManager.compute_rm_score` does."""
    from verl.experimental.reward_loop import RewardLoopWorker
    from verl.trainer.ppo.reward import resolve_reward_manager_cls

    worker = RewardLoopWorker(config)
    outputs = worker.loop.run_until_complete(worker.compute_score_batch(data))
    scores = [o["reward_score"] for o in outputs]
    return resolve_reward_manager_cls(config).assemble_rm_scores(data, scores), outputs


def test_verl_0_9_reads_the_adapter_only_under_reward_custom_reward_function(
    problems_file: Path, tokenizer_dir: Path
) -> None:
    from verl.experimental.reward_loop import migrate_legacy_reward_impl
    from verl.trainer.ppo.reward import get_custom_reward_fn

    current = compose(*reward_overrides(problems_file, tokenizer_dir))
    reward_fn = get_custom_reward_fn(current)
    assert reward_fn is not None
    good = reward_fn(
        data_source="codefrontier/tests",
        solution_str=fenced(PAIRWISE_REF),
        ground_truth="pairwise-products",
        extra_info={"index": 0},
    )
    assert good["score"] == 1.0 and good["passed"] == 1.0 and good["highest_level"] == 1.0
    assert all(isinstance(v, float) for v in good.values())  # verl gathers them into reward_extra_info
    naive = reward_fn(
        data_source="codefrontier/tests", solution_str=PAIRWISE_NAIVE, ground_truth="pairwise-products"
    )
    assert naive["score"] == 0.0  # binary over the whole suite: too slow on the largest tests

    # The layout of verl 0.6 and earlier: composed without complaint, never read by 0.9's main_ppo...
    legacy = compose(
        f"actor_rollout_ref.model.path={tokenizer_dir}",
        f"custom_reward_function.path={ADAPTER}",
        "custom_reward_function.name=compute_score",
    )
    assert get_custom_reward_fn(legacy) is None  # verl would fall back to its default scorer
    # ...but moved into place by the migration verl 0.7/0.8's main_ppo (and 0.9's fully-async trainer) run.
    assert get_custom_reward_fn(migrate_legacy_reward_impl(legacy)) is not None


def test_the_batch_reward_manager_is_gone_from_verl_0_9(problems_file: Path, tokenizer_dir: Path) -> None:
    from verl.experimental.reward_loop.reward_manager import registry
    from verl.trainer.ppo.reward import resolve_reward_manager_cls

    assert set(registry.REWARD_MANAGER) == {"naive", "dapo", "gdpo", "rate_limited", "remote"}
    config = compose(*reward_overrides(problems_file, tokenizer_dir, manager="batch"))
    with pytest.raises(ValueError, match="Unknown reward manager: batch"):
        resolve_reward_manager_cls(config)


@pytest.mark.parametrize("manager", ["naive", "dapo", "gdpo"])
def test_verls_reward_loop_scores_a_batch(
    manager: str, problems_file: Path, tokenizer_dir: Path, tokenizer: Any
) -> None:
    config = compose(*reward_overrides(problems_file, tokenizer_dir, manager=manager))
    data = batch(tokenizer, ROWS)
    rm_scores, outputs = run_reward_loop(config, data)
    assert last_token_scores(rm_scores, data) == [score for *_, score in ROWS]
    assert [o["reward_extra_info"]["passed"] for o in outputs] == [1.0, 0.0, 1.0]


@pytest.mark.parametrize("manager", ["naive", "dapo", "gdpo"])
def test_a_missing_reward_stops_verls_reward_loop(
    manager: str, problems_file: Path, tokenizer_dir: Path, tokenizer: Any
) -> None:
    config = compose(*reward_overrides(problems_file, tokenizer_dir, manager=manager))
    with pytest.raises(verl_adapter.RewardUnavailable, match="checker of broken-checker failed"):
        run_reward_loop(config, batch(tokenizer, [ROWS[0], BROKEN]))


def test_the_rate_limited_manager_is_refused_before_it_can_score_a_failure_as_zero(
    problems_file: Path, tokenizer_dir: Path, tokenizer: Any
) -> None:
    """verl's rate_limited manager turns any Exception of the reward function (and a reward
    slower than its timeout) into reward_score 0.0; the adapter stops the run instead."""
    config = compose(*reward_overrides(problems_file, tokenizer_dir, manager="rate_limited"))
    with pytest.raises(verl_adapter.RewardUnavailable, match="'rate_limited' reward manager"):
        run_reward_loop(config, batch(tokenizer, [ROWS[0]]))


def test_verl_0_6s_batch_manager_scores_with_compute_score_batch(problems_file: Path, tokenizer: Any) -> None:
    """The legacy managers (`reward_model.reward_manager=batch` in verl 0.6 and earlier;
    still shipped, unreachable from 0.9's main_ppo) call `compute_score_batch`."""
    from functools import partial

    from verl.trainer.ppo.reward import _call_with_kwargs
    from verl.utils.import_utils import load_extern_object
    from verl.workers.reward_manager import get_reward_manager_cls

    raw = load_extern_object(module_path=ADAPTER, object_name="compute_score_batch")
    kwargs = {"kind": "binary", "problems_file": str(problems_file), "jobs": 1}
    manager = get_reward_manager_cls("batch")(
        tokenizer, num_examine=0, compute_score=partial(_call_with_kwargs, raw, kwargs)
    )
    data = batch(tokenizer, ROWS)
    result = manager(data, return_dict=True)
    assert last_token_scores(result["reward_tensor"], data) == [score for *_, score in ROWS]
    with pytest.raises(verl_adapter.RewardUnavailable, match="checker"):
        manager(batch(tokenizer, [ROWS[0], BROKEN]))


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    import ray

    ray.init(num_cpus=6, include_dashboard=False, log_to_driver=False)  # workers inherit PYTHONPATH
    yield
    ray.shutdown()


def test_verls_reward_workers_on_ray_share_one_judge_pool(
    ray_cluster: None, problems_file: Path, tokenizer_dir: Path, tokenizer: Any, runtime_dir: Path
) -> None:
    """RewardLoopManager as the trainer runs it: reward.num_workers actors, each its own
    process loading the adapter, the batch split between them. They judge on one pool."""
    import ray
    from verl.experimental.reward_loop import RewardLoopManager

    config = compose(*reward_overrides(problems_file, tokenizer_dir), "reward.num_workers=2")
    manager = RewardLoopManager(config)
    data = batch(tokenizer, ROWS + ROWS[:1])
    scored = manager.compute_rm_score(data)
    assert last_token_scores(scored.batch["rm_scores"], data) == [1.0, 0.0, 1.0, 1.0]
    assert list(scored.non_tensor_batch["passed"]) == [1.0, 0.0, 1.0, 1.0]

    def pool_of_worker(worker: Any) -> tuple[int, list[str]]:  # nested: Ray ships it by value
        """In a reward loop worker's process: its pid, and the node pools its adapter uses."""
        import os

        fn = worker.reward_manager.compute_score.args[0]  # get_custom_reward_fn's partial(raw_fn, ...)
        return os.getpid(), sorted({s.node.url for s in fn.__globals__["_sources"].values()})

    used = ray.get([w.__ray_call__.remote(pool_of_worker) for w in manager.reward_loop_workers])
    pids = {pid for pid, _ in used}
    urls = {url for _, urls in used for url in urls}
    assert len(pids) == 2 and pids != {os.getpid()}  # two worker processes...
    assert len(urls) == 1  # ...one pool
    states = [json.loads(p.read_text()) for p in runtime_dir.glob("*.json")]
    assert [s["url"] for s in states].count(urls.pop()) == 1  # the one the node lists
    for worker in manager.reward_loop_workers:
        ray.kill(worker)


def test_a_missing_reward_stops_verls_remote_manager_with_the_reason(
    ray_cluster: None, problems_file: Path, tokenizer_dir: Path, tokenizer: Any
) -> None:
    """The `remote` manager calls the adapter in Ray actors of its own: the error crosses
    two actor boundaries and reaches the trainer with the judge's reason."""
    import ray
    from ray.exceptions import RayTaskError
    from verl.experimental.reward_loop import RewardLoopManager

    config = compose(
        *reward_overrides(problems_file, tokenizer_dir, manager="remote"), "reward.num_workers=1"
    )
    manager = RewardLoopManager(config)
    good = manager.compute_rm_score(batch(tokenizer, ROWS[:2]))
    assert good.batch["rm_scores"].sum().item() == 1.0
    with pytest.raises(RayTaskError, match="checker of broken-checker failed"):
        manager.compute_rm_score(batch(tokenizer, [ROWS[0], BROKEN]))
    for worker in manager.reward_loop_workers:
        ray.kill(worker)
