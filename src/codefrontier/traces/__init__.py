"""Execution traces and debuggers for Python programs (docs/traces.md).

    from codefrontier.traces import trace_call, format_trace, StateTree

The tracer records a call's events in the sandbox; `cwm` writes and reads them in the
Code World Model trace format; `tree` holds the state tree and the debugger actions
(forward and inverse); `trajectories` samples debugger-action datasets; `debugger` puts
the oracle (real execution) or a model behind one interface; `cruxeval` is the CruxEval
benchmark with its original scoring, and `predictor` answers it with a debugger.
"""

from __future__ import annotations

from codefrontier.lazy import lazy_exports

_EXPORTS = {
    "Event": "tracer",
    "Trace": "tracer",
    "TraceLimits": "tracer",
    "Tracer": "tracer",
    "trace_call": "tracer",
    "trace_from_json": "tracer",
    "source_lines": "tracer",
    "SandboxPool": "workers",
    "Frame": "cwm",
    "TraceFormatError": "cwm",
    "format_trace": "cwm",
    "format_prompt": "cwm",
    "parse_trace": "cwm",
    "frames_of": "cwm",
    "to_diff": "cwm",
    "resolve": "cwm",
    "StateTree": "tree",
    "ACTIONS": "tree",
    "apply": "tree",
    "Source": "trajectories",
    "build_dataset": "trajectories",
    "parse_trajectory": "trajectories",
    "OracleDebugger": "debugger",
    "ModelDebugger": "debugger",
    "evaluate": "debugger",
    "load_cruxeval": "cruxeval",
    "score_generations": "cruxeval",
    "predict": "predictor",
}

__getattr__, __all__ = lazy_exports(__name__, _EXPORTS)
