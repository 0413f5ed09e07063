"""Debugger-action datasets: (context, action, next state) sequences sampled from real
traces by a random policy, forward and inverse (docs/traces.md, "Trajectories").

A trajectory starts at the first state of a trace and takes forward actions
(`forward`), at its last state and takes inverse ones (`inverse`), or at a random state
and takes any of the nine (`mixed`, the default; `both` makes one forward and one
inverse trajectory per trace). It takes up to `actions` steps, fewer when no action has
a stop left (a forward walk ends at the last state); each step picks uniformly among
the actions that have a stop from the current state (then, for `breakpoint`, a line visited after it; for
`continue`, no breakpoint or one line the program visits), so every transition is valid
under its tree by construction and checked again before it is written. The random
generator of a trajectory is seeded from (seed, source id, direction, index): the same
seed gives the same dataset, whatever the number of workers.

The text form extends CWM's with one separator, written after a frame::

    TRAJECTORY := <|trace_context_start|> SOURCE <|frame_sep|> FRAME STEP*
    STEP       := <|debugger_action_sep|> ACTION [<|arg_sep|> ARG] <|frame_sep|> FRAME

FRAME is a CWM frame with every local written out (states jump, so the diff form does
not apply); ARG is a line number (``breakpoint``, ``inv_breakpoint``) or a JSON list of
line numbers (``continue`` with breakpoints).

Output directory: ``transitions.parquet`` (one row per step: the prompt up to the
action, the target frame, and the step's fields), ``trajectories.parquet`` (one row per
trajectory with its whole text), ``traces.parquet`` (every trace, also those that were
not used and why; its `cpu_s` column is the one field that differs between runs) and ``provenance.json``; ``*.jsonl`` copies with `jsonl=True`.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import random
import re
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codefrontier import __version__
from codefrontier.errors import ConfigError, InputError
from codefrontier.traces import cwm
from codefrontier.traces.cwm import ARG_SEP, FRAME_SEP, Frame
from codefrontier.traces.tree import ACTIONS, FORWARD, INVERSE, StateTree, apply

DEBUGGER_ACTION_SEP = "<|debugger_action_sep|>"
FORMAT_VERSION = 1
DIRECTIONS = ("mixed", "forward", "inverse", "both")
MAX_CALL_CHARS = 100_000
MEASURED = ("cpu_s", "wall_s", "rss_kb")  # trace fields that differ from run to run
CALL_LINE = re.compile(r"^#\s*call:\s*(\S.*?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Source:
    """A program and one call to trace: `id` is unique in a dataset."""

    id: str
    code: str
    call: str
    origin: str  # "cruxeval", "problems:FILE", "folder:DIR"


@dataclass(frozen=True)
class Step:
    action: str
    arg: Any
    state: int  # where the action stopped


@dataclass
class Trajectory:
    source: str
    index: int
    direction: str
    start: int
    steps: list[Step] = field(default_factory=list)


# ----------------------------------------------------------------------------- sources


def cruxeval_sources() -> list[Source]:
    from codefrontier.traces.cruxeval import load_cruxeval

    return [Source(item.id, item.code, item.call, "cruxeval") for item in load_cruxeval()]


def problem_sources(problems: Iterable[Any], origin: str) -> tuple[list[Source], int]:
    """Each function problem's reference (AC) solutions on each of its tests; returns the
    sources and how many (problem, test) pairs could not be made a call (stdio or assert
    problems, calls over MAX_CALL_CHARS)."""
    from codefrontier.problems import ProblemKind
    from codefrontier.sandbox.runtime import values

    sources, skipped = [], 0
    for problem in problems:
        refs = [s for s in problem.solutions if s.expected == "AC" and s.language == "python"]
        if problem.kind is not ProblemKind.FUNCTION or not problem.entry_point or not refs:
            skipped += len(problem.tests) * max(1, len(refs))
            continue
        entry = problem.entry_point
        target = f"{entry.split('.', 1)[0]}().{entry.split('.', 1)[1]}" if "." in entry else entry
        for solution in refs:
            for test in problem.tests:
                try:
                    args = values.decode(test.input)
                    call = f"{target}({', '.join(repr(a) for a in args)})"
                except (TypeError, ValueError, values.UnsupportedValue):
                    skipped += 1
                    continue
                if len(call) > MAX_CALL_CHARS:
                    skipped += 1
                    continue
                sources.append(Source(f"{problem.id}/{solution.name}/{test.id}", solution.code, call, origin))
    return sources, skipped


def folder_sources(folder: str | Path) -> list[Source]:
    """Every ``*.py`` under `folder` with one ``# call: EXPR`` comment line per call to trace."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError("not a directory", path=root)
    sources = []
    for path in sorted(root.rglob("*.py")):
        code = path.read_text(encoding="utf-8", errors="surrogateescape")
        calls = CALL_LINE.findall(code)
        if not calls:
            raise InputError("no `# call: EXPR` line names the call to trace", path=path)
        rel = path.relative_to(root).as_posix()
        sources += [Source(f"{rel}:{k}", code, call, f"folder:{root}") for k, call in enumerate(calls)]
    if not sources:
        raise InputError("no Python files", path=root)
    return sources


