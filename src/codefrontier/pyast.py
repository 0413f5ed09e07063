"""Python's parser for the host side, safe to call from several threads at once.

CPython 3.11 keeps the AST builder's recursion count in per-interpreter state, not per
thread (gh-106905): when a garbage collection during one thread's `ast.parse` lets another
thread parse, either can fail with ``SystemError: AST constructor recursion depth
mismatch``. The traces, feedback and synth packages parse programs from worker threads, so
every host-side parse goes through one lock here. Parsing is fast (a few ms for a long
program) next to running what was parsed, so the lock costs nothing measurable.
"""

from __future__ import annotations

import ast
import threading
from typing import Any

_LOCK = threading.Lock()


def parse(source: str | bytes, filename: str = "<unknown>", mode: str = "exec") -> ast.AST:
    """`ast.parse`, one thread at a time."""
    with _LOCK:
        return ast.parse(source, filename=filename, mode=mode)


def literal_eval(text: str) -> Any:
    """`ast.literal_eval` of a string, its parse one thread at a time."""
    return ast.literal_eval(parse(text.lstrip(" \t"), mode="eval"))
