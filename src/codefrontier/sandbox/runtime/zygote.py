"""The zygote: a warm Python interpreter inside one worker's sandbox.

The judge (the host) starts one zygote per worker inside bubblewrap and talks to it
over a SOCK_SEQPACKET socket on fd 3: one JSON request and some file descriptors in,
one JSON reply (and sometimes descriptors) out. For every run the zygote makes a
fresh child in new user and PID namespaces:

* Python programs are forked from this interpreter (standard modules already
  imported), so a run costs a fork instead of an interpreter start;
* executables (C++ programs, compilers, checker binaries) go through ``cf-launch``,
  a tiny static C program that forks the target and watches it.

Trust rules this file keeps:
* The zygote never reads test data. Inputs, expected outputs and test code reach
  the processes that need them as file descriptors (sealed memfds made by the
  host); the zygote only passes descriptors along. So nothing secret is ever in the
  memory that later children inherit.
* Children drop every capability, get rlimits, a scrubbed environment, a private
  scratch directory, and only the descriptors they need. They cannot see the
  zygote (different PID namespace) nor read its memory (it is not dumpable).
* Time is measured by the zygote (or cf-launch) from the child's CPU clock and
  ``wait4``, never reported by the child.

Standard library only: the sandbox has no site-packages.
"""

import ctypes
import errno
import fcntl
import gc
import json
import os
import resource
import select
import signal
import socket
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import values  # noqa: E402  (typed JSON codec, shared with the judge)

del sys.path[0]

# Modules programs usually import: importing them here, once, makes `import` in every
# forked run free. Left out on purpose: hashlib (+3.7 MB of OpenSSL) and dataclasses
# (+1.2 MB); every MB the zygote holds costs ~0.05 ms on each fork.
PREIMPORT = [
    "array",
    "bisect",
    "cmath",
    "collections",
    "collections.abc",
    "copy",
    "datetime",
    "decimal",
    "fractions",
    "functools",
    "heapq",
    "itertools",
    "math",
    "numbers",
    "operator",
    "queue",
    "random",
    "re",
    "string",
    "typing",
    "unicodedata",
    "encodings.idna",
]
for _name in PREIMPORT:
    try:
        __import__(_name)
    except ImportError:
        pass

import atexit  # noqa: E402
import builtins  # noqa: E402
import io  # noqa: E402
import threading  # noqa: E402
import traceback  # noqa: E402
import types  # noqa: E402

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]

SYS_CLONE = 56
SYS_CAPSET = 126
SYS_CLOSE_RANGE = 436
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
F_DUPFD_CLOEXEC = 1030
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38

# Exit statuses the child runtime uses to report what happened before or outside
# user code. User code can exit with these too; that only relabels its own failure.
EXIT_SYNTAX = 200
EXIT_MEMORY = 201

# Set from the host's configuration in main(): inside bubblewrap the scratch root is the
# sandbox's private /tmp; without bubblewrap it is a private directory the host made.
MAX_FDS = 250  # descriptors in one message (the kernel allows 253)
SCRATCH = "/tmp"  # the only writable place a run has; emptied after every run (set in main())
CHILD_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": SCRATCH}
EXIT_SETUP = 210  # the child failed before running user code: the judge's fault


class Options:
    namespaces = True  # per-run user + PID namespaces
    netns = False  # also a network namespace per run (when bubblewrap did not give one)
    launcher = "/opt/codefrontier/cf-launch"


OPTS = Options()


# ---------------------------------------------------------------------------
# Process creation


def clone_child() -> int:
    """fork(), but the child is PID 1 of a new PID namespace inside a new user
    namespace: when it exits, the kernel kills every process it left behind. It also
    gets a new IPC namespace, so System V shared memory, semaphores and message queues
    die with the run instead of carrying data (or memory) into the next one."""
    if not OPTS.namespaces:
        return os.fork()
    ctypes.pythonapi.PyOS_BeforeFork()
    flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC | (CLONE_NEWNET if OPTS.netns else 0) | signal.SIGCHLD
    pid = libc.syscall(SYS_CLONE, ctypes.c_ulong(flags), None, None, None, None)
    err = ctypes.get_errno()
    if pid == 0:
        ctypes.pythonapi.PyOS_AfterFork_Child()
    else:
        ctypes.pythonapi.PyOS_AfterFork_Parent()
    if pid < 0:
        raise OSError(err, f"clone: {os.strerror(err)}")
    return pid


def drop_capabilities() -> None:
    # A new user namespace hands its first process every capability inside it;
    # user code gets none (capset v3 with empty sets).
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    libc.syscall(SYS_CAPSET, header, data)


def place_fds(mapping: dict) -> None:
    """Make the child's descriptors exactly `mapping` (target fd -> source fd)."""
    high = {}
    for target, source in mapping.items():
        # Copies far above every target first, so placing one never clobbers another's source.
        if source is None:
            source = os.open(os.devnull, os.O_RDWR)
        high[target] = fcntl.fcntl(source, F_DUPFD_CLOEXEC, 1000)
    for target, fd in high.items():
        os.dup2(fd, target, inheritable=True)
    top = max(mapping) if mapping else 2
    if libc.syscall(SYS_CLOSE_RANGE, top + 1, ctypes.c_uint(0xFFFFFFFF), 0) != 0:
        os.closerange(top + 1, 65536)


