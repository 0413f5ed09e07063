"""Execution traces of a Python function call, recorded in the sandbox (docs/traces.md).

    from codefrontier.traces import trace_call, Tracer, TraceLimits

    trace = trace_call("def f(x):\\n    return x + 1\\n", "f(1)")
    trace.outcome, trace.value            # 'returned', '2'
    [e.kind for e in trace.events]         # ['call', 'line', 'return']

Programs are untrusted: tracing never happens in this process. `runtime/tracer.py` (a
standard-library script) runs in a sandbox as a fresh process per trace and streams its
events back; this module starts it, validates every line it sends, and turns the stream
into a `Trace`. What a trace records and every limit is in docs/traces.md.

Outcomes: ``returned`` and ``raised`` (the call finished; `value` is the repr of what it
returned or raised), ``limit`` (events, bytes or CPU: the trace ends cleanly where the
limit was hit), ``timeout`` (the sandbox killed the run: a C-level loop, a sleep),
``memory``, ``error`` (the program or the call does not parse, the program raises while
loading, the call names no function of the program) and ``crashed`` (the process ended
before the call returned, e.g. ``os._exit``, or sent a garbled stream).
"""

from __future__ import annotations

import ast
import io
import json
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from typing import Any

from codefrontier import pyast
from codefrontier.settings import Settings, in_range, positive, setting

EVENT_KINDS = ("call", "line", "return", "exception")
FINISHED = ("returned", "raised")
OUTCOMES = ("returned", "raised", "limit", "timeout", "memory", "error", "crashed")
MAX_CODE_BYTES = 1 << 20  # a program bigger than this is refused before anything runs
TRUNCATED_MARK = "…<truncated>"  # what runtime/tracer.py appends to a cut repr (its TRUNCATED)
BATCH = 16  # calls per sandbox run in trace_many


@dataclass(frozen=True)
class TraceLimits(Settings):
    """Limits of one trace. Each ends the trace with a clear outcome when hit (a cut repr
    is marked and the trace goes on)."""

    max_events: int = setting(20_000, "events per trace (outcome `limit`)", check=positive)
    max_repr: int = setting(
        1_000, "characters per value; a longer repr is cut and marked …<truncated>", check=positive
    )
    max_bytes: int = setting(16 << 20, "bytes of trace per call (outcome `limit`)", check=positive)
    max_stdout: int = setting(
        64 << 10, "characters of the program's own output kept (the rest is counted)", check=positive
    )
    cpu_s: float = setting(5.0, "CPU seconds per traced call (outcome `limit` or `timeout`)", check=positive)
    wall_s: float = setting(20.0, "wall-clock seconds per traced call (outcome `timeout`)", check=positive)
    memory_mb: int = setting(1024, "memory of the traced process in MiB (outcome `memory`)", check=positive)
    repr_s: float = setting(
        0.25, "seconds one user-defined __repr__ may take before it is recorded as timed out", check=positive
    )
    hash_seed: int | None = setting(
        0,
        "PYTHONHASHSEED of the traced process, so that sets and dicts of strings repr the same on "
        "every run (None: the sandbox's own random seed, one interpreter start less per trace)",
        check=in_range(0, 4294967295),
        none="-1",
    )


@dataclass(frozen=True)
class Event:
    """One traced event. `locals` (``{name: repr}``, every bound local) is recorded for
    `call` and `line` events; `value` (a repr) for `return` (the returned value; ``None``
    when the frame is left by an exception, as sys.settrace reports it) and `exception`
    (the exception). `depth` is the call depth, 0 for the entry function."""

    kind: str
    line: int
    depth: int
    locals: dict[str, str] | None = None
    value: str | None = None
    function: str | None = None  # the code object's name, on call events
    generator: bool = False  # on call events: a generator or coroutine frame (each resume is a call)


