"""The debugger as a CruxEval predictor (docs/traces.md, "The debugger on CruxEval").

CruxEval-O: start at the call frame of ``f(input)`` (its locals are the arguments, as the
tracer records them in the sandbox) and `step_return`; the return frame's value is the
prediction. CruxEval-I: start at a return frame holding the expected output and
`inv_step_return`; the call frame's locals, written back as a call of `f`, are the
prediction. The oracle answers from real execution, so it scores 100% on CruxEval-O (its
CruxEval-I start is the real return frame, so it recovers the real input); a model
answers from the program and the start frame alone: for CruxEval-I its return frame
names the last `return` line of `f` (the code shows it; the executed one is not given).
Predictions are scored by CruxEval's own scorer (`cruxeval.score_generations`).
"""

from __future__ import annotations

import ast
import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from codefrontier import pyast
from codefrontier.traces import cwm
from codefrontier.traces.cruxeval import CruxEvalItem, check_mode, load_cruxeval
from codefrontier.traces.debugger import ModelDebugger, OracleDebugger
from codefrontier.traces.tracer import Trace, TraceLimits, Tracer, source_lines

# step_return from the call generates the whole trace, one model call per frame
# (loops included): enough for every CruxEval program (the longest has 627 events).
PREDICT_MAX_FRAMES = 4096


@dataclass
class Prediction:
    id: str
    generation: str
    error: str | None = None  # why there is no prediction (a decoding error, an unfinished trace)


def function_def(code: str, name: str = "f") -> ast.FunctionDef | None:
    try:
        tree = pyast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    found = None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            found = node  # the last definition wins, as at run time
    return found


def call_from_locals(code: str, local_vars: dict[str, str], name: str = "f") -> str:
    """``f(...)`` with the arguments a call frame's locals hold, in the signature's order
    (positional while they can be, then by keyword; *args and **kwargs spread)."""
    node = function_def(code, name)
    if node is None:
        return f"{name}({', '.join(local_vars.values())})"
    args = node.args
    parts: list[str] = []
    keyword = False
    for param in [*args.posonlyargs, *args.args]:
        if param.arg not in local_vars:
            keyword = True
            continue
        value = local_vars[param.arg]
        parts.append(f"{param.arg}={value}" if keyword else value)
    if args.vararg and args.vararg.arg in local_vars:
        parts.append("*" + local_vars[args.vararg.arg])
    for param in args.kwonlyargs:
        if param.arg in local_vars:
            parts.append(f"{param.arg}={local_vars[param.arg]}")
    if args.kwarg and args.kwarg.arg in local_vars:
        parts.append("**" + local_vars[args.kwarg.arg])
    return f"{name}({', '.join(parts)})"


def last_return_line(code: str, name: str = "f") -> str:
    """The text of the last ``return`` line of `name` (its last line if it has none)."""
    node = function_def(code, name)
    lines = source_lines(code)
    if node is None:
        return lines[-1] if lines else "\n"
    returns = [n.lineno for n in ast.walk(node) if isinstance(n, ast.Return)]
    line = max(returns) if returns else (node.end_lineno or node.lineno)
    return lines[line - 1]


def predict(
    mode: str,
    *,
    items: Sequence[CruxEvalItem] | None = None,
    backend: Any = None,
    style: str = "trace",
    jobs: int | None = None,
    isolation: str = "auto",
    limits: TraceLimits | None = None,
    concurrency: int = 8,
    progress: Callable[[], None] | None = None,
    **model_options: Any,
) -> list[Prediction]:
    """One prediction per item, by the oracle (no backend) or by a model."""
    check_mode(mode)
    items = list(items) if items is not None else load_cruxeval()
    model_options.setdefault("max_frames", PREDICT_MAX_FRAMES)
    with Tracer(limits, jobs=jobs, isolation=isolation) as tracer:
        traces = list(tracer.trace_many([(item.code, item.call) for item in items]))
    if backend is None:
        out = []
        for item, trace in zip(items, traces, strict=True):
            out.append(_oracle(item, trace, mode))
            if progress is not None:
                progress()
        return out
    return asyncio.run(_model_all(items, traces, mode, backend, style, concurrency, progress, model_options))


def _oracle(item: CruxEvalItem, trace: Trace, mode: str) -> Prediction:
    if not trace.finished or not trace.events:
        return Prediction(item.id, "", f"the trace ended {trace.outcome}: {trace.message}")
    if mode == "output":
        step = OracleDebugger(trace, 0).act("step_return")
        return Prediction(item.id, (step.frame.arg or "") if step.frame else "")
    step = OracleDebugger(trace, len(trace.events) - 1).act("inv_step_return")
    if step.frame is None or step.frame.locals is None:
        return Prediction(item.id, "", "no call frame before the return")
    return Prediction(item.id, call_from_locals(item.code, step.frame.locals))


async def _model_all(
    items: Sequence[CruxEvalItem],
    traces: Sequence[Trace],
    mode: str,
    backend: Any,
    style: str,
    concurrency: int,
    progress: Callable[[], None] | None,
    options: dict[str, Any],
) -> list[Prediction]:
    gate = asyncio.Semaphore(concurrency)

    async def one(item: CruxEvalItem, trace: Trace) -> Prediction:
        async with gate:
            try:
                return await _model(item, trace, mode, backend, style, options)
            finally:
                if progress is not None:
                    progress()

    try:
        return await asyncio.gather(*(one(i, t) for i, t in zip(items, traces, strict=True)))
    finally:
        await backend.aclose()


async def _model(
    item: CruxEvalItem, trace: Trace, mode: str, backend: Any, style: str, options: dict[str, Any]
) -> Prediction:
    node = function_def(item.code)
    entry = node.lineno if node is not None else None
    if mode == "output":
        if not trace.events or trace.events[0].kind != "call":
            return Prediction(item.id, "", f"no call frame: the trace ended {trace.outcome}")
        start = cwm.frames_of(trace)[0]  # the input, as the sandbox evaluated it
        debugger = ModelDebugger(backend, item.code, entry, [start], style=style, **options)
        step = await debugger.aact("step_return")
        if step.frame is None or step.frame.event != "return":
            return Prediction(item.id, "", step.error or "the model reached no return")
        return Prediction(item.id, step.frame.arg or "")
    start = cwm.Frame("return", last_return_line(item.code), None, item.output)
    debugger = ModelDebugger(backend, item.code, entry, [start], style="trajectory", **options)
    step = await debugger.aact("inv_step_return")
    if step.frame is None or step.frame.locals is None:
        return Prediction(item.id, "", step.error or "the model wrote no call frame")
    return Prediction(item.id, call_from_locals(item.code, step.frame.locals))
