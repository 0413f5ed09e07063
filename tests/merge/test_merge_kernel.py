"""The fused C kernel (merge/mix.c) writes exactly the bytes the torch path writes.

Both paths run the same merges of checkpoints filled with awkward values (infinities,
signed zeros, subnormals, values whose products round differently in float32 and
float64, lengths that are not a multiple of any vector width) and must agree bit for bit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from codefrontier.merge import MergeOverflowError, kernel, merge_sweep, merge_task_arithmetic

from .tiny import load_tensors, same_bits

# Large values stay within float32 at the tests' coefficients (|w| <= 2.2): 3e38 would
# overflow, which both paths refuse (test_both_paths_refuse_the_same_overflow).
SPECIAL = [float("inf"), float("-inf"), 0.0, -0.0, 1e-40, -1e-40, 1.5e38, -1.5e38, 1.0, 0.1]


def checkpoint(path: Path, seed: int, dtype: torch.dtype) -> Path:
    generator = torch.Generator().manual_seed(seed)
    tensors = {}
    for name, n in (("odd", 1031), ("chunk_plus_one", 1025), ("long", 5000), ("one", 1)):
        values = torch.randn(n, generator=generator) * 10 ** torch.randint(-3, 4, (n,), generator=generator)
        values[: len(SPECIAL)] = torch.tensor(SPECIAL[: min(n, len(SPECIAL))])
        tensors[name] = values.to(dtype)
    path.mkdir(parents=True)
    save_file(tensors, str(path / "model.safetensors"))
    (path / "config.json").write_text(
        json.dumps({"architectures": ["LlamaForCausalLM"], "model_type": "llama"})
    )
    return path


def both_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, run) -> tuple[dict, dict]:
    assert kernel.kernel_available(), (
        "the C kernel did not build here (gcc is installed by scripts/bootstrap)"
    )
    run(tmp_path / "kernel")
    monkeypatch.setenv(kernel.KERNEL_ENV, "torch")
    assert not kernel.kernel_available()
    run(tmp_path / "torch")
    return tmp_path / "kernel", tmp_path / "torch"


def assert_same_outputs(a: Path, b: Path) -> None:
    outputs = sorted(p.name for p in a.iterdir())
    assert outputs == sorted(p.name for p in b.iterdir()) and outputs
    for name in outputs:
        left, right = load_tensors(a / name), load_tensors(b / name)
        assert left.keys() == right.keys()
        for tensor in left:
            assert same_bits(left[tensor], right[tensor]), (name, tensor)


@pytest.mark.parametrize(
    ("in_dtype", "out_dtype"),
    [(torch.bfloat16, None), (torch.float32, None), (torch.float32, "bfloat16"), (torch.bfloat16, "float32")],
)
def test_interpolation_matches_the_torch_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, in_dtype: torch.dtype, out_dtype: str | None
) -> None:
    low, high = checkpoint(tmp_path / "low", 1, in_dtype), checkpoint(tmp_path / "high", 2, in_dtype)
    alphas = [-0.7, 0.1, 0.3, 0.5, 1.0 / 3.0, 1.7]

    def run(out: Path) -> None:
        merge_sweep(low, high, alphas, out, out_dtype=out_dtype, input_hash=None, block_elements=700)

    assert_same_outputs(*both_paths(monkeypatch, tmp_path, run))


def test_task_arithmetic_matches_the_torch_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    base = checkpoint(tmp_path / "base", 1, torch.bfloat16)
    tasks = [checkpoint(tmp_path / f"task{i}", 10 + i, torch.bfloat16) for i in range(3)]
    lambdas = [[0.3, -0.2, 0.9], [1.0 / 3.0, 0.5, 0.0], [-1.1, 2.0, 0.7]]

    def run(out: Path) -> None:
        merge_task_arithmetic(base, tasks, lambdas, out, input_hash=None, block_elements=4096)

    assert_same_outputs(*both_paths(monkeypatch, tmp_path, run))


def test_float16_inputs_take_the_torch_path_and_stay_right(tmp_path: Path) -> None:
    """The kernel handles bfloat16 and float32 only; a float16 pair is merged by torch."""
    assert not kernel.Mixer.handles("F16", "F16", 2)
    low, high = (
        checkpoint(tmp_path / "low", 1, torch.float16),
        checkpoint(tmp_path / "high", 2, torch.float16),
    )
    merge_sweep(low, high, [0.25], tmp_path / "out", input_hash=None)
    merged = load_tensors(tmp_path / "out" / "alpha_0.25")
    a, b = load_tensors(low), load_tensors(high)
    for name, value in merged.items():
        expected = (a[name].float() * 0.75 + b[name].float() * 0.25).to(torch.float16)
        assert same_bits(value, expected), name


def test_both_paths_refuse_the_same_overflow(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """3e38 in both inputs: at alpha 1.7 the product 1.7 * 3e38 is past float32's range."""
    low, high = (
        checkpoint(tmp_path / "low", 1, torch.bfloat16),
        checkpoint(tmp_path / "high", 2, torch.bfloat16),
    )
    for path in (low, high):
        tensors = load_tensors(path)
        tensors["long"][4000] = 3.0e38
        save_file(tensors, str(path / "model.safetensors"))
    refusals = []

    def run(out: Path) -> None:
        with pytest.raises(MergeOverflowError) as caught:
            merge_sweep(low, high, [0.5, 1.7], out, input_hash=None, block_elements=700)
        refusals.append((caught.value.output, caught.value.tensor))
        assert not out.exists()

    both_paths(monkeypatch, tmp_path, run)
    assert refusals == [("alpha_1.7", "long")] * 2
