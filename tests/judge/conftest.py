"""Fixtures of the judge tests: an isolated compile cache, and one judge per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codefrontier.judge.config import JudgeConfig
from codefrontier.judge.runner import SampleJudge


@pytest.fixture(scope="session", autouse=True)
def compile_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Compiled programs (and cf-launch) go to a cache of this test session, not the user's:
    every C++ source is compiled for real once per session, and no test binaries linger."""
    path = tmp_path_factory.mktemp("codefrontier-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CODEFRONTIER_CACHE", str(path))
        yield path


@pytest.fixture(scope="module")
def judge(compile_cache: Path) -> Iterator[SampleJudge]:
    """One worker (sandbox) for a whole test module, as a judge run would use it."""
    worker = SampleJudge(JudgeConfig())
    try:
        yield worker
    finally:
        worker.close()