def apply_limits(limits: dict, extra_as: int = 0) -> None:
    cpu = int(limits["cpu_s"]) + 2  # the watcher kills on time; this is the backstop
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    if limits.get("memory_mb"):
        as_bytes = int(limits["memory_mb"] * 1024 * 1024) + extra_as
        resource.setrlimit(resource.RLIMIT_AS, (as_bytes, as_bytes))
    fsize = int(limits.get("output_bytes", 64 << 20))
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    nproc = int(limits.get("nproc", 8))
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    nofile = int(limits.get("nofile", 64))
    resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_STACK, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (0, 0))


def prepare_child() -> None:
    """The part of a child's setup that does not depend on the job. The child stays
    non-dumpable (as the zygote is) until its job arrives: parked, it coexists with the run
    or session before it, whose code must not open its /proc/<pid>/mem (same uid) and
    plant code in the next run."""
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # Its own session and process group: as PID 1 of its namespace the program sees
    # getppid() == 0, and kill(0, sig) would otherwise reach the zygote's process group.
    os.setsid()
    os.umask(0o022)
    drop_capabilities()
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # No random.seed() here: the random module reseeds itself in every forked child
    # (os.register_at_fork), which PyOS_AfterFork_Child runs, so each run already gets its
    # own random state, as a fresh interpreter would.


def process_cpu_s(pid: int) -> float:
    """CPU seconds used so far by every thread of `pid` (the kernel's clock, not the child's word)."""
    try:
        return time.clock_gettime(((~pid) << 3) | 2)
    except OSError:
        return -1.0


def peak_rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def watch(
    pid: int,
    pidfd: int,
    cpu_limit: float,
    wall_limit: float,
    start: float,
    cpu_base: float = 0.0,
    other_fd: int | None = None,
) -> tuple[str, str]:
    """Wait until `pid` exits (or `other_fd` is readable); kill it on CPU or wall time.

    Returns (what happened, killed) with what in {"exited", "readable"} and killed in
    {"none", "cpu", "wall"}."""
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    if other_fd is not None:
        poller.register(other_fd, select.POLLIN)
    while True:
        cpu = process_cpu_s(pid)
        used = (cpu - cpu_base) if cpu >= 0 else 0.0
        elapsed = time.monotonic() - start
        if used > cpu_limit:
            return "timeout", "cpu"
        if elapsed > wall_limit:
            return "timeout", "wall"
        wait = min(cpu_limit - used + 0.002, wall_limit - elapsed + 0.001)
        events = poller.poll(max(1, int(wait * 1000) + 1))
        if events:
            # A message sent before the process exited says more than the exit (a load
            # failure's reason, a call's reply): when both are ready, the message wins.
            if any(fd != pidfd for fd, _ in events):
                return "readable", "none"
            return "exited", "none"


def reap(pid: int) -> tuple[int, "resource.struct_rusage"]:
    while True:
        try:
            _, status, usage = os.wait4(pid, 0)
            return status, usage
        except InterruptedError:
            continue


def kill_tree(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)  # PID 1 of its namespace: the kernel takes the rest
    except ProcessLookupError:
        pass
    if not OPTS.namespaces:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def cpu_of(usage) -> float:
    return usage.ru_utime + usage.ru_stime


def status_fields(status: int) -> dict:
    if os.WIFEXITED(status):
        return {"status": "exited", "code": os.WEXITSTATUS(status)}
    return {"status": "signaled", "signal": os.WTERMSIG(status)}


# ---------------------------------------------------------------------------
# Scratch directory


def wipe(path: str) -> None:
    """Remove everything under `path`, including what a hostile program made hard to
    remove: unreadable directories, and nesting deeper than recursion or PATH_MAX allow
    (so the walk is iterative and relative to directory descriptors). Only called when
    no process of the run is left to change the tree under it."""
    try:
        os.chmod(path, 0o755)  # the mode the sandbox gave it; a program may have changed it
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return
    names: list = []  # the directories from `path` down to the one open on fd
    try:
        pending = [_unlink_files(fd)]  # per level: subdirectories still to remove
        while True:
            if pending[-1]:
                name = pending[-1].pop()
                try:
                    os.chmod(name, 0o700, dir_fd=fd)
                except OSError:
                    pass
                child = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = child
                names.append(name)
                pending.append(_unlink_files(fd))
                continue
            pending.pop()
            if not names:
                return
            parent = os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = parent
            os.rmdir(names.pop(), dir_fd=fd)
    finally:
        os.close(fd)


def _unlink_files(dir_fd: int) -> list:
    """Unlink every entry of the directory that is not a directory; return the subdirectories."""
    subdirs = []
    with os.scandir(dir_fd) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                subdirs.append(entry.name)
            else:
                try:
                    os.unlink(entry.name, dir_fd=dir_fd)
                except FileNotFoundError:
                    pass
    return subdirs


def empty_scratch() -> None:
    """Called before every run (nothing an earlier run or a failed request left may be
    seen) and after it (what the run wrote is freed at once, not at the next run)."""
    wipe(SCRATCH)


# ---------------------------------------------------------------------------
# Runs inside a forked child (never return)


def child_streams() -> None:
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(
        io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8"
    )
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(1, "w", closefd=False)), encoding="utf-8", write_through=False
    )
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
    )


def finish_and_exit(status: int) -> None:
    """What the interpreter does at the end of `python main.py`, then exit."""
    try:
        threading._shutdown()  # wait for non-daemon threads
    except BaseException:
        pass
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            if status == 0:
                status = 120  # what CPython does when flushing stdout fails at exit
    os._exit(status)


