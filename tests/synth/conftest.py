"""Fixtures of the synth tests: loopback model servers, and sandboxes shared per module."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from codefrontier.synth.execution import ProgramRunner
from codefrontier.synth.grading import Grader
from sampling.openai_server import LoopbackServer, Script


@pytest.fixture
def serve() -> Iterator[Callable[[Script], LoopbackServer]]:
    servers: list[LoopbackServer] = []

    def start(script: Script) -> LoopbackServer:
        servers.append(LoopbackServer(script))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture(scope="module")
def runner() -> Iterator[ProgramRunner]:
    with ProgramRunner(jobs=1) as shared:
        yield shared


@pytest.fixture(scope="module")
def grader() -> Iterator[Grader]:
    with Grader(jobs=2) as shared:
        yield shared
