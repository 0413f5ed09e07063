"""The sandbox: isolated runs of untrusted programs with measured cost (docs/isolation.md).

    from codefrontier.sandbox import Sandbox, Limits, RunResult, memfd_from_bytes, values

A `Sandbox` is one worker (a warm zygote inside bubblewrap, or a weaker level that
`detect_level` reports); `run_python` and `run_exec` run a program as a fresh process
under `Limits`. Most callers want the judge (`codefrontier.judge`) instead; systems that
run programs that are not samples of a problem (tracers, tool calls, fuzzers) use this.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Sandbox": "worker",
    "Limits": "worker",
    "CallReply": "runtime.protocol",
    "RunReply": "runtime.protocol",
    "RunResult": "worker",
    "SandboxCrashed": "worker",
    "memfd_from_bytes": "worker",
    "read_memfd": "worker",
    "detect_level": "isolation",
    "LEVELS": "isolation",
}
# Modules exported whole: `values` is the typed-JSON codec (how plain data crosses the
# sandbox boundary), for systems that send arguments or read returned values themselves.
_MODULES = {"values": "runtime.values"}

__all__ = sorted([*_EXPORTS, *_MODULES])


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        value = importlib.import_module(f"{__name__}.{_MODULES[name]}")
        globals()[name] = value
        return value
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'codefrontier.sandbox' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
