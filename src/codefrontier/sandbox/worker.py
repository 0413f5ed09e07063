"""The judge's side of one worker sandbox: start the zygote, send it runs, read results.

A `Sandbox` is used by one thread at a time. Data moves as file descriptors:
test inputs, programs and test code go in as sealed memfds (the zygote passes them
on without reading them); the program's stdout and stderr land in two memfds that
the judge owns and reads after each run.
"""

from __future__ import annotations

import atexit
import ctypes
import fcntl
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

from codefrontier.errors import InternalJudgeError, SandboxError
from codefrontier.sandbox import cgroups
from codefrontier.sandbox.isolation import UNPRIVILEGED_UID, detect_level, plan_for
from codefrontier.sandbox.runtime import protocol
from codefrontier.sandbox.runtime.protocol import CallReply, RunReply

STDERR_KEEP = 64 * 1024  # bytes of a program's stderr kept for the verdict's detail
REPLY_MARGIN_S = 30.0  # how much longer than a run's wall limit the judge waits for the zygote
EXIT_WAIT_S = 30.0  # how long a closed sandbox may take to exit by itself before it is killed
MAX_FDS = protocol.MAX_FDS  # descriptors one request may carry


class SandboxCrashed(InternalJudgeError):
    """The worker's zygote died or stopped answering; the worker restarts and the run is retried."""


Limits = protocol.Limits  # the limits of one run: one class, shared with the zygote


@dataclass
class RunResult:
    """What one fresh-process run did. Times and memory are measured by the sandbox from
    outside the run (its cgroup, or wait4 and the process clock), never reported by the
    program; `setup` is what the child runtime said before any user code ran."""

    status: str  # exited | signaled | internal
    exit_code: int | None = None
    signal: int | None = None
    cpu_s: float = 0.0
    wall_s: float = 0.0
    peak_kb: int = 0
    killed: str = protocol.KILLED_NONE  # none | cpu | wall | output
    oom: bool = False  # the kernel killed a process of the run at its memory limit
    setup: str = protocol.SETUP_NONE  # started | syntax | failed | none | exec_failed | exec_nomem
    measured: str = protocol.MEASURED_PROCESS  # cgroup | process
    stdout: bytes = b""
    stdout_size: int = 0
    stderr: bytes = b""
    message: str = ""
    collected: dict[str, int] = field(default_factory=dict)  # name -> memfd (caller closes)

    @property
    def ok(self) -> bool:
        return self.status == "exited" and self.exit_code == 0 and self.killed == protocol.KILLED_NONE

    @property
    def started(self) -> bool:
        """User code ran: from here on, how the run ended is the program's doing."""
        return self.setup == protocol.SETUP_STARTED


def memfd_from_bytes(data: bytes, name: str = "data") -> int:
    """A sealed, read-only memfd holding `data`: children can read it but never change it."""
    fd = os.memfd_create(name, os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        fcntl.fcntl(
            fd,
            fcntl.F_ADD_SEALS,
            fcntl.F_SEAL_WRITE | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_SEAL,
        )
        # A read-only descriptor: an executable must have no writable descriptor open (ETXTBSY).
        ro = os.open(f"/proc/self/fd/{fd}", os.O_RDONLY | os.O_CLOEXEC)
    finally:
        os.close(fd)
    return ro


def read_memfd(fd: int, limit: int | None = None) -> bytes:
    """The file's bytes (at most `limit`), read into one buffer (no copies to join)."""
    size = os.fstat(fd).st_size
    if limit is not None:
        size = min(size, limit)
    buffer = bytearray(size)
    view = memoryview(buffer)
    offset = 0
    while offset < size:
        got = os.preadv(fd, [view[offset:]], offset)
        if got == 0:
            break
        offset += got
    del view
    if offset < size:
        del buffer[offset:]
    return bytes(buffer)


def _fixed_mmap_threshold() -> None:
    """Outputs and answers of many MB come and go once per test. glibc raises its mmap
    threshold after freeing such a block, after which the next ones come from the heap,
    fragment it, and the judge's memory grows with the number of tests. A fixed threshold
    keeps every block over 1 MiB in its own mapping, returned to the system when freed."""
    try:
        ctypes.CDLL(None).mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):  # not glibc
        pass


_fixed_mmap_threshold()


