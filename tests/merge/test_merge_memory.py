"""Peak memory is bounded by a few blocks, not by the model: one 100 MB tensor streams
through the same few megabytes as a bias."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

BIG = (48_000, 1024)  # 49 M elements: 98 MB in bfloat16


def write_checkpoint(path: Path, seed: int) -> None:
    path.mkdir()
    generator = torch.Generator().manual_seed(seed)
    tensors = {
        "embed.weight": torch.randn(BIG, generator=generator).to(torch.bfloat16),
        "norm.weight": torch.ones(1024, dtype=torch.bfloat16),
    }
    save_file(tensors, path / "model.safetensors", metadata={"format": "pt"})
    (path / "config.json").write_text(json.dumps({"model_type": "toy", "hidden_size": 1024}))


@pytest.fixture
def big_pair(tmp_path: Path) -> Iterator[Path]:
    """Two checkpoints of one 98 MB tensor; removed afterwards with the outputs (the disk is shared)."""
    write_checkpoint(tmp_path / "low", 0)
    write_checkpoint(tmp_path / "high", 1)
    yield tmp_path
    for name in ("low", "high", "out"):
        shutil.rmtree(tmp_path / name, ignore_errors=True)


@pytest.mark.slow
def test_merging_a_100mb_tensor_grows_the_resident_set_by_a_few_megabytes(big_pair: Path) -> None:
    tmp_path = big_pair
    child = textwrap.dedent(
        """
        import sys
        from codefrontier.merge import merge_sweep

        def status(field):
            for line in open("/proc/self/status"):
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024

        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the peak (VmHWM) to the current resident size
        before = status("VmRSS")
        merge_sweep(sys.argv[1], sys.argv[2], [-0.5, 0.5, 1.5], sys.argv[3], workers=2)
        print(status("VmHWM") - before)
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", child, str(tmp_path / "low"), str(tmp_path / "high"), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=True,
    )

    growth = int(run.stdout.strip())
    model_bytes = 2 * BIG[0] * BIG[1]
    assert growth < 48 * 2**20, (
        f"resident set grew by {growth / 2**20:.1f} MiB for a {model_bytes / 2**20:.0f} MiB model"
    )
    assert (tmp_path / "out" / "alpha_1.5" / "model.safetensors").stat().st_size > model_bytes
