"""The tracer: runs inside the sandbox, standard library only (the sandbox has no site-packages).

The host (`codefrontier.traces.tracer`) runs this file with `Sandbox.run_python`, the job
as JSON on stdin: ``{"code", "call", "limits": {...}}``. It loads the program (untraced),
then evaluates the call with `sys.settrace` on and records every ``call``, ``line``,
``return`` and ``exception`` event of the program's own code (never of the standard
library nor of the call expression), with the line number, the call depth (0 = the
entry function), the locals as ``{name: repr}`` and the returned or raised value.

Output: JSON lines on the stdout it was started with (the program's own prints are
captured separately, fd 1 is pointed at /dev/null, so a program cannot write into the
trace stream by accident):

    ["call", line, depth, {locals}, name, is_generator]
    ["line", line, depth, {locals}]
    ["return", line, depth, value]
    ["exception", line, depth, value]
    {"end": outcome, ...}          # last line: how the trace ended

Events are written in blocks as they happen (every 64 KiB or 50 ms), so a run the
sandbox kills (a C-level loop past the CPU limit, memory) still hands back the events
before the last 50 ms; the host then knows from the kill what happened. Limits end a trace cleanly with ``{"end": "limit"}``:
events per trace, trace bytes, CPU seconds (checked every few hundred events), repr
length per value (cut and marked, the trace goes on), time per user-defined ``__repr__``.

With ``--hash-seed N`` the tracer first re-executes itself (its source on fd 3) in a
fresh interpreter with PYTHONHASHSEED=N, so that the iteration order of sets and dicts
of strings, and thus every repr, is the same on every run and every machine.

Trust: the traced program runs in this process, so it can see and change everything
here; it can forge its own trace but nothing else (the sandbox holds it). The host
checks every line it reads and never trusts a number it has not validated.
"""

import io
import json
import os
import signal
import sys
import time

PROGRAM = "<program>"  # co_filename of the program's code objects
CALL = "<call>"
TRUNCATED = "…<truncated>"  # appended to a repr cut at max_repr characters
PLACEHOLDER = ".."  # the CWM diff form's "unchanged" mark: a repr equal to it is recorded as below
PLACEHOLDER_REPR = "<..>"
FLUSH_BYTES = 1 << 16
FLUSH_S = 0.05  # and at least this often: a kill loses at most the events of the last 50 ms
CPU_CHECK_EVERY = 256
GENERATOR_FLAGS = 0x20 | 0x80 | 0x200  # CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR


def reexec_with_hash_seed(argv):
    """Start again in a fresh interpreter with a fixed hash seed (when asked and not done yet)."""
    if "--hash-seed" not in argv:
        return
    seed = argv[argv.index("--hash-seed") + 1]
    if os.environ.get("PYTHONHASHSEED") == seed:
        return
    try:  # and the same addresses in default reprs (<object at 0x...>): no address-space randomisation
        import ctypes

        ctypes.CDLL(None, use_errno=True).personality(0x0040000)  # ADDR_NO_RANDOMIZE
    except Exception:
        pass
    exe = sys.executable
    os.execve(exe, [exe, "-S", "-s", "-B", "/proc/self/fd/3", *argv], {"PYTHONHASHSEED": seed})


class Capture(io.TextIOBase):
    """The program's stdout or stderr: the first `limit` characters are kept, the rest counted."""

    def __init__(self, limit):
        self.limit = limit
        self.parts = []
        self.kept = 0
        self.total = 0

    def writable(self):
        return True

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        n = len(s)
        self.total += n
        if self.kept < self.limit:
            piece = s[: self.limit - self.kept]
            self.parts.append(piece)
            self.kept += len(piece)
        return n

    def text(self):
        return "".join(self.parts)


class ReprTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise ReprTimeout()


