"""Fixtures of the traces tests: one tracer (two sandboxes) for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from codefrontier.traces import Tracer


@pytest.fixture(scope="session")
def tracer() -> Iterator[Tracer]:
    with Tracer(jobs=2) as t:
        yield t