# ----------------------------------------------------------------------------- the policy


def _choices(
    tree: StateTree, state: int, names: Sequence[str], rng: random.Random
) -> list[tuple[str, Any, int]]:
    """(action, arg, stop) for each action with a stop from `state` (one arg drawn per action)."""
    out = []
    for name in names:
        kind = ACTIONS[name].arg
        if kind is None:
            arg = None
        elif kind == "line":
            after = name == "breakpoint"
            lines = sorted(
                {
                    tree.lines[k]
                    for k in (range(state + 1, len(tree)) if after else range(state))
                    if tree.kinds[k] == "line"
                }
            )
            if not lines:
                continue
            arg = rng.choice(lines)
        else:  # continue: no breakpoint, or one line the program visits
            visited = sorted(tree.visits)
            arg = () if not visited or rng.random() < 0.5 else (rng.choice(visited),)
        stop = apply(tree, state, name, arg)
        if stop is not None:
            out.append((name, arg, stop))
    return out


def random_trajectory(
    tree: StateTree, rng: random.Random, actions: int, direction: str, source: str = "", index: int = 0
) -> Trajectory:
    """A random walk of up to `actions` steps (fewer when no action has a stop left):
    `forward` from the first state with forward actions, `inverse` from the last with
    inverse ones, `mixed` from a random state with all nine."""
    if direction == "forward":
        start, names = 0, FORWARD
    elif direction == "inverse":
        start, names = len(tree) - 1, INVERSE
    elif direction == "mixed":
        start, names = rng.randrange(len(tree)), FORWARD + INVERSE
    else:
        raise ValueError(direction)
    trajectory = Trajectory(source, index, direction, start)
    state = start
    for _ in range(actions):
        options = _choices(tree, state, names, rng)
        if not options:
            break
        name, arg, stop = rng.choice(options)
        trajectory.steps.append(Step(name, arg, stop))
        state = stop
    return trajectory


def check_trajectory(tree: StateTree, trajectory: Trajectory) -> None:
    """Every step is where its action stops under the tree (raises otherwise)."""
    state = trajectory.start
    for k, step in enumerate(trajectory.steps):
        if apply(tree, state, step.action, step.arg) != step.state:
            raise AssertionError(
                f"{trajectory.source}: step {k} ({step.action}) does not follow from state {state}"
            )
        state = step.state