class Sandbox:
    """One worker: a zygote in a sandbox at the chosen isolation level."""

    def __init__(self, level: str = "auto", tmpfs_mb: int = 512) -> None:
        self.requested = level
        self.level, self.level_reasons = detect_level(level)
        self.tmpfs_mb = tmpfs_mb
        self.proc: subprocess.Popen[bytes] | None = None
        self.sock: socket.socket | None = None
        self.private_dir: str | None = None
        self.stdout_fd = self.stderr_fd = -1
        self.info: dict[str, Any] = {}
        self.last_stderr = b""
        self.cgroup: cgroups.WorkerCgroup | None = None
        self.session_alive = False
        self._log: tempfile._TemporaryFileWrapper[bytes] | None = None
        _LIVE.add(self)
        self.start()

    # -- life cycle -----------------------------------------------------------
    def start(self) -> None:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        if self.level != "rlimits":
            owner = UNPRIVILEGED_UID if os.geteuid() == 0 else None
            self.cgroup = cgroups.make_worker_cgroup(owner)
        plan = plan_for(self.level, child.fileno(), self.tmpfs_mb, self.cgroup)
        self.private_dir = plan.private_dir
        self.python_path = plan.python  # the interpreter as runs see it
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the sandbox; closed in close()
        argv = plan.argv
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._log,
                pass_fds=(child.fileno(),),
                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                start_new_session=True,
            )
        except OSError as exc:
            raise SandboxError(f"cannot start the sandbox ({argv[0]}): {exc}") from exc
        finally:
            child.close()
        self.sock = parent
        try:
            parent.send(protocol.encode(plan.zygote_config))
        except OSError as exc:
            raise SandboxError(f"cannot configure the sandbox: {exc}; {self.zygote_log()}") from exc
        hello = self._recv(timeout=60.0)
        if hello.get("status") != "ready":
            raise SandboxError(f"the sandbox did not start: {hello}")
        self.info = hello
        self.stdout_fd = os.memfd_create("stdout", os.MFD_CLOEXEC)
        self.stderr_fd = os.memfd_create("stderr", os.MFD_CLOEXEC)
        reply, _ = self._request({"op": protocol.OP_SETUP}, [self.stdout_fd, self.stderr_fd], timeout=30.0)
        if reply.get("status") != "ok":
            raise SandboxError(f"sandbox setup failed: {reply}")
        self.session_alive = False

    def close(self) -> None:
        """Stop the sandbox and wait until every process of it is gone: when close returns
        (and when the judge exits: `_close_all`), nothing of it is left, running or not."""
        _LIVE.discard(self)
        if self.sock is not None:
            self.sock.close()  # the zygote sees end-of-file and exits; bubblewrap follows
            self.sock = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=EXIT_WAIT_S)
            except subprocess.TimeoutExpired:
                self._kill()
            self.proc.wait()
            self.proc = None
        for fd in (self.stdout_fd, self.stderr_fd):
            if fd >= 0:
                os.close(fd)
        self.stdout_fd = self.stderr_fd = -1
        if self.private_dir:
            shutil.rmtree(self.private_dir, ignore_errors=True)
            self.private_dir = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None

    def restart(self) -> None:
        self.close()
        _LIVE.add(self)
        self.start()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def zygote_log(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read()[-4000:].decode(errors="replace")

    # -- protocol -------------------------------------------------------------
    def _recv(self, timeout: float) -> dict[str, Any]:
        reply, _ = self._recv_with_fds(timeout)
        return reply

    def _recv_with_fds(self, timeout: float) -> tuple[dict[str, Any], list[int]]:
        assert self.sock is not None
        ready = select.select([self.sock], [], [], timeout)[0]
        if not ready:
            self._kill()
            raise SandboxCrashed(f"the sandbox did not answer within {timeout:.0f} s")
        try:
            msg, fds, _, _ = socket.recv_fds(self.sock, 1 << 20, 16)
        except OSError as exc:
            log = self.zygote_log().strip()
            self._kill()
            raise SandboxCrashed(f"lost the sandbox: {exc}" + (f": {log[-1000:]}" if log else "")) from exc
        if not msg:
            log = self.zygote_log()
            self._kill()
            raise SandboxCrashed("the sandbox exited" + (f": {log.strip()[-1000:]}" if log.strip() else ""))
        try:
            return protocol.decode(msg), fds
        except protocol.ProtocolError as exc:
            self._kill()
            raise SandboxCrashed(f"the sandbox answered outside the protocol: {exc}") from exc

    def _kill(self) -> None:
        """Kill the whole sandbox and wait for it. bubblewrap puts its child in a session of
        its own, so the process group of bubblewrap alone would miss the zygote. The tree
        dies from the inside out: every process under the outer bubblewrap is killed
        (killing a PID namespace's init takes its processes with it), and the outer
        bubblewrap, still alive, reaps its child before it is killed in turn — killed
        first, it would leave its child to be reparented and torn down after we return."""
        if self.proc is None or self.proc.poll() is not None:
            return
        inner = _descendants(self.proc.pid)
        pidfds = []
        for pid in inner:
            try:
                pidfds.append(os.pidfd_open(pid))
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, OSError):
                pass
        try:
            deadline = time.monotonic() + EXIT_WAIT_S
            for fd in pidfds:  # readable once that process has exited
                select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        finally:
            for fd in pidfds:
                os.close(fd)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def _request(
        self, request: dict[str, Any], fds: list[int], timeout: float
    ) -> tuple[dict[str, Any], list[int]]:
        if self.sock is None:
            raise SandboxCrashed("the sandbox is closed")
        data = protocol.encode(request)
        try:
            if fds:
                socket.send_fds(self.sock, [data], fds)
            else:
                self.sock.send(data)
        except OSError as exc:
            self._kill()
            raise SandboxCrashed(f"lost the sandbox: {exc}") from exc
        reply, reply_fds = self._recv_with_fds(timeout)
        if reply.get("status") == "internal":
            for fd in reply_fds:
                os.close(fd)
            raise InternalJudgeError(f"sandbox: {reply.get('message', reply)}")
        return reply, reply_fds

    def descendant_pids(self) -> set[int]:
        """Every process descended from this sandbox (host PIDs), after asking the zygote
        to drop its parked child: what remains is the sandbox itself, or a leak."""
        self._request({"op": protocol.OP_QUIESCE}, [], timeout=REPLY_MARGIN_S)
        self.session_alive = False
        if self.proc is None:
            return set()
        return set(_descendants(self.proc.pid))

    def cpu_seconds(self) -> float:
        """CPU time used so far by this sandbox's processes and every run they reaped
        (user + system). The judge's own children's CPU (RUSAGE_CHILDREN) holds it only
        once the sandbox is closed and reaped, so a benchmark reads both before closing
        (after, this figure would count it twice)."""
        return sum(self.cpu_by_role().values())

    def cpu_by_role(self) -> dict[str, float]:
        """`cpu_seconds` split by what spent it: `zygote` (requests, supervision, the
        cgroup's files), `template` (cloning children), `runs` (every child from its clone
        to its exit: namespace setup, the child runtime, the program, its teardown) and
        `bubblewrap`. Asks the zygote to drop its parked child first, so that child's
        setup is counted under `runs`."""
        assert self.proc is not None
        pids = [self.proc.pid, *self.descendant_pids()]
        stats = {pid: stat for pid in pids if (stat := _proc_stat(pid)) is not None}
        pythons = {pid for pid in stats if _is_zygote(_cmdline(pid))}  # the zygote and its forks
        zygote = next((pid for pid in pythons if stats[pid][0] not in pythons), None)
        roles = {"zygote": 0.0, "template": 0.0, "runs": 0.0, "bubblewrap": 0.0}
        spawned = sorted((pid for pid, st in stats.items() if st[0] == zygote), key=lambda pid: stats[pid][5])
        template = spawned[0] if spawned else None
        for pid, (_, utime, stime, cutime, cstime, _) in stats.items():
            if pid == zygote:
                roles["zygote"] += utime + stime
                roles["runs"] += cutime + cstime  # every child it reaped
            elif pid == template:
                roles["template"] += utime + stime + cutime + cstime
            elif stats[pid][0] == zygote or zygote is None:
                roles["runs"] += utime + stime + cutime + cstime
            else:
                roles["bubblewrap"] += utime + stime
        return roles

    # -- outputs --------------------------------------------------------------
    def _reset_outputs(self) -> None:
        for fd in (self.stdout_fd, self.stderr_fd):
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)

    def _collect(self, obj: dict[str, Any], read_stdout: bool, stdout_limit: int | None) -> RunResult:
        reply = RunReply.from_json(obj)
        result = RunResult(
            status=reply.status,
            exit_code=reply.code,
            signal=reply.signal,
            cpu_s=float(reply.cpu_s),
            wall_s=float(reply.wall_s),
            peak_kb=int(reply.peak_kb),
            killed=reply.killed,
            oom=bool(reply.oom),
            setup=reply.setup,
            measured=reply.measured,
            stdout=read_memfd(self.stdout_fd, stdout_limit) if read_stdout else b"",
            stdout_size=int(reply.stdout_bytes),
            stderr=read_memfd(self.stderr_fd, STDERR_KEEP),
            message=reply.message,
        )
        self._reset_outputs()
        return result

    # -- fresh-process runs -----------------------------------------------------
    def run_python(
        self,
        code_fd: int,
        stdin_fd: int | None,
        limits: Limits,
        *,
        argv: list[str] | None = None,
        extra_fds: dict[int, int] | None = None,
        out_fds: dict[int, int] | None = None,
        read_stdout: bool = True,
        uncaught_status: int = 1,
    ) -> RunResult:
        """Run a Python program (source in `code_fd`) as a fresh child with `stdin_fd` on stdin.
        An uncaught exception exits with `uncaught_status` (1, as Python does).

        `extra_fds` are inputs the run reads (it gets fresh copies, so nothing it does to
        them reaches another run); `out_fds` are files the caller made for this run alone to
        read back what it writes (it gets them as they are)."""
        fds = [code_fd, stdin_fd if stdin_fd is not None else self._empty_fd()]
        request = {
            "op": protocol.OP_PYTHON,
            "limits": limits.to_json(),
            "argv": argv or ["main.py"],
            "extra_fds": _append_fds(fds, extra_fds),
            "out_fds": _append_fds(fds, out_fds),
            "uncaught_status": uncaught_status,
        }
        self._reset_outputs()
        reply, _ = self._request(request, fds, timeout=limits.wall_s + REPLY_MARGIN_S)
        return self._collect(reply, read_stdout, limits.output_bytes)

    def run_exec(
        self,
        argv: list[str],
        limits: Limits,
        *,
        stdin_fd: int | None = None,
        exe_fd: int | None = None,
        files: dict[str, int] | None = None,
        collect: list[str] | None = None,
        extra_fds: dict[int, int] | None = None,
        out_fds: dict[int, int] | None = None,
        read_stdout: bool = True,
    ) -> RunResult:
        """Run an executable through cf-launch: the file open on `exe_fd`, or the
        sandbox path argv[0]. `files` are copied into the scratch directory first;
        `collect` names files to hand back as memfds (in RunResult.collected)."""
        fds = [stdin_fd if stdin_fd is not None else self._empty_fd()]
        request: dict[str, Any] = {
            "op": protocol.OP_EXEC,
            "argv": argv,
            "limits": limits.to_json(),
            "stdin": 0,
        }
        if exe_fd is not None:
            request["exe"] = len(fds)
            fds.append(exe_fd)
        if files:
            request["files"] = {}
            for name, fd in files.items():
                request["files"][name] = len(fds)
                fds.append(fd)
        request["extra_fds"] = _append_fds(fds, extra_fds)
        request["out_fds"] = _append_fds(fds, out_fds)
        request["collect"] = collect or []
        self._reset_outputs()
        reply, reply_fds = self._request(request, fds, timeout=limits.wall_s + REPLY_MARGIN_S + 10)
        result = self._collect(reply, read_stdout, limits.output_bytes)
        result.collected = dict(zip(reply.get("collected", []), reply_fds, strict=False))
        return result

    _empty: int | None = None
    _empty_lock = threading.Lock()

    @classmethod
    def _empty_fd(cls) -> int:
        with cls._empty_lock:
            if cls._empty is None:
                cls._empty = memfd_from_bytes(b"", "empty")
            return cls._empty

    # -- sessions ---------------------------------------------------------------
    def session_start(self, code_fd: int, entry: str, limits: Limits) -> CallReply:
        """Load a solution for function/assert tests; the reply says `ready` or why not."""
        self._reset_outputs()
        obj, _ = self._request(
            {"op": protocol.OP_SESSION_START, "entry": entry, "limits": limits.to_json()},
            [code_fd],
            timeout=limits.wall_s + REPLY_MARGIN_S,
        )
        return self._after_session_op(obj)

    def call(self, args_fd: int, result_fd: int, limits: Limits, name: str | None = None) -> CallReply:
        """Call the loaded entry point with typed-JSON arguments; the value lands in `result_fd`."""
        obj, _ = self._request(
            {"op": protocol.OP_CALL, "limits": limits.to_json(), "name": name},
            [args_fd, result_fd],
            timeout=limits.wall_s + REPLY_MARGIN_S,
        )
        return self._after_session_op(obj)

    def run_assert(self, test_fd: int, entry: str, limits: Limits) -> CallReply:
        """Run one assert test (code using `candidate`) against the loaded solution."""
        obj, _ = self._request(
            {"op": protocol.OP_ASSERT, "limits": limits.to_json(), "entry": entry},
            [test_fd],
            timeout=limits.wall_s + limits.harness_cpu_s + REPLY_MARGIN_S,
        )
        return self._after_session_op(obj)

    def run_session(
        self, code_fd: int, entry: str, kind: str, limits: Limits, test_fds: list[list[int]]
    ) -> tuple[list[CallReply], bytes]:
        """Every test of one sample in one request: `test_fds` holds, per test, [args,
        result] memfds (kind `function`) or [test code] (kind `assert`). Returns one reply
        per test reached (a load failure has `load` set) and the stderr tail."""
        replies: list[CallReply] = []
        per_test = max(1, max((len(g) for g in test_fds), default=1))
        chunk = (MAX_FDS - 1) // per_test  # one message carries at most MAX_FDS descriptors
        self._reset_outputs()
        for first in range(0, len(test_fds), chunk):
            part = test_fds[first : first + chunk]
            fds = [code_fd] + [fd for group in part for fd in group]
            timeout = (limits.wall_s * 2 + limits.harness_cpu_s) * len(part) + REPLY_MARGIN_S
            obj, _ = self._request(
                {
                    "op": protocol.OP_RUN_SESSION,
                    "entry": entry,
                    "kind": kind,
                    "limits": limits.to_json(),
                    "tests": len(part),
                },
                fds,
                timeout=timeout,
            )
            part_replies = [CallReply.from_json(r) for r in obj["tests"]]
            replies.extend(part_replies)
            if len(part_replies) < len(part):
                break  # the sandbox stopped early (a compile error)
        stderr = read_memfd(self.stderr_fd, STDERR_KEEP)
        self._reset_outputs()
        self.session_alive = False
        return replies, stderr

    def _after_session_op(self, obj: dict[str, Any]) -> CallReply:
        self.session_alive = bool(obj.get("session_alive", False))
        self.last_stderr = read_memfd(self.stderr_fd, STDERR_KEEP)
        self._reset_outputs()
        return CallReply.from_json(obj)

    def session_end(self) -> None:
        if self.session_alive:
            self._request({"op": protocol.OP_SESSION_END}, [], timeout=REPLY_MARGIN_S)
            self.session_alive = False


