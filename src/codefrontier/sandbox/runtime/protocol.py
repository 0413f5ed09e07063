"""The one protocol between the judge (the host) and the zygote (inside the sandbox).

Both sides import this module: the host as ``codefrontier.sandbox.runtime.protocol``,
the zygote from its own directory (the sandbox has no site-packages). Standard library
only, and cheap to import: every name the zygote holds is copied into every run it forks.

Messages are JSON objects on a SOCK_SEQPACKET socket, with file descriptors beside them.
A request names its ``op`` and carries `Limits`; a run's answer is a `RunReply`. Every
field has its type and default here, once: the reading side never guesses.

Trust: a reply is built by the zygote from what the kernel measured (wait4, the run's
cgroup, the process clock) and from what the child runtime said on its *setup channel*
before any user code ran. What a solution process says on its session channel is
program-controlled: it is parsed with `parse_untrusted` and may only choose among
`PROGRAM_KINDS`, which are all correctness failures. No program can make a reply say
TLE, MLE, CE or IE.
"""

import json

# -- operations ---------------------------------------------------------------------------
OP_SETUP = "setup"  # fds: [stdout memfd, stderr memfd] the host reads after each run
OP_PYTHON = "python"  # a Python program as a fresh process
OP_EXEC = "exec"  # an executable through cf-launch
OP_SESSION_START = "session_start"  # load a solution for function/assert tests
OP_CALL = "call"  # one call of the loaded entry point
OP_ASSERT = "assert"  # one assert test against the loaded solution
OP_SESSION_END = "session_end"
OP_RUN_SESSION = "run_session"  # every test of a sample in one request
OP_QUIESCE = "quiesce"  # drop the parked child and any session

# -- how a process ended --------------------------------------------------------------------
EXITED = "exited"
SIGNALED = "signaled"
INTERNAL = "internal"  # the sandbox failed: the judge's fault, retried then IE

# -- why the sandbox stopped a run ------------------------------------------------------------
KILLED_NONE = "none"
KILLED_CPU = "cpu"  # the run's CPU time (every process it made) passed its limit
KILLED_WALL = "wall"  # the wall-clock backstop
KILLED_OUTPUT = "output"  # stdout passed the output limit

# -- what the child runtime said before user code ran (its setup channel) ---------------------
SETUP_STARTED = "started"  # user code is about to run: from here on, every exit is the program's
SETUP_SYNTAX = "syntax"  # the source does not compile (Python): a compile error
SETUP_FAILED = "failed"  # the sandbox could not prepare the run: the judge's fault
SETUP_NONE = "none"  # the child died before saying anything: the judge's fault
SETUP_EXEC_FAILED = "exec_failed"  # execve refused the program (cf-launch); errno in the message
SETUP_EXEC_NOMEM = "exec_nomem"  # execve refused it for memory (ENOMEM): the program is too large

# -- what a solution process may say about a failed call or load ------------------------------
PROGRAM_KINDS = frozenset({"RE", "WA", "OLE"})

# -- how time and memory were measured ---------------------------------------------------------
MEASURED_CGROUP = "cgroup"  # the run's own cgroup: every process it made, peaks it cannot reset
MEASURED_PROCESS = "process"  # wait4 and the process clock of the run's first process only

# Exit statuses of the child runtime before user code (never read as a verdict: the
# setup channel decides; they only make a log readable).
EXIT_SETUP = 210
MAX_FDS = 250  # descriptors in one message (the kernel allows 253)
MAX_MESSAGE = 1 << 20


class ProtocolError(Exception):
    """A message that does not follow this protocol (from the trusted side: a bug)."""


class Limits:
    """Limits of one run. `cpu_s` decides TLE (CPU of every process the run made);
    `wall_s` is the backstop for programs that sleep; `memory_mb` decides MLE."""

    FIELDS = {
        "cpu_s": 1.0,
        "wall_s": 3.0,
        "memory_mb": 256.0,
        "output_bytes": 64 << 20,
        "nproc": 8,
        "nofile": 64,
        "harness_cpu_s": 10.0,
    }
    __slots__ = tuple(FIELDS)

    def __init__(
        self, cpu_s, wall_s, memory_mb=256, output_bytes=64 << 20, nproc=8, nofile=64, harness_cpu_s=10.0
    ):
        self.cpu_s = float(cpu_s)
        self.wall_s = float(wall_s)
        self.memory_mb = None if memory_mb is None else float(memory_mb)
        self.output_bytes = int(output_bytes)
        self.nproc = int(nproc)
        self.nofile = int(nofile)
        self.harness_cpu_s = float(harness_cpu_s)

    def to_json(self):
        return {name: getattr(self, name) for name in self.FIELDS}

    @classmethod
    def from_json(cls, obj):
        if not isinstance(obj, dict):
            raise ProtocolError(f"limits must be an object, got {type(obj).__name__}")
        return cls(**{k: obj.get(k, default) for k, default in cls.FIELDS.items()})

    def replace(self, **changes):
        values = self.to_json()
        values.update(changes)
        return Limits(**values)

    def __eq__(self, other):
        return isinstance(other, Limits) and self.to_json() == other.to_json()

    def __repr__(self):
        return "Limits(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self.FIELDS) + ")"


