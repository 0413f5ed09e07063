"""Fixtures of the sampling tests: two small stdio problems with public and hidden tests,
a loopback OpenAI-protocol server per test, and tiny random checkpoints."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from codefrontier.contracts import Problem
from codefrontier.problems.io import load_problems

from .openai_server import LoopbackServer, Script
from .tiny_models import build_tokenizer, save_tiny_model

# Hidden tests use strings no prompt or public test contains, so a leak is unmistakable.
HIDDEN_STRINGS = ("zebra quokka narwhal", "ZEBRA QUOKKA NARWHAL", "7777777 8888888", "16666665")

PROBLEMS = [
    {
        "id": "shout",
        "kind": "stdio",
        "statement": "Read one line of lowercase words and print it in upper case.",
        "time_limit_s": 2.0,
        "memory_mb": 256,
        "tests": [
            {
                "id": "example",
                "input": "hello world\n",
                "output": "HELLO WORLD\n",
                "hidden": False,
                "size": 1,
            },
            {
                "id": "secret",
                "input": "zebra quokka narwhal\n",
                "output": "ZEBRA QUOKKA NARWHAL\n",
                "size": 2,
            },
        ],
    },
    {
        "id": "add",
        "kind": "stdio",
        "statement": "Read two integers a and b on one line and print a + b.",
        "time_limit_s": 2.0,
        "memory_mb": 256,
        "tests": [
            {"id": "example", "input": "1 2\n", "output": "3\n", "hidden": False, "size": 1},
            {"id": "secret", "input": "7777777 8888888\n", "output": "16666665\n", "size": 2},
        ],
    },
]

SHOUT = "```python\nprint(input().upper())\n```"
ADD = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
SOLUTIONS = {"shout": SHOUT, "add": ADD}


@pytest.fixture
def problems_file(tmp_path: Path) -> Path:
    path = tmp_path / "problems.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in PROBLEMS))
    return path


@pytest.fixture
def problems(problems_file: Path) -> list[Problem]:
    return load_problems(problems_file)


@pytest.fixture
def serve() -> Iterator[Callable[..., LoopbackServer]]:
    """Start a loopback server answering from a script; stopped after the test."""
    servers: list[LoopbackServer] = []

    def start(script: Script, **kwargs: object) -> LoopbackServer:
        server = LoopbackServer(script, **kwargs)  # type: ignore[arg-type]
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def problem_of(request: dict) -> str:
    """Which problem a chat request is about (from its task message)."""
    task = request["messages"][1]["content"]
    return "shout" if "upper case" in task else "add"


@pytest.fixture(scope="session")
def tiny_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two tiny random checkpoints (low, high) with the same tokenizer."""
    root = tmp_path_factory.mktemp("tiny")
    tokenizer = build_tokenizer()
    return save_tiny_model(root / "low", 0, tokenizer), save_tiny_model(root / "high", 1, tokenizer)
