"""A merge that stops midway never leaves a directory that looks complete, and running it
again completes it."""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path

import pytest

from codefrontier.errors import CodefrontierError
from codefrontier.merge import merge_sweep
from codefrontier.merge import writer as writer_module

from .tiny import Pair, interpolate, load_tensors, paused_merge, same_bits

ALPHAS = [-0.5, 0.5, 1.5]


def looks_complete(directory: Path) -> bool:
    return (directory / "config.json").exists() or (directory / "codefrontier_merge.json").exists()


def assert_sweep_is_right(pair: Pair, out: Path) -> None:
    low, high = load_tensors(pair.low), load_tensors(pair.high)
    for alpha, name in zip(ALPHAS, ("alpha_-0.5", "alpha_0.5", "alpha_1.5"), strict=True):
        merged = load_tensors(out / name)
        assert all(same_bits(merged[n], interpolate(low[n], high[n], alpha)) for n in low)
        assert looks_complete(out / name)


def test_ctrl_c_midway_leaves_nothing_and_a_rerun_completes(bf16_sharded: Pair, out: Path) -> None:
    calls = []

    def interrupt_midway(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        merge_sweep(
            bf16_sharded.low, bf16_sharded.high, ALPHAS, out, block_elements=1000, progress=interrupt_midway
        )

    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}*"))

    merge_sweep(bf16_sharded.low, bf16_sharded.high, ALPHAS, out)
    assert_sweep_is_right(bf16_sharded, out)


def test_a_killed_merge_leaves_only_a_hidden_partial_that_the_rerun_removes(
    bf16_sharded: Pair, out: Path
) -> None:
    process = paused_merge(bf16_sharded, out, ALPHAS)
    process.send_signal(signal.SIGKILL)
    process.wait()

    assert not out.exists()
    partials = list(out.parent.glob(f".{out.name}.partial-*"))
    assert len(partials) == 1 and partials[0].name.endswith(f"-{process.pid}")
    outputs = sorted(partials[0].iterdir())
    assert [p.name for p in outputs] == ["alpha_-0.5", "alpha_0.5", "alpha_1.5"]
    assert not any(looks_complete(p) for p in outputs)

    merge_sweep(bf16_sharded.low, bf16_sharded.high, ALPHAS, out)

    assert_sweep_is_right(bf16_sharded, out)
    assert not list(out.parent.glob(f".{out.name}.partial-*"))


def test_a_full_disk_midway_is_reported_and_leaves_nothing(
    bf16_sharded: Pair, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = []
    real_pwrite = os.pwrite

    def pwrite_until_full(fd: int, data: object, offset: int) -> int:
        writes.append(offset)
        if len(writes) > 20:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_pwrite(fd, data, offset)  # type: ignore[arg-type]

    monkeypatch.setattr(writer_module.os, "pwrite", pwrite_until_full)

    with pytest.raises(CodefrontierError, match="disk full while writing"):
        merge_sweep(bf16_sharded.low, bf16_sharded.high, ALPHAS, out, block_elements=1000, workers=3)

    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}*"))