class Reprs:
    """Bounded, guarded reprs. Builtin containers are rendered here (exactly as their own
    repr would, cycles included) and stop as soon as the limit is passed, so a huge list
    costs no more than `limit` characters; other objects run their own `__repr__` under a
    timer. A repr that raises, recurses too deep or runs too long is recorded as what
    happened, never propagated into the program."""

    def __init__(self, limit, repr_s):
        self.limit = limit
        self.repr_s = repr_s
        self.truncated = 0
        self.failed = 0

    def __call__(self, value):
        try:
            parts = []
            budget = [self.limit + 1]
            self._render(value, parts, budget, set())
            text = "".join(parts)
        except _Full:
            text = "".join(parts)
        except ReprTimeout:
            self.failed += 1
            return f"<repr of {_type_name(value)} timed out>"
        except RecursionError:
            self.failed += 1
            return f"<repr of {_type_name(value)} failed: RecursionError>"
        except BaseException as exc:  # a __repr__ that raises anything at all
            self.failed += 1
            return f"<repr of {_type_name(value)} failed: {_type_name(exc)}>"
        if len(text) > self.limit:
            self.truncated += 1
            return text[: self.limit] + TRUNCATED
        if text == PLACEHOLDER:
            return PLACEHOLDER_REPR
        return text

    def _put(self, parts, budget, text):
        parts.append(text)
        budget[0] -= len(text)
        if budget[0] < 0:
            raise _Full()

    def _render(self, value, parts, budget, active):
        t = type(value)
        if t is str:
            if len(value) > budget[0]:
                value = value[: budget[0]]
            self._put(parts, budget, repr(value))
        elif t is bytes:
            self._put(parts, budget, repr(value[: budget[0]] if len(value) > budget[0] else value))
        elif t is int or t is float or t is bool or value is None or t is complex:
            self._put(parts, budget, repr(value))
        elif t is list or t is tuple or t is set or t is frozenset or t is dict:
            self._container(value, t, parts, budget, active)
        else:
            self._put(parts, budget, self._user_repr(value))

    def _container(self, value, t, parts, budget, active):
        key = id(value)
        if key in active:  # what CPython's Py_ReprEnter prints for a cycle
            self._put(
                parts, budget, {list: "[...]", dict: "{...}", tuple: "(...)"}.get(t, f"{t.__name__}(...)")
            )
            return
        if not value:
            self._put(
                parts,
                budget,
                {list: "[]", tuple: "()", dict: "{}", set: "set()", frozenset: "frozenset()"}[t],
            )
            return
        active.add(key)
        try:
            if t is list:
                opener, closer = "[", "]"
            elif t is tuple:
                opener, closer = "(", ",)" if len(value) == 1 else ")"
            elif t is dict or t is set:
                opener, closer = "{", "}"
            else:
                opener, closer = "frozenset({", "})"
            self._put(parts, budget, opener)
            first = True
            if t is dict:
                for k, v in list(value.items()):
                    if not first:
                        self._put(parts, budget, ", ")
                    first = False
                    self._render(k, parts, budget, active)
                    self._put(parts, budget, ": ")
                    self._render(v, parts, budget, active)
            else:
                for item in list(value):
                    if not first:
                        self._put(parts, budget, ", ")
                    first = False
                    self._render(item, parts, budget, active)
            self._put(parts, budget, closer)
        finally:
            active.discard(key)

    def _user_repr(self, value):
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, self.repr_s)
        try:
            text = repr(value)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        if not isinstance(text, str):
            raise TypeError("__repr__ returned non-string")
        return text


class _Full(Exception):
    """The repr passed its length limit: stop rendering."""


def _type_name(value):
    try:
        return type(value).__name__
    except BaseException:
        return "object"


class Tracer:
    def __init__(self, out_fd, limits, stdout, stderr):
        self.out_fd = out_fd
        self.max_events = int(limits["max_events"])
        self.max_bytes = int(limits["max_bytes"])
        self.cpu_s = float(limits["cpu_s"])
        self.reprs = Reprs(int(limits["max_repr"]), float(limits["repr_s"]))
        self.stdout = stdout
        self.stderr = stderr
        self.events = 0
        self.bytes = 0
        self.buffer = []
        self.buffered = 0
        self.depth = 0
        self.dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        self.write = os.write
        self.process_time = time.process_time
        self.clock = time.monotonic
        self.flushed_at = self.clock()
        self.settrace = sys.settrace
        self.exit = os._exit
        self.getpid = os.getpid
        self.owner = os.getpid()

    # -- output ------------------------------------------------------------------
    def emit(self, record):
        line = self.dumps(record) + "\n"
        data = line.encode("utf-8", "surrogatepass")
        if self.bytes + len(data) > self.max_bytes:
            self.finish(
                {"end": "limit", "limit": "bytes", "message": f"the trace passed {self.max_bytes} bytes"}
            )
        self.bytes += len(data)
        self.buffer.append(data)
        self.buffered += len(data)
        if self.buffered >= FLUSH_BYTES or self.clock() - self.flushed_at > FLUSH_S:
            self.flush()

    def flush(self):
        if self.getpid() != self.owner:  # a process the program forked: not the traced call
            self.settrace(None)
            self.buffer = []
            return
        data = b"".join(self.buffer)
        self.buffer = []
        self.buffered = 0
        self.flushed_at = self.clock()
        view = memoryview(data)
        while view:
            view = view[self.write(self.out_fd, view) :]

    def finish(self, end):
        """Write the end record and leave at once (from anywhere, even inside the trace function)."""
        self.settrace(None)
        end.setdefault("events", self.events)
        end["truncated_values"] = self.reprs.truncated
        end["failed_reprs"] = self.reprs.failed
        end["stdout"] = self.stdout.text()
        end["stdout_chars"] = self.stdout.total
        end["stderr"] = self.stderr.text()
        line = self.dumps(end) + "\n"
        self.buffer.append(line.encode("utf-8", "surrogatepass"))
        self.flush()
        self.exit(0)

    # -- the trace function ------------------------------------------------------
    def locals_of(self, frame):
        render = self.reprs
        return {name: render(value) for name, value in frame.f_locals.items()}

    def count(self):
        self.events += 1
        if self.events > self.max_events:
            self.events -= 1
            self.finish(
                {"end": "limit", "limit": "events", "message": f"the trace passed {self.max_events} events"}
            )
        if self.events % CPU_CHECK_EVERY == 0 and self.process_time() > self.cpu_s:
            self.finish(
                {"end": "limit", "limit": "cpu", "message": f"the call ran past {self.cpu_s:g} CPU seconds"}
            )

    def global_trace(self, frame, event, arg):
        if event != "call" or frame.f_code.co_filename != PROGRAM:
            return None
        try:
            self.count()
            code = frame.f_code
            depth = self.depth
            self.depth += 1
            self.emit(
                [
                    "call",
                    frame.f_lineno,
                    depth,
                    self.locals_of(frame),
                    code.co_name,
                    bool(code.co_flags & GENERATOR_FLAGS),
                ]
            )
        except BaseException as exc:
            self.internal(exc)
        return self.local_trace

    def local_trace(self, frame, event, arg):
        try:
            if event == "line":
                self.count()
                self.emit(["line", frame.f_lineno, self.depth - 1, self.locals_of(frame)])
            elif event == "return":
                self.count()
                self.depth -= 1
                self.emit(["return", frame.f_lineno, self.depth, self.reprs(arg)])
            elif event == "exception":
                self.count()
                self.emit(["exception", frame.f_lineno, self.depth - 1, self.reprs(arg[1])])
        except BaseException as exc:
            self.internal(exc)
        return self.local_trace

    def internal(self, exc):
        self.finish({"end": "crashed", "message": f"the tracer failed: {_type_name(exc)}: {exc}"[:2000]})