def rng_for(seed: int, source: str, direction: str, index: int) -> random.Random:
    digest = hashlib.sha256(f"{seed}\0{source}\0{direction}\0{index}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


# ----------------------------------------------------------------------------- text form


def format_action(action: str, arg: Any) -> str:
    if action not in ACTIONS:
        raise InputError(f"unknown debugger action {action!r}")
    kind = ACTIONS[action].arg
    text = DEBUGGER_ACTION_SEP + action
    if kind == "line":
        text += ARG_SEP + str(int(arg))
    elif kind == "lines" and arg:
        text += ARG_SEP + json.dumps([int(x) for x in arg])
    return text + FRAME_SEP


def trajectory_text(
    code: str, entry_line: int | None, frames: Sequence[Frame], trajectory: Trajectory
) -> list[str]:
    """The pieces of the text form: the prompt with the start frame, then for each step
    the action and the frame it stops at (so ``"".join`` is the whole trajectory and a
    prefix ending in an action is a prompt for the next frame)."""
    if DEBUGGER_ACTION_SEP in code:
        raise InputError(
            f"the program contains {DEBUGGER_ACTION_SEP}, which the trajectory format cannot carry"
        )
    pieces = [cwm.format_prompt(code, entry_line) + cwm.format_frame(frames[trajectory.start])]
    for step in trajectory.steps:
        pieces.append(format_action(step.action, step.arg))
        pieces.append(cwm.format_frame(frames[step.state]))
    return pieces


def parse_action(text: str, position: int = 0) -> tuple[str, Any]:
    """The action and argument of ``<|debugger_action_sep|>NAME[<|arg_sep|>ARG]<|frame_sep|>``."""
    if not text.startswith(DEBUGGER_ACTION_SEP) or not text.endswith(FRAME_SEP):
        raise cwm.TraceFormatError(
            f"an action is {DEBUGGER_ACTION_SEP}NAME[{ARG_SEP}ARG]{FRAME_SEP}", position
        )
    body = text[len(DEBUGGER_ACTION_SEP) : -len(FRAME_SEP)]
    name, _, arg_text = body.partition(ARG_SEP)
    if name not in ACTIONS:
        raise cwm.TraceFormatError(f"unknown debugger action {name!r}", position + len(DEBUGGER_ACTION_SEP))
    kind = ACTIONS[name].arg
    try:
        if kind == "line":
            return name, int(arg_text)
        if kind == "lines":
            lines = json.loads(arg_text) if arg_text else []
            if not isinstance(lines, list) or not all(type(x) is int for x in lines):
                raise ValueError("not a list of line numbers")
            return name, tuple(lines)
    except ValueError as exc:
        raise cwm.TraceFormatError(
            f"bad argument of {name}: {exc}", position + len(DEBUGGER_ACTION_SEP)
        ) from None
    if arg_text or ARG_SEP in body:
        raise cwm.TraceFormatError(f"{name} takes no argument", position + len(DEBUGGER_ACTION_SEP))
    return name, None


def parse_trajectory(text: str) -> tuple[str, Frame, list[tuple[str, Any, Frame]]]:
    """(context, start frame, [(action, arg, frame), ...]) of a trajectory's text."""
    if not text.startswith(cwm.TRACE_CONTEXT_START):
        raise cwm.TraceFormatError(f"a trajectory starts with {cwm.TRACE_CONTEXT_START}", 0)
    head = text.find(FRAME_SEP)
    if head < 0:
        raise cwm.TraceFormatError(f"the context is not closed by {FRAME_SEP}", len(text))
    context = text[len(cwm.TRACE_CONTEXT_START) : head]
    pos = head + len(FRAME_SEP)
    parts = text[pos:].split(DEBUGGER_ACTION_SEP)
    start = _one_frame(parts[0], pos, 0)
    pos += len(parts[0])
    steps = []
    for k, part in enumerate(parts[1:], 1):
        cut = part.find(FRAME_SEP)
        if cut < 0:
            raise cwm.TraceFormatError("an action without its frame", pos)
        action, arg = parse_action(DEBUGGER_ACTION_SEP + part[: cut + len(FRAME_SEP)], pos)
        frame_pos = pos + len(DEBUGGER_ACTION_SEP) + cut + len(FRAME_SEP)
        steps.append((action, arg, _one_frame(part[cut + len(FRAME_SEP) :], frame_pos, k)))
        pos += len(DEBUGGER_ACTION_SEP) + len(part)
    return context, start, steps


def _one_frame(text: str, position: int, index: int) -> Frame:
    frames = cwm.parse_frames(text, base=position, first_frame=index)
    if len(frames) != 1:
        raise cwm.TraceFormatError(f"expected one frame, found {len(frames)}", position, index)
    return frames[0]


# ----------------------------------------------------------------------------- building


@dataclass
class BuildReport:
    out_dir: Path
    sources: int = 0
    traces: dict[str, int] = field(default_factory=dict)  # outcome -> count
    unusable: int = 0  # sources whose trace did not finish (not in the transitions)
    skipped_sources: int = 0  # (problem, test) pairs that could not become a call
    trajectories: int = 0
    transitions: int = 0
    seconds: float = 0.0


def build_dataset(
    sources: Sequence[Source],
    out_dir: str | Path,
    *,
    actions: int = 16,
    seed: int = 0,
    direction: str = "mixed",
    per_trace: int = 1,
    jsonl: bool = False,
    limits: Any = None,
    jobs: int | None = None,
    isolation: str = "auto",
    skipped_sources: int = 0,
    inputs: dict[str, Any] | None = None,
    progress: Callable[[], None] | None = None,
) -> BuildReport:
    """Trace every source in the sandbox and write the dataset into `out_dir` (files are
    written aside and renamed into place: a failed build leaves no half-written file)."""
    from codefrontier.traces.tracer import TraceLimits, Tracer

    if direction not in DIRECTIONS:
        raise ConfigError(f"--direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
    if actions < 1 or per_trace < 1:
        raise ConfigError("--actions and --per-trace must be at least 1")
    ids = [s.id for s in sources]
    if len(set(ids)) != len(ids):
        raise InputError("two sources have the same id")
    directions = ("forward", "inverse") if direction == "both" else (direction,)
    limits = limits or TraceLimits()
    report = BuildReport(Path(out_dir), sources=len(sources), skipped_sources=skipped_sources)
    started = time.monotonic()
    transitions: list[dict[str, Any]] = []
    trajectories: list[dict[str, Any]] = []
    traces: list[dict[str, Any]] = []
    from codefrontier.sandbox import detect_level

    level, _ = detect_level(isolation)
    with Tracer(limits, jobs=jobs, isolation=isolation) as tracer:
        for source, trace in zip(
            sources, tracer.trace_many([(s.code, s.call) for s in sources]), strict=True
        ):
            report.traces[trace.outcome] = report.traces.get(trace.outcome, 0) + 1
            traces.append(
                {
                    "source": source.id,
                    "origin": source.origin,
                    "code": source.code,
                    "call": source.call,
                    "outcome": trace.outcome,
                    "value": trace.value,
                    "message": trace.message,
                    "events": len(trace.events),
                    # the trace without its measurements, so that the same seed gives the same bytes
                    "trace": json.dumps({k: v for k, v in trace.to_json().items() if k not in MEASURED}),
                    "cpu_s": trace.cpu_s,
                }
            )
            try:
                if not trace.finished:
                    raise InputError(trace.message or f"the trace ended {trace.outcome}")
                rows, texts = _sample(source, trace, actions, seed, directions, per_trace)
            except InputError as exc:  # unfinished, or a program the text form cannot carry
                report.unusable += 1
                traces[-1]["message"] = traces[-1]["message"] or str(exc)
            else:
                transitions += rows
                trajectories += texts
            if progress is not None:
                progress()
    report.trajectories, report.transitions = len(trajectories), len(transitions)
    report.seconds = time.monotonic() - started
    provenance = {
        "codefrontier_version": __version__,
        "format_version": FORMAT_VERSION,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": sys.argv,
        "policy": "random",
        "actions": actions,
        "seed": seed,
        "direction": direction,
        "per_trace": per_trace,
        "limits": limits.to_json(),
        "inputs": inputs or {},
        "counts": {
            "sources": report.sources,
            "skipped_sources": report.skipped_sources,
            "traces": report.traces,
            "unusable_traces": report.unusable,
            "trajectories": report.trajectories,
            "transitions": report.transitions,
        },
        "tracer": {"isolation": level, "python": sys.version.split()[0]},
        "machine": {"platform": platform.platform(), "cores": os.cpu_count()},
    }
    _write(Path(out_dir), transitions, trajectories, traces, provenance, jsonl)
    return report


def _sample(
    source: Source, trace: Any, actions: int, seed: int, directions: Sequence[str], per_trace: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    tree = StateTree.of(trace)
    frames = cwm.frames_of(trace)
    entry = trace.entry_line
    rows, texts = [], []
    for direction in directions:
        for index in range(per_trace):
            trajectory = random_trajectory(
                tree, rng_for(seed, source.id, direction, index), actions, direction, source.id, index
            )
            check_trajectory(tree, trajectory)
            pieces = trajectory_text(trace.code, entry, frames, trajectory)
            state = trajectory.start
            for k, step in enumerate(trajectory.steps):
                rows.append(
                    {
                        "source": source.id,
                        "origin": source.origin,
                        "trajectory": index,
                        "direction": direction,
                        "step": k,
                        "action": step.action,
                        "arg": json.dumps(list(step.arg) if isinstance(step.arg, tuple) else step.arg),
                        "from_state": state,
                        "to_state": step.state,
                        "skipped": abs(step.state - state) - 1,
                        "event": trace.events[step.state].kind,
                        "line": trace.events[step.state].line,
                        "depth": trace.events[step.state].depth,
                        "prompt": "".join(pieces[: 2 * k + 2]),
                        "target": pieces[2 * k + 2],
                    }
                )
                state = step.state
            texts.append(
                {
                    "source": source.id,
                    "origin": source.origin,
                    "trajectory": index,
                    "direction": direction,
                    "start_state": trajectory.start,
                    "steps": len(trajectory.steps),
                    "text": "".join(pieces),
                }
            )
    return rows, texts


TRANSITION_COLUMNS = [
    ("source", "string"),
    ("origin", "string"),
    ("trajectory", "int64"),
    ("direction", "string"),
    ("step", "int64"),
    ("action", "string"),
    ("arg", "string"),
    ("from_state", "int64"),
    ("to_state", "int64"),
    ("skipped", "int64"),
    ("event", "string"),
    ("line", "int64"),
    ("depth", "int64"),
    ("prompt", "string"),
    ("target", "string"),
]
TRAJECTORY_COLUMNS = [
    ("source", "string"),
    ("origin", "string"),
    ("trajectory", "int64"),
    ("direction", "string"),
    ("start_state", "int64"),
    ("steps", "int64"),
    ("text", "string"),
]
TRACE_COLUMNS = [
    ("source", "string"),
    ("origin", "string"),
    ("code", "string"),
    ("call", "string"),
    ("outcome", "string"),
    ("value", "string"),
    ("message", "string"),
    ("events", "int64"),
    ("trace", "string"),
    ("cpu_s", "float64"),
]


def _schema(columns: list[tuple[str, str]]) -> Any:
    import pyarrow as pa

    return pa.schema([(name, getattr(pa, kind)()) for name, kind in columns])


def _write(
    out: Path,
    transitions: list[dict[str, Any]],
    trajectories: list[dict[str, Any]],
    traces: list[dict[str, Any]],
    provenance: dict[str, Any],
    jsonl: bool,
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from codefrontier.problems.io import write_jsonl_atomic

    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".building-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        tables = {
            "transitions": (transitions, TRANSITION_COLUMNS),
            "trajectories": (trajectories, TRAJECTORY_COLUMNS),
            "traces": (traces, TRACE_COLUMNS),
        }
        for name, (rows, columns) in tables.items():
            pq.write_table(
                pa.Table.from_pylist(rows, schema=_schema(columns)),
                staging / f"{name}.parquet",
                compression="zstd",
            )
        (staging / "provenance.json").write_text(json.dumps(provenance, indent=2, sort_keys=True) + "\n")
        for name in ("transitions", "trajectories", "traces", "provenance"):
            suffix = ".json" if name == "provenance" else ".parquet"
            os.replace(staging / f"{name}{suffix}", out / f"{name}{suffix}")
        if jsonl:
            for name in ("transitions", "trajectories"):
                write_jsonl_atomic(out / f"{name}.jsonl", tables[name][0])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