def exit_status_of(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        print(code, file=sys.stderr)
    except BaseException:
        pass
    return 1


def compile_or_exit(source: bytes, filename: str):
    try:
        return compile(source, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
        traceback.print_exc(limit=0)
        sys.stderr.flush()
        os._exit(EXIT_SYNTAX)


def run_script_child(source: bytes, argv: list, uncaught_status: int = 1) -> None:
    code = compile_or_exit(source, argv[0])
    module = types.ModuleType("__main__")
    module.__dict__.update({"__file__": argv[0], "__builtins__": builtins, "__cached__": None})
    sys.modules["__main__"] = module
    sys.argv = list(argv)
    sys.path[0:0] = [SCRATCH]
    status = 0
    try:
        exec(code, module.__dict__)
    except SystemExit as exc:
        status = exit_status_of(exc)
    except MemoryError:
        try:
            print("MemoryError", file=sys.stderr)
        except BaseException:
            pass
        status = EXIT_MEMORY
    except BaseException:
        exc_type, exc, tb = sys.exc_info()
        try:
            if tb is not None and exc is not None:
                exc.__traceback__ = tb.tb_next  # the traceback starts in the program, not here
            sys.excepthook(exc_type, exc, exc.__traceback__ if exc is not None else None)
        except BaseException:
            pass
        status = (
            uncaught_status  # 1, as Python exits; checkers ask for another code (a checker bug is not WA)
        )
    finish_and_exit(status)


def load_solution(source: bytes, entry: str) -> tuple:
    """Run the solution module and resolve the entry point; returns (namespace, resolver)."""
    code = compile(source, "solution.py", "exec", dont_inherit=True)
    module = types.ModuleType("solution")
    module.__dict__.update({"__file__": "solution.py", "__builtins__": builtins})
    sys.modules["solution"] = module
    exec(code, module.__dict__)
    return module.__dict__


def resolve(namespace: dict, name: str):
    if "." in name:
        cls_name, method = name.split(".", 1)
        cls = namespace[cls_name]
        return getattr(cls(), method)  # a fresh instance per call, as LeetCode does
    return namespace[name]


def session_child(sock: socket.socket, source: bytes, entry: str) -> None:
    """The solution process of a function or assert problem: load once, then answer
    calls (typed-JSON arguments in a memfd, typed-JSON result into another)."""
    try:
        namespace = load_solution(source, entry)
        if "." in entry:
            namespace[entry.split(".", 1)[0]]
        else:
            namespace[entry]
        reply = {"status": "ready"}
    except SyntaxError as exc:
        reply = {"status": "error", "kind": "CE", "message": f"SyntaxError: {exc}"}
    except MemoryError:
        reply = {"status": "error", "kind": "MLE", "message": "MemoryError while loading"}
    except KeyError as exc:
        reply = {"status": "error", "kind": "RE", "message": f"entry point {entry!r} not defined ({exc})"}
    except SystemExit:
        reply = {"status": "error", "kind": "RE", "message": "the program exited while loading"}
    except BaseException as exc:
        reply = {"status": "error", "kind": "RE", "message": f"{type(exc).__name__}: {exc}"[:2000]}
    flush_quietly()
    sock.send(json.dumps(reply).encode())
    if reply["status"] != "ready":
        os._exit(1)
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 65536, 4)
        except OSError:
            os._exit(0)
        if not msg:
            os._exit(0)
        request = json.loads(msg)
        args_fd, result_fd = fds[0], fds[1]
        reply = call_once(namespace, request.get("name") or entry, args_fd, result_fd)
        reply["seq"] = request.get("seq")  # the caller matches replies to calls by it
        os.close(args_fd)
        os.close(result_fd)
        flush_quietly()
        sock.send(json.dumps(reply).encode())


def call_once(namespace: dict, name: str, args_fd: int, result_fd: int) -> dict:
    try:
        request = values.loads(read_fd(args_fd))  # pread from 0: the descriptor may be shared
        args, kwargs = request.get("args", []), request.get("kwargs", {})
    except Exception as exc:  # the judge sent something wrong: not the program's fault
        # The judge sends well-formed arguments; failing to read them means the program
        # broke its own process (patched json, say): its fault, not an internal error.
        return {"status": "error", "kind": "RE", "message": f"could not read the arguments: {exc}"[:2000]}
    try:
        fn = resolve(namespace, name)
        result = fn(*args, **kwargs)
    except MemoryError:
        return {"status": "error", "kind": "MLE", "message": "MemoryError"}
    except SystemExit as exc:
        return {"status": "error", "kind": "RE", "message": f"SystemExit({exc.code!r}) during the call"}
    except RecursionError:
        return {
            "status": "error",
            "kind": "RE",
            "message": "RecursionError: maximum recursion depth exceeded",
        }
    except BaseException as exc:
        return {"status": "error", "kind": "RE", "message": f"{type(exc).__name__}: {exc}"[:2000]}
    try:
        data = values.dumps(result).encode()
    except (values.UnsupportedValue, ValueError, RecursionError) as exc:
        return {"status": "error", "kind": "WA", "message": str(exc)[:2000]}
    try:
        os.ftruncate(result_fd, 0)
        os.pwrite(result_fd, data, 0)
    except OSError as exc:
        if exc.errno == errno.EFBIG:
            return {"status": "error", "kind": "OLE", "message": "returned value exceeds the output limit"}
        raise
    return {"status": "ok", "bytes": len(data)}


def flush_quietly() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass


# What the solution process may say about itself. It is the program's own process, so
# anything it sends can be forged: times, memory and kills are measured by the zygote,
# TLE is decided here, and IE (the judge's fault) can never come from it.
LOAD_KINDS = frozenset({"CE", "RE", "MLE"})
CALL_KINDS = frozenset({"WA", "RE", "MLE", "OLE"})


def json_seq(msg: bytes):
    """The `seq` field of a JSON message, or None."""
    try:
        reply = json.loads(msg)
    except ValueError:
        return None
    return reply.get("seq") if isinstance(reply, dict) else None


def solution_reply(msg: bytes, statuses: tuple, kinds: frozenset, garbled_kind: str) -> dict:
    """A reply from the solution process, parsed defensively and cut down to what it may say."""
    try:
        reply = json.loads(msg)
    except ValueError:
        reply = None
    if not isinstance(reply, dict) or reply.get("status") not in statuses:
        return {"status": "error", "kind": garbled_kind, "message": "garbled reply from the solution process"}
    clean = {"status": reply["status"], "message": str(reply.get("message", ""))[:2000]}
    if reply["status"] == "error":
        clean["kind"] = reply.get("kind") if reply.get("kind") in kinds else "RE"
    return clean


PROXY_SEQ = [0]  # call numbers of the harness's proxies


class CandidateGone(Exception):
    """The solution process died or stopped answering."""


class CandidateRaised(Exception):
    """The solution raised while handling a call: the test fails as a runtime error."""


def make_proxy(sock: socket.socket, name: str):
    def proxy(*args, **kwargs):
        args_fd = os.memfd_create("args", os.MFD_CLOEXEC)
        result_fd = os.memfd_create("result", os.MFD_CLOEXEC)
        try:
            os.write(args_fd, values.dumps({"args": list(args), "kwargs": kwargs}).encode())
            PROXY_SEQ[0] += 1
            seq = PROXY_SEQ[0]
            try:
                socket.send_fds(sock, [json.dumps({"name": name, "seq": seq}).encode()], [args_fd, result_fd])
                reply = sock.recv(65536)
                while reply and json_seq(reply) != seq:  # skip stale or unsolicited messages
                    reply = sock.recv(65536)
            except OSError as exc:
                raise CandidateGone(str(exc)) from None
            if not reply:
                raise CandidateGone("the solution process ended")
            reply = json.loads(reply)
            if reply["status"] != "ok":
                raise CandidateRaised(reply)
            size = os.fstat(result_fd).st_size
            return values.loads(os.pread(result_fd, size, 0))
        finally:
            os.close(args_fd)
            os.close(result_fd)

    proxy.__name__ = name
    return proxy


class TestNamespace(dict):
    """Globals for assert-test code: names the test does not define and builtins do not
    have resolve to the solution's functions, called across the process boundary."""

    def __init__(self, sock: socket.socket, entry: str):
        super().__init__({"__name__": "__test__", "__builtins__": builtins})
        self.sock = sock
        proxy = make_proxy(sock, entry)
        self["candidate"] = proxy
        self[entry.split(".")[-1]] = proxy

    def __missing__(self, key):
        if hasattr(builtins, key):
            return getattr(builtins, key)
        if key.startswith("__"):
            raise KeyError(key)
        proxy = make_proxy(self.sock, key)
        self[key] = proxy
        return proxy


def harness_child(sock: socket.socket, test_fd: int, report_fd: int, entry: str) -> None:
    """Runs one assert test (trusted dataset code) against the solution process. Its
    verdict goes to the zygote through `report_fd`, which the solution cannot reach."""
    report = {"passed": False, "kind": "WA", "message": ""}
    try:
        test_code = read_fd(test_fd)
        namespace = TestNamespace(sock, entry)
        exec(compile(test_code, "test.py", "exec", dont_inherit=True), namespace)
        report = {"passed": True}
    except CandidateGone as exc:
        report = {"passed": False, "kind": "gone", "message": str(exc)}
    except CandidateRaised as exc:
        info = exc.args[0]
        report = {"passed": False, "kind": info.get("kind", "RE"), "message": info.get("message", "")}
    except AssertionError as exc:
        report = {"passed": False, "kind": "WA", "message": f"assertion failed: {exc}"[:2000]}
    except BaseException as exc:
        report = {"passed": False, "kind": "WA", "message": f"{type(exc).__name__}: {exc}"[:2000]}
    os.write(report_fd, json.dumps(report).encode())
    os._exit(0)


# ---------------------------------------------------------------------------
# Requests


class Session:
    """The live solution process of a function/assert problem."""

    def __init__(self, pid: int, pidfd: int, sock: socket.socket, limits: dict):
        self.pid, self.pidfd, self.sock, self.limits = pid, pidfd, sock, limits

    def close(self) -> dict:
        kill_tree(self.pid)
        status, usage = reap(self.pid)
        os.close(self.pidfd)
        self.sock.close()
        return status_fields(status)


class Prefork:
    """A child forked ahead of time, parked until it receives its job."""

    def __init__(self, pid: int, pidfd: int, sock: socket.socket):
        self.pid, self.pidfd, self.sock = pid, pidfd, sock

    def discard(self) -> None:
        kill_tree(self.pid)
        reap(self.pid)
        os.close(self.pidfd)
        self.sock.close()

    @classmethod
    def spawn(cls, extra_as: int) -> "Prefork":
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = clone_child()
        if pid == 0:
            try:
                parent.close()
                prepare_child()
                # The streams name fds 0-2, not the files: built now, while parked, they
                # read and write whatever place_fds puts there once the job arrives.
                child_streams()
                msg, fds, _, _ = socket.recv_fds(child, 1 << 16, 16)
                if not msg:
                    os._exit(0)  # the zygote is gone
                job = json.loads(msg)
                if job["type"] == "session":
                    # The zygote resets a session's peak-RSS counter before each call, which
                    # needs it dumpable; the session before it has ended. Scripts (programs,
                    # checkers) stay non-dumpable: a live session must not reach a checker.
                    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
                source = read_fd(fds[-1])  # the program comes last
                place_fds({int(t): fds[i] for t, i in job["fds"].items()})
                os.chdir(SCRATCH)
                apply_limits(job["limits"], extra_as)
                if job["type"] == "session":
                    session_child(socket.socket(fileno=3), source, job["entry"])
                else:
                    run_script_child(source, job["argv"], job.get("uncaught_status", 1))
            finally:
                setup_failed()
        child.close()
        return cls(pid, os.pidfd_open(pid), parent)


class Zygote:
    def __init__(self, control: socket.socket):
        self.control = control
        self.stdout_fd = self.stderr_fd = None
        self.session: Session | None = None
        self.prefork: Prefork | None = None
        self.call_seq = 0
        self.baseline_as = self._address_space()

    def _take_prefork(self) -> Prefork:
        """The child forked ahead of time, or a new one if there is none (or it died)."""
        child = self.prefork if self.prefork is not None and pid_alive(self.prefork.pidfd) else None
        if child is None and self.prefork is not None:
            self.prefork.discard()
        self.prefork = None
        return child or Prefork.spawn(self.baseline_as)

    def _fork_next(self) -> None:
        """Fork the next run's child now, while the one just given its job runs: on a
        machine with a core to spare the fork and its setup overlap that run instead of
        delaying the next request."""
        if self.prefork is None:
            self.prefork = Prefork.spawn(self.baseline_as)

    @staticmethod
    def _address_space() -> int:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmSize:"):
                    return int(line.split()[1]) * 1024
        return 0

    # -- plumbing --------------------------------------------------------------
    def serve(self) -> None:
        while True:
            try:
                msg, fds, _, _ = socket.recv_fds(self.control, 1 << 20, MAX_FDS)
            except ConnectionResetError:
                return
            if not msg:
                return
            for fd in fds:
                os.set_inheritable(fd, False)
            request = json.loads(msg)
            reply_fds: list = []
            try:
                handler = getattr(self, "op_" + request["op"])
                reply = handler(request, fds, reply_fds)
            except Exception as exc:  # a bug or resource problem on the judge's side
                reply = {"status": "internal", "message": f"{type(exc).__name__}: {exc}"}
            finally:
                for fd in fds:
                    if fd not in (self.stdout_fd, self.stderr_fd):
                        try:
                            os.close(fd)
                        except OSError:
                            pass
            reply["session_alive"] = self.session is not None
            data = json.dumps(reply).encode()
            if reply_fds:
                socket.send_fds(self.control, [data], reply_fds)
            else:
                self.control.send(data)
            for fd in reply_fds:
                os.close(fd)

    def op_quiesce(self, request, fds, out):
        """Drop the parked child and any session, so only the sandbox's own processes remain."""
        self._end_session()
        if self.prefork is not None:
            self.prefork.discard()
            self.prefork = None
        return {"status": "ok"}

    def op_setup(self, request, fds, out):
        """Receive the stdout/stderr memfds the host reads after each run."""
        self.stdout_fd, self.stderr_fd = fds[0], fds[1]
        return {"status": "ok"}

    # -- fresh-process runs ----------------------------------------------------
    def op_python(self, request, fds, out):
        """Run a Python program in a fresh child. fds: [code, stdin, extra...].

        The child was forked in advance (right after the previous run) and has done its
        generic setup; it now receives the job and the descriptors, so the fork is off
        the critical path."""
        empty_scratch()
        child = self._take_prefork()
        mapping = {"0": 1, "1": "stdout", "2": "stderr"}
        mapping.update({str(t): i for t, i in request.get("extra_fds", {}).items()})
        send = []
        targets = {}
        for target, index in mapping.items():
            fd = (
                self.stdout_fd
                if index == "stdout"
                else self.stderr_fd
                if index == "stderr"
                else reopen(fds[index])
            )
            targets[target] = len(send)
            send.append(fd)
        job = {
            "type": "script",
            "limits": request["limits"],
            "argv": request.get("argv", ["main.py"]),
            "fds": targets,
            "uncaught_status": int(request.get("uncaught_status", 1)),
        }
        start = time.monotonic()
        try:
            socket.send_fds(child.sock, [json.dumps(job).encode()], send + [fds[0]])
        finally:
            for fd in send:
                if fd not in (self.stdout_fd, self.stderr_fd):
                    os.close(fd)
            child.sock.close()
        self._fork_next()
        return self._wait_fresh(child.pid, request["limits"], start, child.pidfd)

    def _wait_fresh(self, pid: int, limits: dict, start: float, pidfd: int | None = None) -> dict:
        pidfd = os.pidfd_open(pid) if pidfd is None else pidfd
        try:
            _, killed = watch(pid, pidfd, limits["cpu_s"], limits["wall_s"], start)
            if killed != "none":
                kill_tree(pid)
            status, usage = reap(pid)
        finally:
            os.close(pidfd)
        wall = time.monotonic() - start
        reply = {"cpu_s": cpu_of(usage), "wall_s": wall, "maxrss_kb": usage.ru_maxrss, "killed": killed}
        reply.update(status_fields(status))
        empty_scratch()
        return reply

    def op_exec(self, request, fds, out):
        """Run an executable through cf-launch. fds: [stdin, exe?, files...].

        request: argv, path (or exe index), limits, files {name: index}, collect [names]."""
        limits = request["limits"]
        empty_scratch()
        for name, index in request.get("files", {}).items():
            copy_fd_to_file(fds[index], os.path.join(SCRATCH, name))
        argv = [
            OPTS.launcher,
            "-c",
            str(int(limits["cpu_s"] * 1000)),
            "-w",
            str(int(limits["wall_s"] * 1000)),
            "-f",
            str(int(limits.get("output_bytes", 64 << 20))),
            "-p",
            str(int(limits.get("nproc", 8))),
            "-n",
            str(int(limits.get("nofile", 64))),
            "-d",
            SCRATCH,
        ]
        if limits.get("memory_mb"):
            argv += ["-m", str(int(limits["memory_mb"] * 1024 * 1024))]
        for key, value in CHILD_ENV.items():
            argv += ["-e", f"{key}={value}"]
        if not OPTS.namespaces:
            argv.append("-N")
        elif OPTS.netns:
            argv.append("-P")
        report_r, report_w = os.pipe()
        stdin = reopen(fds[request.get("stdin", 0)])
        opened = [stdin, report_w]
        actions = [
            (os.POSIX_SPAWN_DUP2, stdin, 0),
            (os.POSIX_SPAWN_DUP2, self.stdout_fd, 1),
            (os.POSIX_SPAWN_DUP2, self.stderr_fd, 2),
            (os.POSIX_SPAWN_DUP2, report_w, 3),
        ]
        # cf-launch keeps its report on fd 3; extra descriptors wait at 10, 11, ... and
        # the target gets them at the numbers asked for (-F), the executable at 9.
        for i, (target, index) in enumerate(request.get("extra_fds", {}).items()):
            opened.append(reopen(fds[index]))
            actions.append((os.POSIX_SPAWN_DUP2, opened[-1], 10 + i))
            argv += ["-F", f"{10 + i}:{int(target)}"]
        if "exe" in request:
            actions.append((os.POSIX_SPAWN_DUP2, fds[request["exe"]], 9))
            argv += ["-x", "9"]
        argv += ["--"] + request["argv"]
        try:
            pid = os.posix_spawn(OPTS.launcher, argv, {}, file_actions=actions)
        finally:
            for fd in opened:
                os.close(fd)
        # cf-launch enforces the limits; this wait only guards against cf-launch itself hanging.
        pidfd = os.pidfd_open(pid)
        try:
            ready = select.select([pidfd], [], [], limits["wall_s"] + 10)[0]
            if not ready:
                os.kill(pid, signal.SIGKILL)
            reap(pid)
        finally:
            os.close(pidfd)
        with os.fdopen(report_r, "rb") as fh:
            line = fh.read().decode()
        reply = parse_launch_report(line)
        if reply.get("status") == "exited" and reply.get("code") == 127 and "cpu_s" not in reply:
            reply["status"] = "internal"
        for name in request.get("collect", []):
            path = os.path.join(SCRATCH, name)
            if os.path.isfile(path) and not os.path.islink(path):
                out.append(file_to_memfd(path))
                reply.setdefault("collected", []).append(name)
        empty_scratch()
        if not line.strip():
            return {"status": "internal", "message": "cf-launch reported nothing"}
        return reply

    # -- sessions (function and assert problems) -------------------------------
    # -- sessions (function and assert problems) -------------------------------
    def _start_session(self, source_fd: int, entry: str, limits: dict) -> dict:
        """Load a solution into a long-lived child (forked ahead of time when possible)."""
        self._end_session()
        parent_sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        empty_scratch()
        child = self._take_prefork()
        start = time.monotonic()
        job = {"type": "session", "limits": limits, "entry": entry, "fds": {"0": 0, "1": 1, "2": 2, "3": 3}}
        empty = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        try:
            socket.send_fds(
                child.sock,
                [json.dumps(job).encode()],
                [empty, self.stdout_fd, self.stderr_fd, child_sock.fileno(), source_fd],
            )
        finally:
            os.close(empty)
            child_sock.close()
            child.sock.close()
        self._fork_next()
        session = Session(child.pid, child.pidfd, parent_sock, limits)
        what, killed = watch(
            child.pid, child.pidfd, limits["cpu_s"], limits["wall_s"], start, other_fd=parent_sock.fileno()
        )
        cpu = max(process_cpu_s(child.pid), 0.0)
        if what == "readable":
            msg = parent_sock.recv(65536)
            if msg:
                reply = solution_reply(msg, ("ready", "error"), LOAD_KINDS, "RE")
                if reply["status"] == "ready":
                    self.session = session
                    return {
                        "status": "ready",
                        "cpu_s": cpu,
                        "wall_s": time.monotonic() - start,
                        "maxrss_kb": peak_rss_kb(child.pid),
                    }
                fields = session.close()
                return {**reply, "cpu_s": cpu, "exit": fields}
        fields = session.close()
        return {
            "status": "error",
            "kind": "TLE" if killed != "none" else "RE",
            "killed": killed,
            "message": "the program ended while loading" if killed == "none" else "time limit while loading",
            "cpu_s": cpu,
            "exit": fields,
        }

    def _end_session(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None
            empty_scratch()

    def _session_wait(self, session: Session, limits: dict, start: float, cpu_base: float, fd: int) -> tuple:
        what, killed = watch(
            session.pid, session.pidfd, limits["cpu_s"], limits["wall_s"], start, cpu_base, other_fd=fd
        )
        cpu = max(process_cpu_s(session.pid) - cpu_base, 0.0)
        return what, killed, cpu

    def _call(self, name, args_fd: int, result_fd: int, limits: dict) -> dict:
        """One call of the loaded entry point, timed and watched here."""
        session = self.session
        reset_peak_rss(session.pid)
        start = time.monotonic()
        cpu_base = max(process_cpu_s(session.pid), 0.0)
        self.call_seq += 1
        seq = self.call_seq
        try:
            socket.send_fds(
                session.sock, [json.dumps({"name": name, "seq": seq}).encode()], [args_fd, result_fd]
            )
        except OSError:
            return self._session_died("the solution process is gone")
        while True:
            what, killed, cpu = self._session_wait(session, limits, start, cpu_base, session.sock.fileno())
            if what != "readable":
                break
            msg = session.sock.recv(65536)
            if not msg:
                break
            if json_seq(msg) != seq:
                continue  # a stale or unsolicited message: wait for this call's reply
            rss = peak_rss_kb(session.pid)
            reply = solution_reply(msg, ("ok", "error"), CALL_KINDS, "WA")
            reply.update({"cpu_s": cpu, "wall_s": time.monotonic() - start, "maxrss_kb": rss})
            return reply
        rss = peak_rss_kb(session.pid)
        if killed != "none":
            self._end_session()
            return {
                "status": "error",
                "kind": "TLE",
                "killed": killed,
                "cpu_s": cpu,
                "wall_s": time.monotonic() - start,
                "maxrss_kb": rss,
            }
        return self._session_died("the solution process ended during the call", cpu, rss)

    def _session_died(self, message: str, cpu: float = 0.0, rss: int = 0) -> dict:
        session = self.session
        fields = session.close() if session else {}
        self.session = None
        empty_scratch()
        kind = "RE"
        if fields.get("status") == "exited" and fields.get("code") == EXIT_MEMORY:
            kind = "MLE"
        return {
            "status": "error",
            "kind": kind,
            "message": message,
            "exit": fields,
            "cpu_s": cpu,
            "maxrss_kb": rss,
        }

    def _assert(self, test_fd: int, entry: str, limits: dict) -> dict:
        """Run one assert test: its code runs in a harness child that calls the solution
        across the process boundary and reports to us through a pipe it alone holds."""
        session = self.session
        reset_peak_rss(session.pid)
        report_r, report_w = os.pipe()
        start = time.monotonic()
        cpu_base = max(process_cpu_s(session.pid), 0.0)
        pid = clone_child()
        if pid == 0:
            try:
                os.close(report_r)
                libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
                harness_limits = dict(limits, cpu_s=limits["harness_cpu_s"], nproc=4)
                place_fds({0: test_fd, 1: None, 2: None, 3: session.sock.fileno(), 4: report_w})
                os.chdir("/")
                apply_limits(harness_limits, self.baseline_as)
                drop_capabilities()
                libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
                harness_child(socket.socket(fileno=3), 0, 4, entry)
            finally:
                os._exit(1)
        os.close(report_w)
        hpidfd = os.pidfd_open(pid)
        try:
            # The solution's CPU is watched against the test's limit, the harness's wall time too.
            what, killed, cpu = self._session_wait(session, limits, start, cpu_base, report_r)
            report = None
            # If the solution died, the harness notices and reports shortly.
            if killed == "none" and select.select([report_r], [], [], max(0.5, limits["wall_s"]))[0]:
                data = os.read(report_r, 1 << 16)
                try:
                    report = json.loads(data) if data else None
                except ValueError:
                    report = None
            rss = peak_rss_kb(session.pid)
            if killed != "none":
                verdict = {"status": "error", "kind": "TLE", "killed": killed}
            elif report is None:
                verdict = {"status": "error", "kind": "RE", "message": "the test harness did not report"}
            elif report.get("passed"):
                verdict = {"status": "ok"}
            elif report.get("kind") == "gone":
                verdict = {"status": "error", "kind": "RE", "message": report.get("message", "")}
            else:
                verdict = {
                    "status": "error",
                    # The kind may come from the solution's reply (a failed call): never let it
                    # choose one the judge reserves for its own measurements or faults.
                    "kind": report.get("kind") if report.get("kind") in CALL_KINDS else "RE",
                    "message": report.get("message", ""),
                }
            verdict.update({"cpu_s": cpu, "wall_s": time.monotonic() - start, "maxrss_kb": rss})
        finally:
            kill_tree(pid)
            reap(pid)
            os.close(hpidfd)
            os.close(report_r)
        if verdict.get("killed") or not pid_alive(session.pidfd):
            self._end_session()  # a dead or killed solution cannot serve the next test
        return verdict

    # Single-step operations (first-fail mode: the judge compares before the next test).
    def op_session_start(self, request, fds, out):
        """fds: [code]."""
        return self._start_session(fds[0], request["entry"], request["limits"])

    def op_session_end(self, request, fds, out):
        self._end_session()
        return {"status": "ok"}

    def op_call(self, request, fds, out):
        """fds: [args memfd, result memfd]."""
        if self.session is None:
            return {"status": "internal", "message": "no session"}
        return self._call(request.get("name"), fds[0], fds[1], request["limits"])

    def op_assert(self, request, fds, out):
        """fds: [test code memfd]."""
        if self.session is None:
            return {"status": "internal", "message": "no session"}
        return self._assert(fds[0], request["entry"], request["limits"])

    def op_run_session(self, request, fds, out):
        """Every test of one sample in one request (all-tests mode).

        fds: [code, then per test: args memfd and result memfd (function) or test-code
        memfd (assert)]. A solution that dies or times out is loaded again for the next
        test; a compile error ends the sample."""
        kind, entry, limits = request["kind"], request["entry"], request["limits"]
        per_test = 2 if kind == "function" else 1
        results = []
        for i in range(request["tests"]):
            if self.session is None:
                load = self._start_session(fds[0], entry, limits)
                if load["status"] != "ready":
                    results.append({"load": load})
                    if load.get("kind") == "CE":
                        break
                    continue
            base = 1 + i * per_test
            if kind == "function":
                results.append(self._call(None, fds[base], fds[base + 1], limits))
            else:
                results.append(self._assert(fds[base], entry, limits))
        self._end_session()
        return {"status": "ok", "tests": results}


def reset_peak_rss(pid: int) -> None:
    """Start a test's peak-RSS measurement from the solution's current RSS."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def setup_failed() -> None:
    """A child failed before user code ran: say why on its stderr and exit EXIT_SETUP."""
    try:
        os.write(2, ("codefrontier sandbox: " + traceback.format_exc()).encode(errors="replace"))
    finally:
        os._exit(EXIT_SETUP)


def pid_alive(pidfd: int) -> bool:
    return not select.select([pidfd], [], [], 0)[0]


def reopen(fd: int) -> int:
    """A new open file description of the same file: each run reads its input from the
    start, whatever earlier runs did to their own offsets."""
    return os.open(f"/proc/self/fd/{fd}", os.O_RDONLY | os.O_CLOEXEC)


def read_fd(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    return os.pread(fd, size, 0)


def send_all(out: int, src: int) -> None:
    """Copy the whole of `src` into `out` inside the kernel (the bytes never enter this process)."""
    size = os.fstat(src).st_size
    offset = 0
    while offset < size:
        sent = os.sendfile(out, src, offset, size - offset)
        if sent == 0:
            break
        offset += sent


def copy_fd_to_file(fd: int, path: str) -> None:
    out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        send_all(out, fd)
    finally:
        os.close(out)


def file_to_memfd(path: str) -> int:
    fd = os.memfd_create(os.path.basename(path), os.MFD_CLOEXEC)
    src = os.open(path, os.O_RDONLY)
    try:
        send_all(fd, src)
    finally:
        os.close(src)
    return fd


def parse_launch_report(line: str) -> dict:
    reply: dict = {}
    for part in line.split():
        key, _, value = part.partition("=")
        if key in ("code", "signal", "maxrss_kb", "errno"):
            reply[key] = int(value)
        elif key in ("cpu_s", "wall_s"):
            reply[key] = float(value)
        else:
            reply[key] = value
    if reply.get("status") == "error":
        reply["status"] = "internal"
        reply["message"] = f"cf-launch: {reply.get('where')} failed (errno {reply.get('errno')})"
    return reply


def main() -> None:
    global SCRATCH
    config = json.loads(sys.argv[1])
    OPTS.namespaces = bool(config.get("namespaces", True))
    OPTS.netns = bool(config.get("netns", False))
    OPTS.launcher = config.get("launcher", OPTS.launcher)
    SCRATCH = config["scratch"]
    CHILD_ENV["HOME"] = SCRATCH
    CHILD_ENV["TMPDIR"] = SCRATCH
    # Children inherit this environment as it is (setting it in each child costs a fork's
    # worth of copied pages); nothing of the judge's environment is in it.
    os.environ.clear()
    os.environ.update(CHILD_ENV)
    drop_uid = config.get("drop_uid")
    if drop_uid is not None and os.getuid() == 0:
        # Privileged sandbox (the judge runs as root): hand the scratch directory to an
        # unprivileged user, then become that user for good (all capabilities go).
        os.chown(SCRATCH, drop_uid, drop_uid)
        os.chmod(SCRATCH, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        os.setgroups([])
        os.setresgid(drop_uid, drop_uid, drop_uid)
        os.setresuid(drop_uid, drop_uid, drop_uid)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # children cannot read or trace the zygote
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The first compile() in an interpreter builds the ~120 AST node types (PyAST_Check
    # initialises the _ast state); the zygote imports from .pyc and never compiled, so
    # every child paid that (about 1 ms) before running a single line. Pay it once here.
    compile("pass", "<zygote>", "exec", dont_inherit=True)
    gc.freeze()  # keep the collector from dirtying inherited pages in every child
    libc.malloc_trim(0)  # hand freed heap back: every resident page is copied on each fork
    control = socket.socket(fileno=int(config["control_fd"]))
    control.send(json.dumps({"status": "ready", "pid": os.getpid(), "uid": os.getuid()}).encode())
    Zygote(control).serve()


if __name__ == "__main__":
    main()