def main():
    reexec_with_hash_seed(sys.argv[1:])
    job = json.loads(sys.stdin.buffer.read().decode("utf-8", "surrogatepass"))
    if "batch" in job:
        limits = job["limits"]
        for one in job["batch"]:
            one["limits"] = limits
        run_batch(  # noqa: F821 - defined by batch.py, sent in front of this file
            job["batch"], run_job, float(limits["cpu_s"]), float(limits["wall_s"]), job.get("preimport", ())
        )
    else:
        run_job(job)


def run_job(job):
    """Trace one call; the trace goes to fd 1. Never returns (ends with os._exit)."""
    limits = job["limits"]
    out_fd = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    stdout = Capture(int(limits["max_stdout"]))
    stderr = Capture(int(limits["max_stdout"]))
    sys.stdout = sys.__stdout__ = stdout
    sys.stderr = sys.__stderr__ = stderr
    sys.stdin = sys.__stdin__ = io.StringIO("")
    tracer = Tracer(out_fd, limits, stdout, stderr)
    ends = tracer.finish
    describe = tracer.reprs  # never str(exc): a hostile __str__ may raise or hang

    try:
        program = compile(job["code"], PROGRAM, "exec", dont_inherit=True)
    except BaseException as exc:
        line = getattr(exc, "lineno", None)
        ends(
            {
                "end": "error",
                "error": "syntax",
                "line": line,
                "message": "the program does not parse: " + describe(exc),
            }
        )
    try:
        call = compile(job["call"], CALL, "eval", dont_inherit=True)
    except BaseException as exc:
        ends({"end": "error", "error": "call", "message": "the call does not parse: " + describe(exc)})

    import builtins

    namespace = {"__name__": "program", "__builtins__": builtins}
    try:
        exec(program, namespace)
    except BaseException as exc:
        ends(
            {"end": "error", "error": "load", "message": "the program raised while loading: " + describe(exc)}
        )

    signal.signal(signal.SIGALRM, _on_alarm)
    outcome = "returned"
    value = None
    if job.get("untraced"):  # the same call without the tracer: the baseline of its cost
        try:
            value = eval(call, namespace)
        except BaseException as exc:
            outcome, value = "raised", exc
        ends({"end": outcome, "value": tracer.reprs(value)})
    sys.settrace(tracer.global_trace)
    try:
        result = eval(call, namespace)
    except BaseException as exc:
        sys.settrace(None)
        outcome = "raised"
        value = exc
    else:
        sys.settrace(None)
        value = result
    if tracer.events == 0:
        if outcome == "raised":
            message = "the call names no function of the program: " + describe(value)
        else:
            message = "the call ran no code of the program"
        ends({"end": "error", "error": "entry", "message": message})
    end = {"end": outcome, "value": tracer.reprs(value)}
    if outcome == "raised":
        end["message"] = "the call raised " + end["value"]
    if tracer.depth != 0:
        end = {
            "end": "crashed",
            "message": "the program turned the tracer off (sys.settrace) before the call returned",
        }
    ends(end)


if __name__ == "__main__":
    main()
