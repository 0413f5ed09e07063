"""Checkpoint pairs shared by the merge tests. They are built once per session and only
read by the tests; a test that needs to alter a checkpoint copies it first."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from .tiny import Pair, make_pair


@pytest.fixture(scope="session")
def bf16_sharded(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    return make_pair(tmp_path_factory.mktemp("bf16_sharded"), torch.bfloat16, sharded=True)


@pytest.fixture(scope="session")
def bf16_single(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    return make_pair(tmp_path_factory.mktemp("bf16_single"), torch.bfloat16, sharded=False, seed=10)


@pytest.fixture(scope="session")
def fp32_sharded(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    return make_pair(tmp_path_factory.mktemp("fp32_sharded"), torch.float32, sharded=True, seed=20)


@pytest.fixture(scope="session")
def fp32_single(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    return make_pair(tmp_path_factory.mktemp("fp32_single"), torch.float32, sharded=False, seed=30)


@pytest.fixture(params=["bf16_sharded", "bf16_single", "fp32_sharded", "fp32_single"])
def pair(request: pytest.FixtureRequest) -> Pair:
    """Each of the four kinds of input: bf16 and fp32, sharded and in one file."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "sweep"
