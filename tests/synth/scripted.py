"""A scripted teacher and student behind the loopback OpenAI-protocol server.

The teacher keeps a difficulty knob per conversation: it starts at `start` and moves up
one for every "harder" instruction and down one for every "easier" one it has been given
(it reads them off the conversation it is sent), and writes the problem of that level:
`f(x) = x * level + level`, with the level named in its hint. The student's chance of
solving a problem is `solve_chance(level)`; whether an attempt solves it is decided by the
request's seed through a Weyl sequence (the fractional part of seed x golden ratio): the
attempts' seeds are evenly spaced, so M attempts solve it close to M x chance times, and
runs repeat exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sampling.openai_server import Reply, answer

GOLDEN = 0.6180339887498949
HARDER = "too easy"
EASIER = "too hard"


def teacher_answer(level: int) -> str:
    inputs = "\n".join(f"```input\n{x}\n```" for x in range(1, 6))
    return (
        f"Here is the problem.\n\n```python\ndef f(x):\n    return x * {level} + {level}\n```\n\n{inputs}\n\n"
        f"```message\nThis is level {level}: scale, then shift.\n```\n"
    )


def level_of(messages: list[dict[str, Any]], start: int) -> int:
    level = start
    for message in messages[2:]:  # after the system message and the seed
        if message["role"] != "user":
            continue
        text = message["content"]
        if HARDER in text:
            level += 1
        elif EASIER in text or "No attempt passed" in text:
            level -= 1
    return level


def scripted(
    *,
    start: int = 0,
    solve_chance: Callable[[int], float] = lambda level: max(0.0, 1.0 - level / 8),
    teacher: Callable[[list[dict[str, Any]]], str] | None = None,
) -> Callable[[dict[str, Any], int], Reply]:
    """One script answering both roles: a request with a system message is the teacher's."""

    def script(request: dict[str, Any], index: int) -> Reply:
        messages = request["messages"]
        if messages[0]["role"] == "system":
            return answer(teacher(messages) if teacher else teacher_answer(level_of(messages, start)))
        prompt = messages[-1]["content"]
        level = int(prompt.split("This is level ")[1].split(":")[0])
        solves = solved(request, solve_chance(level))
        body = f"x * {level} + {level}" if solves else "x * 2"
        return answer(f"```python\ndef f(x):\n    return {body}\n```")

    return script


def solved(request: dict[str, Any], chance: float) -> bool:
    return (int(request.get("seed") or 0) * GOLDEN) % 1.0 < chance


def student_level(request: dict[str, Any]) -> int:
    prompt = request["messages"][-1]["content"]
    return int(prompt.split("This is level ")[1].split(":")[0])
