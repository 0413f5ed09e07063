"""Debuggers: one interface, two backends (docs/traces.md, "Debuggers").

* `OracleDebugger` answers from real execution: a trace made by the tracer in the
  sandbox, and the actions of `tree` on it.
* `ModelDebugger` answers from a model behind any `codefrontier.sampling` backend (its
  raw `complete`). In the ``trace`` style the trace so far is the prompt and the event
  separator is forced for the action as CWM's demo debugger (demos/cwmdbg.py) forces it:
  `step_into` after a call frame forces a line frame; `step_over` and `step_return`
  force a return frame right after every nested call frame, so the model predicts the
  call's result without its body. Inverse actions (and every action in the
  ``trajectory`` style) are asked in the trajectory format: the states so far, the
  action, and the model writes the next frame. A frame that does not parse is recorded
  as a decoding error on that step, never raised.

`evaluate` runs a debugger on dataset transitions and reports per-action accuracy split
by field (event, line, each local, return or exception value), binned by how many states
the action skips.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from codefrontier.errors import ConfigError, InputError
from codefrontier.traces import cwm
from codefrontier.traces.cwm import END_OF_TEXT, EVENT_TOKENS, FRAME_SEP, Frame
from codefrontier.traces.tree import ACTIONS, StateTree, apply

STYLES = ("trace", "trajectory")


@dataclass(frozen=True)
class DebugStep:
    """What one action did: the frame it stopped at; None with no `error` when the action
    has no stop (the program runs to its end); `error` when the model's answer did not
    parse (the debugger stays where it was)."""

    action: str
    arg: Any
    frame: Frame | None
    error: str | None = None
    frames_generated: int = 0


class Debugger(Protocol):
    @property
    def current(self) -> Frame: ...

    def act(self, action: str, arg: Any = None) -> DebugStep: ...

    def back(self) -> Frame: ...

    def local_values(self) -> dict[str, str]: ...


def _check_action(action: str) -> None:
    if action not in ACTIONS:
        raise InputError(f"unknown debugger action {action!r}; known: {', '.join(ACTIONS)}")


class OracleDebugger:
    """Real execution: the trace's states and the tree's actions."""

    def __init__(self, trace: Any, state: int = 0) -> None:
        if not trace.events:
            raise InputError(f"the trace has no events ({trace.outcome}: {trace.message})")
        self.trace = trace
        self.tree = StateTree.of(trace)
        self.frames = cwm.frames_of(trace)
        self.tree.check(state)
        self.history = [state]

    @property
    def state(self) -> int:
        return self.history[-1]

    @property
    def current(self) -> Frame:
        return self.frames[self.state]

    def act(self, action: str, arg: Any = None) -> DebugStep:
        _check_action(action)
        stop = apply(self.tree, self.state, action, arg)
        if stop is None:
            return DebugStep(action, arg, None)
        self.history.append(stop)
        return DebugStep(action, arg, self.frames[stop])

    def back(self) -> Frame:
        if len(self.history) > 1:
            self.history.pop()
        return self.current

    def local_values(self) -> dict[str, str]:
        """The locals at this state (for a return or exception: those of the line before it)."""
        k = self.state
        activation = self.tree.activation(k)
        while self.frames[k].locals is None and k > activation.call:
            k = self.tree.previous_in_activation(k) or activation.call
        return dict(self.frames[k].locals or {})


@dataclass
class ModelDebugger:
    """A model as the debugger. `history` is where it starts: the frames of the trace so
    far (``trace`` style, diff form allowed) or the one current frame (``trajectory``)."""

    backend: Any
    code: str
    entry_line: int | None
    history: list[Frame]
    style: str = "trace"
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 1024
    max_frames: int = 256  # frames one action may generate before it is a decoding error
    seed: int | None = None
    steps: list[tuple[str, Any, Frame]] = field(default_factory=list)
    _marks: list[int] = field(default_factory=list)
    _loop: asyncio.AbstractEventLoop | None = None

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ConfigError(f"debugger style must be one of {', '.join(STYLES)}, got {self.style!r}")
        if not self.history:
            raise InputError("a model debugger needs a first frame to start from")
        self.frames = list(self.history)
        self.lines = [line.rstrip("\n") for line in _lines(self.code)]

    # -- the interface -----------------------------------------------------------------
    @property
    def current(self) -> Frame:
        return self.steps[-1][2] if self.steps else self.frames[-1]

    def local_values(self) -> dict[str, str]:
        frames = [f for _, _, f in self.steps] if self.steps else cwm.resolve(self.frames)
        for frame in reversed(frames):
            if frame.locals is not None:
                return dict(frame.locals)
        return {}

    def act(self, action: str, arg: Any = None) -> DebugStep:
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop.run_until_complete(self.aact(action, arg))

    def back(self) -> Frame:
        if self.steps:
            self.steps.pop()
        elif self._marks:
            del self.frames[self._marks.pop() :]
        return self.current

    def close(self) -> None:
        if self._loop is not None:
            self._loop.run_until_complete(self.backend.aclose())
            self._loop.close()
            self._loop = None

    async def aact(self, action: str, arg: Any = None) -> DebugStep:
        _check_action(action)
        if self.style == "trajectory" or self.steps or not ACTIONS[action].forward:
            return await self._trajectory_step(action, arg)
        mark = len(self.frames)
        try:
            frame = await self._forward(action, arg)
        except _Decoding as exc:
            del self.frames[mark:]
            return DebugStep(action, arg, None, error=str(exc), frames_generated=exc.generated)
        generated = len(self.frames) - mark
        if frame is None:
            del self.frames[mark:]
            return DebugStep(action, arg, None, frames_generated=generated)
        self._marks.append(mark)
        # The stop is the last frame written; its ".." values resolve against the trace so far.
        return DebugStep(action, arg, cwm.resolve(self.frames)[-1], frames_generated=generated)

    # -- trace style: continue the trace, forcing separators ----------------------------
    async def _frame(self, forced: str | None = None) -> Frame | None:
        """One more frame of the trace (None: the model ended the trace)."""
        prompt = cwm.format_prompt(self.code, self.entry_line) + cwm.format_frames(self.frames)
        head = EVENT_TOKENS[forced] if forced else ""
        text = await self._complete(prompt + head)
        if not forced and (text.startswith(END_OF_TEXT) or not text.strip()):
            return None
        frame = _parse_generated(head + text, len(self.frames))
        self.frames.append(frame)
        return frame

    async def _forward(self, action: str, arg: Any) -> Frame | None:
        start = self.frames[-1]
        budget = self.max_frames

        async def next_frame(forced: str | None = None) -> Frame | None:
            nonlocal budget
            budget -= 1
            if budget < 0:
                raise _Decoding(f"no stop within {self.max_frames} frames", self.max_frames)
            return await self._frame(forced)

        async def over() -> Frame | None:
            """The next frame of this activation: nested calls collapse to call + return."""
            frame = await next_frame()
            while frame is not None and frame.event == "call":
                await next_frame("return")
                frame = await next_frame()
            return frame

        if action == "step_into":
            return await next_frame("line" if start.event == "call" else None)
        if action == "step_over":
            return await (next_frame() if start.event == "return" else over())
        if action == "step_return":
            if start.event == "return":
                return await over()
            frame = await over()
            while frame is not None and frame.event != "return":
                frame = await over()
            return frame
        # breakpoint / continue: run (stepping into everything) to a visit of a line
        lines = {int(arg)} if action == "breakpoint" else {int(x) for x in (arg or ())}
        last = None
        while True:
            frame = await next_frame()
            if frame is None:
                return last if action == "continue" else None
            if frame.event == "line" and self._line_number(frame.source) in lines:
                return frame
            last = frame
            if frame.event == "return" and _is_entry_return(self.frames):
                return frame if action == "continue" else None

    def _line_number(self, source: str) -> int | None:
        text = cwm.strip_marker(source).rstrip("\n")
        try:
            return self.lines.index(text) + 1
        except ValueError:
            return None

    # -- trajectory style: the action, then one frame -----------------------------------
    async def _trajectory_step(self, action: str, arg: Any) -> DebugStep:
        from codefrontier.traces.trajectories import format_action

        start = cwm.resolve(self.frames)[-1] if not self.steps else None
        first = start if start is not None else self._first
        prompt = cwm.format_prompt(self.code, self.entry_line) + cwm.format_frame(first)
        for done_action, done_arg, frame in self.steps:
            prompt += format_action(done_action, done_arg) + cwm.format_frame(frame)
        prompt += format_action(action, arg)
        text = await self._complete(prompt)
        if text.startswith(END_OF_TEXT):
            return DebugStep(action, arg, None, frames_generated=1)
        try:
            frame = _parse_generated(text, len(self.steps) + 1)
        except _Decoding as exc:
            return DebugStep(action, arg, None, error=str(exc), frames_generated=1)
        if not self.steps:
            self._first = first
        self.steps.append((action, arg, frame))
        return DebugStep(action, arg, frame, frames_generated=1)

    _first: Frame | None = None

    async def _complete(self, prompt: str) -> str:
        from codefrontier.sampling import GenerationParams

        params = GenerationParams(self.temperature, self.top_p, self.max_tokens, self.seed, stop=(FRAME_SEP,))
        completions = await self.backend.complete(prompt, params)
        text = completions[0].text
        cut = text.find(FRAME_SEP)  # a backend that ignores `stop`
        return text[:cut] if cut >= 0 else text


class _Decoding(Exception):
    def __init__(self, message: str, generated: int = 1) -> None:
        super().__init__(message)
        self.generated = generated


def _parse_generated(text: str, index: int) -> Frame:
    try:
        frames = cwm.parse_frames(text + FRAME_SEP, first_frame=index)
    except cwm.TraceFormatError as exc:
        raise _Decoding(f"the model's frame does not parse: {exc}; it wrote {text[:200]!r}") from None
    if len(frames) != 1:
        raise _Decoding(f"the model wrote {len(frames)} frames where one was asked; {text[:200]!r}")
    return frames[0]


def _is_entry_return(frames: Sequence[Frame]) -> bool:
    depth = 0
    for frame in frames:
        depth += {"call": 1, "return": -1}.get(frame.event, 0)
    return depth <= 0


def _lines(code: str) -> list[str]:
    from codefrontier.traces.tracer import source_lines

    return source_lines(code)


# ----------------------------------------------------------------------------- evaluation

BINS = ((0, 0, "0"), (1, 1, "1"), (2, 3, "2-3"), (4, 7, "4-7"), (8, 15, "8-15"), (16, None, "16+"))
FIELDS = ("event", "line", "locals", "value")


def skip_bin(skipped: int) -> str:
    for low, high, name in BINS:
        if skipped >= low and (high is None or skipped <= high):
            return name
    return BINS[-1][2]


@dataclass
class Tally:
    correct: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.correct += int(ok)
        self.total += 1

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None


@dataclass
class Accuracy:
    """Per action, per skip bin: transitions, decoding errors, and a Tally per field
    (`locals` counts each local of the target frame on its own)."""

    cells: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def cell(self, action: str, bin_name: str) -> dict[str, Any]:
        key = (action, bin_name)
        if key not in self.cells:
            self.cells[key] = {"transitions": 0, "decoding_errors": 0, **{f: Tally() for f in FIELDS}}
        return self.cells[key]

    def record(
        self, action: str, skipped: int, target: Frame, predicted: Frame | None, error: str | None
    ) -> None:
        cell = self.cell(action, skip_bin(skipped))
        cell["transitions"] += 1
        if error is not None:
            cell["decoding_errors"] += 1
        got = predicted
        cell["event"].add(got is not None and got.event == target.event)
        cell["line"].add(
            got is not None and cwm.strip_marker(got.source).rstrip("\n") == target.source.rstrip("\n")
        )
        if target.locals is not None:
            seen = (got.locals or {}) if got is not None else {}
            for name, value in target.locals.items():
                cell["locals"].add(seen.get(name) == value)
        else:
            cell["value"].add(got is not None and got.arg == target.arg)

    def by_action(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for (action, _), cell in sorted(self.cells.items()):
            total = out.setdefault(
                action, {"transitions": 0, "decoding_errors": 0, **{f: Tally() for f in FIELDS}}
            )
            total["transitions"] += cell["transitions"]
            total["decoding_errors"] += cell["decoding_errors"]
            for f in FIELDS:
                total[f].correct += cell[f].correct
                total[f].total += cell[f].total
        return out

    def to_json(self) -> dict[str, Any]:
        def plain(cell: dict[str, Any]) -> dict[str, Any]:
            return {
                "transitions": cell["transitions"],
                "decoding_errors": cell["decoding_errors"],
                **{
                    f: {"correct": cell[f].correct, "total": cell[f].total, "accuracy": cell[f].accuracy}
                    for f in FIELDS
                },
            }

        by_bin: dict[str, dict[str, Any]] = {}
        for (action, bin_name), cell in sorted(self.cells.items()):
            by_bin.setdefault(action, {})[bin_name] = plain(cell)
        return {
            "by_action": {a: plain(c) for a, c in self.by_action().items()},
            "by_action_and_skip": by_bin,
            "bins": [name for _, _, name in BINS],
        }


def evaluate(
    rows: Sequence[dict[str, Any]],
    traces: dict[str, Any],
    *,
    backend: Any = None,
    style: str = "trace",
    concurrency: int = 8,
    **model_options: Any,
) -> Accuracy:
    """Accuracy of a debugger on dataset transitions (`rows` of transitions.parquet,
    `traces` by source id). Without a backend, the oracle (a check: 100%). With one, each
    transition is asked from its start state with the true trace before it as history."""
    accuracy = Accuracy()
    trees: dict[str, tuple[Any, list[Frame]]] = {}

    def frames(source: str) -> list[Frame]:
        if source not in trees:
            trees[source] = (traces[source], cwm.frames_of(traces[source]))
        return trees[source][1]

    async def one(row: dict[str, Any]) -> tuple[dict[str, Any], DebugStep]:
        trace = traces[row["source"]]
        arg = json.loads(row["arg"])
        if backend is None:
            return row, OracleDebugger(trace, row["from_state"]).act(row["action"], arg)
        fs = frames(row["source"])
        history = cwm.to_diff(fs)[: row["from_state"] + 1] if style == "trace" else [fs[row["from_state"]]]
        debugger = ModelDebugger(backend, trace.code, trace.entry_line, history, style=style, **model_options)
        return row, await debugger.aact(row["action"], arg)

    async def run_all() -> list[tuple[dict[str, Any], DebugStep]]:
        gate = asyncio.Semaphore(concurrency)

        async def gated(row: dict[str, Any]) -> tuple[dict[str, Any], DebugStep]:
            async with gate:
                return await one(row)

        try:
            return await asyncio.gather(*(gated(r) for r in rows))
        finally:
            if backend is not None:
                await backend.aclose()

    for row, step in asyncio.run(run_all()):
        target = frames(row["source"])[row["to_state"]]
        accuracy.record(row["action"], row["skipped"], target, step.frame, step.error)
    return accuracy
