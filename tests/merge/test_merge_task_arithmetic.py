"""The base-anchored form: theta_base + sum_i lambda_i * (theta_i - theta_base)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM

from codefrontier.errors import ConfigError
from codefrontier.merge import merge_task_arithmetic

from .tiny import Pair, fine_tune, load_tensors, random_model, read_json, same_bits, save, tiny_config


@pytest.fixture(scope="module")
def base_and_tasks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("task_arithmetic")
    base = save(random_model(tiny_config(), 0, torch.bfloat16), root / "base", sharded=True)
    tasks = []
    for i in (1, 2):
        model = AutoModelForCausalLM.from_pretrained(base)
        fine_tune(model, seed=100 + i)
        tasks.append(save(model, root / f"task{i}", sharded=True))
    return base, tasks


def reference(base: torch.Tensor, tasks: list[torch.Tensor], lambdas: list[float]) -> torch.Tensor:
    total = base.float()
    for task, weight in zip(tasks, lambdas, strict=True):
        total = total + weight * (task.float() - base.float())
    return total.to(base.dtype)


def test_task_arithmetic_equals_the_float32_reference(
    base_and_tasks: tuple[Path, list[Path]], out: Path
) -> None:
    base, tasks = base_and_tasks
    lambda_sets = [[0.5, 0.5], [1.0, -0.3], [1.5, 0.0]]

    result = merge_task_arithmetic(base, tasks, lambda_sets, out, block_elements=1000)

    assert [o.name for o in result.outputs] == ["lambda_0.5_0.5", "lambda_1_-0.3", "lambda_1.5_0"]
    base_t = load_tensors(base)
    task_t = [load_tensors(t) for t in tasks]
    for output, lambdas in zip(result.outputs, lambda_sets, strict=True):
        merged = load_tensors(output.path)
        for name in base_t:
            assert same_bits(merged[name], reference(base_t[name], [t[name] for t in task_t], lambdas)), name
        assert output.lambdas == tuple(lambdas)


def test_zero_lambdas_reproduce_the_base_and_a_unit_lambda_its_task(
    base_and_tasks: tuple[Path, list[Path]], out: Path
) -> None:
    base, tasks = base_and_tasks

    result = merge_task_arithmetic(base, tasks, [[0, 0], [0, 1]], out)

    assert [o.copied_from for o in result.outputs] == ["base", "task 2"]
    for output, source in zip(result.outputs, (base, tasks[1]), strict=True):
        merged, expected = load_tensors(output.path), load_tensors(source)
        assert all(same_bits(merged[n], expected[n]) for n in expected)


def test_one_task_with_lambda_one_and_a_half_extrapolates_along_the_training_direction(
    bf16_sharded: Pair, out: Path
) -> None:
    merge_task_arithmetic(bf16_sharded.low, [bf16_sharded.high], [[1.5]], out)

    record = read_json(out / "lambda_1.5" / "codefrontier_merge.json")
    assert record["method"] == "task_arithmetic" and record["lambdas"] == [1.5]
    assert [i["role"] for i in record["inputs"]] == ["base", "task 1"]
    model = AutoModelForCausalLM.from_pretrained(out / "lambda_1.5")
    assert model.generate(torch.tensor([[1, 2, 3]]), max_new_tokens=4, do_sample=False).shape == (1, 7)


def test_each_lambda_vector_needs_one_value_per_task(
    base_and_tasks: tuple[Path, list[Path]], out: Path
) -> None:
    base, tasks = base_and_tasks

    with pytest.raises(ConfigError, match="has 1 values but there are 2 --task checkpoints"):
        merge_task_arithmetic(base, tasks, [[0.5]], out)
    with pytest.raises(ConfigError, match="a list of lambda vectors"):
        merge_task_arithmetic(base, tasks, [0.5, 0.5], out)  # type: ignore[list-item]
    with pytest.raises(ConfigError, match="at least one --task"):
        merge_task_arithmetic(base, [], [[0.5]], out)
    assert not out.exists()
