"""Fixtures of the analysis tests; the store builders live in analysis_stores.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_stores import Synthetic, build_synthetic


@pytest.fixture
def synthetic(tmp_path: Path) -> Synthetic:
    """A small synthetic results store: 12 problems x 4 policies x 10 samples x 4 tests."""
    return build_synthetic(tmp_path / "store")