@dataclass
class Trace:
    """What one traced call did. `events` are in execution order; `value` is the repr of
    what the call returned (`outcome` ``returned``) or raised (``raised``)."""

    code: str
    call: str
    events: list[Event]
    outcome: str
    value: str | None = None
    message: str = ""
    limit: str | None = None  # which limit ended the trace (outcome `limit`)
    stdout: str = ""
    stdout_chars: int = 0
    truncated_values: int = 0
    failed_reprs: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0
    rss_kb: int = 0

    @property
    def finished(self) -> bool:
        """The call returned or raised and every event of it is here."""
        return self.outcome in FINISHED

    @property
    def lines(self) -> list[str]:
        return source_lines(self.code)

    def source(self, line: int) -> str:
        """The text of program line `line` (1-based), with its newline."""
        lines = self.lines
        return lines[line - 1] if 1 <= line <= len(lines) else ""

    @property
    def entry_line(self) -> int | None:
        """The `def` line of the entry function (where CWM's START_OF_TRACE marker goes)."""
        if not self.events:
            return None
        return def_line(self.code, self.events[0].line)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "call": self.call,
            "outcome": self.outcome,
            "value": self.value,
            "message": self.message,
            "limit": self.limit,
            "stdout": self.stdout,
            "stdout_chars": self.stdout_chars,
            "truncated_values": self.truncated_values,
            "failed_reprs": self.failed_reprs,
            "cpu_s": self.cpu_s,
            "wall_s": self.wall_s,
            "rss_kb": self.rss_kb,
            "events": [event_to_json(e) for e in self.events],
        }


def event_to_json(event: Event) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": event.kind, "line": event.line, "depth": event.depth}
    if event.kind in ("call", "line"):
        out["locals"] = event.locals
    else:
        out["value"] = event.value
    if event.kind == "call":
        out["function"] = event.function
        out["generator"] = event.generator
    return out


def trace_from_json(obj: dict[str, Any]) -> Trace:
    events = [
        Event(
            kind=e["kind"],
            line=e["line"],
            depth=e["depth"],
            locals=e.get("locals"),
            value=e.get("value"),
            function=e.get("function"),
            generator=bool(e.get("generator", False)),
        )
        for e in obj["events"]
    ]
    known = {f.name for f in fields(Trace)} - {"events"}
    return Trace(events=events, **{k: v for k, v in obj.items() if k in known})


def source_lines(code: str) -> list[str]:
    """The program's lines as Python numbers them (\\n, \\r\\n and \\r end a line), each
    ending in \\n (the last one too), as `linecache.getline` returns them."""
    lines = io.StringIO(code, newline=None).readlines()
    return [line if line.endswith("\n") else line + "\n" for line in lines]


def def_line(code: str, first_line: int) -> int:
    """The line of the `def` whose code starts at `first_line` (a decorated function's code
    starts at its first decorator); `first_line` itself when no function starts there."""
    try:
        tree = pyast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return first_line
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if start == first_line:
                return node.lineno
    return first_line


def tracer_source() -> bytes:
    from codefrontier.traces.workers import runtime_program

    return runtime_program("tracer")


