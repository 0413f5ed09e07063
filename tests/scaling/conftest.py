"""Fixtures of the scaling tests: two small bundled problems, a loopback server with a
scripted model, and an experiment file writer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from codefrontier.problems import Problem
from codefrontier.problems.registry import load_benchmark
from sampling.openai_server import LoopbackServer

from .scripted import ScriptedModel

TASKS = ("rover-payload-knapsack", "alloy-bar-fusion")


@pytest.fixture(scope="session")
def tasks() -> list[Problem]:
    by_id = {p.id: p for p in load_benchmark("bundled")}
    return [by_id[t] for t in TASKS]


@pytest.fixture
def scripted(tasks: list[Problem]) -> Iterator[Callable[..., tuple[LoopbackServer, ScriptedModel]]]:
    servers: list[LoopbackServer] = []

    def start(**kwargs: object) -> tuple[LoopbackServer, ScriptedModel]:
        model = ScriptedModel(tasks, **kwargs)  # type: ignore[arg-type]
        server = LoopbackServer(model)
        servers.append(server)
        return server, model

    yield start
    for server in servers:
        server.close()


def write_experiment(
    directory: Path, url: str, *, methods: list[str] | None = None, body: str = "", name: str = "exp"
) -> Path:
    """An experiment file on the two tasks against `url`; `body` adds tables, and its lines
    `#replace OLD => NEW` edit the text."""
    top = f"methods = {methods!r}\n" if methods else ""
    text = f"""\
{top}benchmark = "bundled"
problems = {list(TASKS)!r}

[agent]
model = "{url}"
max_turns = 2
max_in_flight = 8
max_retries = 1

[summarizer]
model = "{url}"

[scaling]
n = 4
k = 2
votes = 3
majority_inputs = 2

[sandbox]
jobs = 2
"""
    for line in body.splitlines():
        if line.startswith("#replace "):
            old, new = line.removeprefix("#replace ").split(" => ")
            text = text.replace(old, new)
        else:
            text += line + "\n"
    path = directory / f"{name}.toml"
    path.write_text(text.replace("'", '"'))
    return path