class RunReply:
    """What one run did, as the zygote measured it."""

    FIELDS = {
        "status": INTERNAL,  # exited | signaled | internal
        "code": None,  # exit status, when exited
        "signal": None,  # terminating signal, when signaled
        "cpu_s": 0.0,  # CPU seconds of every process of the run (see `measured`)
        "wall_s": 0.0,
        "peak_kb": 0,  # peak memory of the run, KiB
        "killed": KILLED_NONE,  # none | cpu | wall | output
        "oom": False,  # the kernel killed a process of the run at its memory limit
        "setup": SETUP_NONE,  # what the child runtime said before user code
        "message": "",  # the sandbox's own explanation (setup failures, compile errors)
        "measured": MEASURED_PROCESS,
        "stdout_bytes": 0,  # bytes the run wrote to stdout (kept up to the output limit)
        "stderr_bytes": 0,
        "collected": [],  # names of files handed back (exec runs), in the order of the fds
    }
    __slots__ = tuple(FIELDS)

    def __init__(self, **values):
        for name, default in self.FIELDS.items():
            value = values.get(name, default)
            setattr(self, name, list(value) if isinstance(default, list) else value)

    def to_json(self):
        return {name: getattr(self, name) for name in self.FIELDS}

    @classmethod
    def from_json(cls, obj):
        if not isinstance(obj, dict):
            raise ProtocolError("a run reply must be an object")
        unknown = set(obj) - set(cls.FIELDS) - {"session_alive"}
        if unknown:
            raise ProtocolError(f"unknown fields in a run reply: {sorted(unknown)}")
        return cls(**{k: v for k, v in obj.items() if k in cls.FIELDS})


class CallReply:
    """One function call or assert test against a loaded solution: the outcome as the
    zygote judged it (`status` ok | error | internal), the program-chosen `kind` (one of
    PROGRAM_KINDS) when the solution reported a failure, and the measured cost."""

    FIELDS = {
        "status": INTERNAL,  # ok | error | internal
        "kind": "",  # error: RE | WA | OLE (program-reported) or TLE | MLE | CE (measured)
        "message": "",
        "cpu_s": 0.0,
        "wall_s": 0.0,
        "peak_kb": 0,
        "killed": KILLED_NONE,
        "oom": False,
        "measured": MEASURED_PROCESS,
        "load": False,  # the failure happened while loading the solution, not in this call
        "bytes": 0,  # size of the returned value (function calls)
    }
    __slots__ = tuple(FIELDS)

    def __init__(self, **values):
        for name, default in self.FIELDS.items():
            setattr(self, name, values.get(name, default))

    def to_json(self):
        return {name: getattr(self, name) for name in self.FIELDS}

    @classmethod
    def from_json(cls, obj):
        if not isinstance(obj, dict):
            raise ProtocolError("a call reply must be an object")
        return cls(**{k: v for k, v in obj.items() if k in cls.FIELDS})


def encode(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def decode(msg: bytes) -> dict:
    """A message from the trusted side; anything else is a bug (ProtocolError)."""
    try:
        obj = json.loads(msg)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"not a protocol message: {exc}") from None
    if not isinstance(obj, dict):
        raise ProtocolError("a protocol message must be a JSON object")
    return obj


def parse_untrusted(msg: bytes):
    """A message a program could have written: a dict, or None when it is not one. Never
    raises, whatever the bytes (deep nesting, huge numbers, invalid UTF-8)."""
    if len(msg) > MAX_MESSAGE:
        return None
    try:
        obj = json.loads(msg)
    except Exception:  # ValueError, RecursionError, MemoryError, UnicodeDecodeError
        return None
    return obj if isinstance(obj, dict) else None


def clean_text(value, limit: int = 2000) -> str:
    """Text from a program, made safe to store: at most `limit` characters of valid UTF-8
    (lone surrogates and other unencodable code points replaced)."""
    if not isinstance(value, str):
        try:
            value = str(value)
        except Exception:
            return ""
    value = value[:limit]
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")