def _append_fds(fds: list[int], targets: dict[int, int] | None) -> dict[str, int]:
    """Add descriptors to a request's list; the request maps each target number to its index."""
    where = {}
    for target, fd in (targets or {}).items():
        where[str(target)] = len(fds)
        fds.append(fd)
    return where


_LIVE: weakref.WeakSet[Sandbox] = weakref.WeakSet()  # started and not closed


@atexit.register
def _close_all() -> None:
    """At interpreter exit, close (and wait for) every sandbox nobody closed."""
    for sandbox in list(_LIVE):
        try:
            sandbox.close()
        except Exception:  # exiting anyway: close the others
            pass


def _proc_stat(pid: int) -> tuple[int, float, float, float, float, int] | None:
    """(parent pid, utime, stime, cutime, cstime in seconds, start time in ticks) of `pid`."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    utime, stime, cutime, cstime = (int(x) / tick for x in fields[11:15])
    return int(fields[1]), utime, stime, cutime, cstime, int(fields[19])


def _is_zygote(cmdline: bytes) -> bool:
    argv = cmdline.split(b"\0")
    return not argv[0].endswith(b"bwrap") and any(arg.endswith(b"zygote.py") for arg in argv)


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def _descendants(root: int) -> list[int]:
    """Host PIDs of every process descended from `root`, parents before children."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.append(child)
                stack.append(child)
    return found
