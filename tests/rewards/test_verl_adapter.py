"""verl: the adapter file is loaded by path and called exactly the way verl's custom reward
loader and reward managers call it (keyword arguments with verl's names, reward_kwargs
bound), and a reward the judge cannot compute stops verl instead of becoming a 0."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import codefrontier.rewards.verl_adapter
from codefrontier.contracts import Problem
from codefrontier.problems.io import save_problems

from .problems import PAIRWISE_NAIVE, PAIRWISE_REF, fenced


def load_like_verl(
    path: str, name: str, reward_kwargs: dict[str, Any]
) -> tuple[ModuleType, Callable[..., Any]]:
    """What verl's `get_custom_reward_fn` does with custom_reward_function.{path,name,reward_kwargs}."""
    spec = importlib.util.spec_from_file_location("custom_module", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["custom_module"] = module
    spec.loader.exec_module(module)
    raw_fn = getattr(module, name)

    def wrapped_fn(*args: Any, **kwargs: Any) -> Any:
        return raw_fn(*args, **kwargs, **reward_kwargs)

    return module, wrapped_fn


@pytest.fixture(scope="module")
def problems_file(tmp_path_factory: pytest.TempPathFactory, problems: list[Problem]) -> Path:
    path = tmp_path_factory.mktemp("verl") / "problems.jsonl"
    save_problems(path, problems)
    return path


@pytest.fixture(scope="module")
def verl_module(problems_file: Path) -> Iterator[tuple[ModuleType, dict[str, Any]]]:
    kwargs = {"kind": "level", "level": "medium", "problems_file": str(problems_file), "jobs": 1}
    module, _ = load_like_verl(codefrontier.rewards.verl_adapter.__file__, "compute_score", kwargs)
    yield module, kwargs
    module.close()
    sys.modules.pop("custom_module", None)


def test_compute_score_called_like_the_naive_reward_manager(
    verl_module: tuple[ModuleType, dict[str, Any]],
) -> None:
    module, kwargs = verl_module
    compute_score = lambda **kw: module.compute_score(**kw, **kwargs)  # noqa: E731 - verl's partial
    good = compute_score(
        data_source="codefrontier/tests",
        solution_str=fenced(PAIRWISE_REF),
        ground_truth="pairwise-products",
        extra_info={"split": "train", "index": 0, "num_turns": None},
    )
    assert good["score"] == 1.0 and good["passed"] == 1.0 and good["highest_level"] == pytest.approx(0.6)
    assert all(isinstance(v, float) for v in good.values())  # verl gathers these into reward_extra_info
    naive = compute_score(
        data_source="codefrontier/tests",
        solution_str=PAIRWISE_NAIVE,
        ground_truth=json.dumps({"problem_id": "pairwise-products", "language": "python"}),
        extra_info=None,
    )
    assert naive["score"] == 1.0  # correct up to the medium tier, which is all this reward asks


def test_compute_score_batch_called_like_the_batch_reward_manager(problems_file: Path) -> None:
    kwargs = {"kind": "binary", "problems_file": str(problems_file), "jobs": 1}
    module, compute_score = load_like_verl(
        codefrontier.rewards.verl_adapter.__file__, "compute_score_batch", kwargs
    )
    try:
        scores = compute_score(
            data_sources=["tests", "tests", "tests"],
            solution_strs=["print(42)", "print(7)", fenced("print(7)")],
            ground_truths=["answer-42", "answer-42", "answer-7"],
            extra_infos=[{}, {}, {}],
        )
    finally:
        module.close()
    assert [s["score"] for s in scores] == [1.0, 0.0, 1.0]


def test_a_missing_reward_stops_verl_with_the_reason(verl_module: tuple[ModuleType, dict[str, Any]]) -> None:
    module, kwargs = verl_module
    with pytest.raises(module.RewardUnavailable, match="checker of broken-checker failed"):
        module.compute_score(
            data_source="tests",
            solution_str="print(1)",
            ground_truth="broken-checker",
            extra_info=None,
            **{**kwargs, "level": "tiny"},
        )