class Tracer:
    """Traces calls on `jobs` sandboxes (one per worker, reused). Thread-safe."""

    def __init__(
        self, limits: TraceLimits | None = None, *, jobs: int | None = 1, isolation: str = "auto"
    ) -> None:
        from codefrontier.traces.workers import SandboxPool

        self.limits = limits or TraceLimits()
        self.pool = SandboxPool(jobs, isolation)
        self._fd: int | None = None
        self._lock = threading.Lock()

    def _tracer_fd(self) -> int:
        with self._lock:
            if self._fd is None:
                from codefrontier.sandbox import memfd_from_bytes

                self._fd = memfd_from_bytes(tracer_source(), "tracer.py")
            return self._fd

    def trace(self, code: str, call: str) -> Trace:
        """Trace one call on this thread's sandbox."""
        return self.pool.run(lambda sb: self.trace_on(sb, code, call))

    def trace_many(self, items: Iterable[tuple[str, str]], *, batch: int = BATCH) -> Iterator[Trace]:
        """Trace (code, call) pairs on every worker; traces in the order given. Calls go in
        batches of `batch` per sandbox run (one interpreter start, a fresh fork per call)."""
        return self._many(items, batch, untraced=False)

    def run_many(self, items: Iterable[tuple[str, str]], *, batch: int = BATCH) -> Iterator[Trace]:
        """The same calls without tracing (event-less Traces with the outcome and value):
        what the calls cost untraced, run exactly as traced ones are."""
        return self._many(items, batch, untraced=True)

    def _many(self, items: Iterable[tuple[str, str]], batch: int, untraced: bool) -> Iterator[Trace]:
        items = list(items)
        groups = [items[k : k + max(1, batch)] for k in range(0, len(items), max(1, batch))]
        for traces in self.pool.map(
            lambda sb, group: self.trace_batch_on(sb, group, untraced=untraced), groups
        ):
            yield from traces

    def trace_batch_on(
        self, sandbox: Any, items: list[tuple[str, str]], *, untraced: bool = False
    ) -> list[Trace]:
        """Several calls in one sandbox run, each in a fresh fork of a clean tracer process
        (runtime/tracer.py, "Batches"). Calls the batch did not reach (it was killed as a
        whole) are traced one per run."""
        from codefrontier.sandbox import Limits, memfd_from_bytes

        limits = self.limits
        if len(items) == 1 or any(
            len(code.encode("utf-8", "surrogatepass")) > MAX_CODE_BYTES for code, _ in items
        ):
            return [self.trace_on(sandbox, code, call, untraced=untraced) for code, call in items]
        from codefrontier.traces.workers import zygote_preimports

        jobs = [{"code": code, "call": call, "untraced": untraced} for code, call in items]
        batch = {"batch": jobs, "limits": limits.to_json(), "preimport": zygote_preimports()}
        stdin = memfd_from_bytes(json.dumps(batch).encode("utf-8", "surrogatepass"), "batch")
        tracer_fd = self._tracer_fd()
        n = len(items)
        try:
            run = sandbox.run_python(
                tracer_fd,
                stdin,
                Limits(
                    cpu_s=n * (limits.cpu_s + 2.0) + 5.0,
                    wall_s=n * (limits.wall_s + 1.0) + 10.0,
                    memory_mb=limits.memory_mb,
                    output_bytes=min(n * (limits.max_bytes + 4 * limits.max_stdout + (1 << 20)), 1 << 30),
                    nproc=16,  # the batch process, one child, what the child starts
                ),
                argv=self._argv(),
                extra_fds={3: tracer_fd},
            )
        finally:
            os.close(stdin)
        from codefrontier.traces.workers import read_batch

        traces: list[Trace] = []
        for header, body in read_batch(run.stdout, n):
            code, call = items[len(traces)]
            child = _Run(
                status="signaled" if header.get("signal") else "exited",
                exit_code=header.get("exit"),
                signal=header.get("signal"),
                killed=header.get("killed", "none"),
                cpu_s=float(header.get("cpu_s", 0.0)),
                wall_s=float(header.get("wall_s", 0.0)),
                peak_kb=int(header.get("rss_kb", 0)),
                stdout=body,
            )
            traces.append(self._finish(code, call, child))
        for code, call in items[len(traces) :]:
            traces.append(self.trace_on(sandbox, code, call, untraced=untraced))
        return traces

    def _argv(self) -> list[str]:
        argv = ["tracer.py"]
        if self.limits.hash_seed is not None:
            argv += ["--hash-seed", str(self.limits.hash_seed)]
        return argv

    def trace_on(self, sandbox: Any, code: str, call: str, *, untraced: bool = False) -> Trace:
        from codefrontier.sandbox import Limits, memfd_from_bytes

        if len(code.encode("utf-8", "surrogatepass")) > MAX_CODE_BYTES:
            return Trace(
                code, call, [], "error", message=f"the program is larger than {MAX_CODE_BYTES} bytes"
            )
        limits = self.limits
        job = {"code": code, "call": call, "limits": limits.to_json(), "untraced": untraced}
        stdin = memfd_from_bytes(json.dumps(job).encode("utf-8", "surrogatepass"), "job")
        argv = self._argv()
        tracer_fd = self._tracer_fd()
        try:
            run = sandbox.run_python(
                tracer_fd,
                stdin,
                Limits(
                    cpu_s=limits.cpu_s + 1.0,  # the tracer stops itself at cpu_s; this is the backstop
                    wall_s=limits.wall_s,
                    memory_mb=limits.memory_mb,
                    output_bytes=limits.max_bytes + 4 * limits.max_stdout + (1 << 20),
                ),
                argv=argv,
                extra_fds={3: tracer_fd},
            )
        finally:
            os.close(stdin)
        return self._finish(code, call, run)

    def _finish(self, code: str, call: str, run: Any) -> Trace:
        limits = self.limits
        trace = parse_stream(code, call, run.stdout)
        trace.cpu_s, trace.wall_s, trace.rss_kb = run.cpu_s, run.wall_s, run.peak_kb
        if trace.outcome == "crashed" and not trace.message:
            trace.message = _ending(run)
            # The sandbox's own observation (the run cgroup's OOM kill, or a peak at the
            # limit), never the program's word (a MemoryError it raised itself).
            out_of_memory = run.oom or (
                run.status == "signaled" and run.peak_kb >= limits.memory_mb * 1024 * 0.9
            )
            if run.killed != "none":
                trace.outcome = "timeout"
            elif out_of_memory:
                trace.outcome = "memory"
        return trace

    def close(self) -> None:
        self.pool.close()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Tracer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class _Run:
    """What the tracer's batch parent reports of one child (the fields of a RunResult it uses)."""

    status: str
    exit_code: int | None
    signal: int | None
    killed: str
    cpu_s: float
    wall_s: float
    peak_kb: int
    stdout: bytes
    stderr: bytes = b""
    oom: bool = False


def _ending(run: Any) -> str:
    if run.killed == "cpu":
        return "the call was stopped at its CPU limit"
    if run.killed == "wall":
        return "the call was stopped at its wall-clock limit"
    if getattr(run, "oom", False):
        return "the call ran out of memory"
    if run.status == "signaled":
        return f"the process was killed by signal {run.signal}"
    stderr = run.stderr.decode(errors="replace").strip().splitlines()
    tail = f": {stderr[-1][:300]}" if stderr else ""
    return f"the process ended (exit status {run.exit_code}) before the call returned{tail}"


def trace_call(code: str, call: str, limits: TraceLimits | None = None, *, isolation: str = "auto") -> Trace:
    """Trace one call on a sandbox made for it (for many calls, keep a `Tracer`)."""
    with Tracer(limits, jobs=1, isolation=isolation) as tracer:
        return tracer.trace(code, call)


# ----------------------------------------------------------------------------- the stream


class _Garbled(Exception):
    pass


def parse_stream(code: str, call: str, data: bytes) -> Trace:
    """The Trace in a tracer's output: every line is checked; a stream without its end
    record (the process was killed or left) is `crashed` until the caller knows better."""
    n_lines = len(source_lines(code))
    events: list[Event] = []
    raw_lines = data.split(b"\n")
    complete = raw_lines[:-1]  # the last piece has no newline: cut off by a kill
    depth = 0
    try:
        for index, raw in enumerate(complete):
            record = json.loads(raw.decode("utf-8", "surrogatepass"))
            if isinstance(record, dict):
                if index != len(complete) - 1:
                    raise _Garbled("an end record before the last line")
                return _finished(code, call, events, record)
            event = _event(record, n_lines)
            expected = depth if event.kind == "call" else depth - 1
            if event.depth != expected:
                raise _Garbled(f"event {len(events)} has depth {event.depth}, expected {expected}")
            if event.kind == "call":
                depth += 1
            elif event.kind == "return":
                depth -= 1
            events.append(event)
    except (_Garbled, ValueError, TypeError, KeyError, IndexError) as exc:
        return Trace(code, call, events, "crashed", message=f"the trace stream is garbled: {exc}"[:500])
    return Trace(code, call, events, "crashed")


def _event(record: Any, n_lines: int) -> Event:
    if not isinstance(record, list) or not record or record[0] not in EVENT_KINDS:
        raise _Garbled("not an event")
    kind, line, depth = record[0], record[1], record[2]
    if type(line) is not int or not 1 <= line <= n_lines or type(depth) is not int or depth < 0:
        raise _Garbled(f"bad line or depth in {kind} event")
    if kind in ("call", "line"):
        local_vars = record[3]
        if not isinstance(local_vars, dict) or not all(isinstance(v, str) for v in local_vars.values()):
            raise _Garbled(f"bad locals in {kind} event")
        if kind == "call":
            name, generator = record[4], record[5]
            if not isinstance(name, str) or not isinstance(generator, bool) or len(record) != 6:
                raise _Garbled("bad call event")
            return Event(kind, line, depth, local_vars, None, name, generator)
        if len(record) != 4:
            raise _Garbled("bad line event")
        return Event(kind, line, depth, local_vars)
    value = record[3]
    if not isinstance(value, str) or len(record) != 4:
        raise _Garbled(f"bad value in {kind} event")
    return Event(kind, line, depth, None, value)


def _finished(code: str, call: str, events: list[Event], end: dict[str, Any]) -> Trace:
    outcome = end.get("end")
    if outcome not in ("returned", "raised", "limit", "error", "crashed"):
        raise _Garbled(f"unknown end {outcome!r}")

    def text(key: str) -> str:
        value = end.get(key, "")
        return value if isinstance(value, str) else ""

    def number(key: str) -> int:
        value = end.get(key, 0)
        return value if type(value) is int and value >= 0 else 0

    value = end.get("value")
    return Trace(
        code,
        call,
        events,
        outcome,
        value=value if isinstance(value, str) else None,
        message=text("message"),
        limit=end.get("limit") if isinstance(end.get("limit"), str) else None,
        stdout=text("stdout"),
        stdout_chars=number("stdout_chars"),
        truncated_values=number("truncated_values"),
        failed_reprs=number("failed_reprs"),
    )
