"""The zygote: a warm Python interpreter inside one worker's sandbox.

The judge (the host) starts one zygote per worker inside bubblewrap and talks to it over
a SOCK_SEQPACKET socket (`protocol.py`): one request and some file descriptors in, one
reply (and sometimes descriptors) out. For every run the zygote makes a fresh child in new
user, PID, mount and IPC namespaces (`spawn.py`):

* Python programs are forked from this interpreter (standard modules already imported),
  so a run costs a fork instead of an interpreter start (`child.py`);
* executables (C++ programs, compilers, checker binaries) go through ``cf-launch``, a tiny
  static C program that makes the same kind of child and executes the target.

Trust rules this file keeps:
* The zygote never reads test data. Inputs, expected outputs and test code reach the
  processes that need them as file descriptors; the zygote only copies them (in the
  kernel) into fresh files for each run, so nothing a run does to a file it was given
  (extended attributes, timestamps) reaches the next run.
* A run's stdout and stderr are pipes the zygote drains into the host's files: the output
  a program writes is not charged to its memory, and the output limit is enforced here.
* Time and memory are measured from outside the run: the run's cgroup when the host gave
  one (every process of the run, peaks it cannot reset), else wait4 and the process clock.
* A verdict class never comes from what a program can write: the child's setup channel is
  closed before user code runs; a solution process's messages are parsed defensively and
  may only choose among `protocol.PROGRAM_KINDS`.

Standard library only: the sandbox has no site-packages.
"""

import fcntl
import gc
import math
import os
import select
import signal
import socket
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import protocol  # noqa: E402
import values  # noqa: E402,F401  (typed JSON codec, shared with the judge; preloaded for children)

# Modules programs usually import: importing them here, once, makes `import` in every
# forked run free. Left out on purpose: hashlib (+3.7 MB of OpenSSL) and dataclasses
# (+1.2 MB), since every MB the template holds is page tables copied on each fork; and
# threading, queue and random, whose at-fork hooks (threading's state reset, random's
# reseed) would run in every child and copy ~100 pages there (docs/benchmarks.md): a
# program that imports them pays for it, the others do not. encodings.idna (+0.3 MB) is
# for host names, and a run has no network.
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
    "re",
    "string",
    "typing",
    "unicodedata",
    "_sitebuiltins",
]
for _name in PREIMPORT:
    try:
        __import__(_name)
    except ImportError:
        pass

import cgroup  # noqa: E402
import child  # noqa: E402
import harness  # noqa: E402
import spawn  # noqa: E402
from protocol import CallReply, Limits, RunReply  # noqa: E402
from spawn import VIEW  # noqa: E402

# The runtime's modules leave the import path and the plain names: a program's own
# `import values` or `import child` must not find them.
del sys.path[0]
for _name in ("values", "protocol", "remote", "cgroup", "child", "harness", "spawn"):
    sys.modules["_codefrontier_" + _name] = sys.modules.pop(_name)

STDERR_KEEP = 64 * 1024  # the host keeps a tail of stderr for the verdict's detail
SESSION_STDOUT_KEEP = 0  # function and assert problems ignore stdout: drained and dropped
LAUNCHER = "/opt/codefrontier/cf-launch"
CHILD_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
EXEC_RUN_BACKSTOP_S = 10.0  # how much longer than its wall limit cf-launch itself may take
CPUS = os.cpu_count() or 1  # a run uses at most this many CPU-seconds per second


# ---------------------------------------------------------------------------------------
# Files a run is given
def fresh_copy(fd: int) -> int:
    """A new file with the bytes of `fd` (copied in the kernel): what a run does to its
    file (an extended attribute, a timestamp, its mode) dies with the copy."""
    out = os.memfd_create("input", os.MFD_CLOEXEC)
    send_all(out, fd)
    os.lseek(out, 0, os.SEEK_SET)
    return out


def send_all(out: int, src: int) -> None:
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
    src = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        send_all(fd, src)
    finally:
        os.close(src)
    return fd


def wipe(path: str) -> None:
    """Remove everything under `path` (the shared scratch of compile runs), including
    what is hard to remove: unreadable directories and nesting deeper than recursion or
    PATH_MAX allow. Only called when no process of the run is left."""
    try:
        os.chmod(path, 0o755)
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return
    names: list = []
    try:
        pending = [_unlink_files(fd)]
        while True:
            if pending[-1]:
                name = pending[-1].pop()
                try:
                    os.chmod(name, 0o700, dir_fd=fd)
                except OSError:
                    pass
                sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = sub
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


# ---------------------------------------------------------------------------------------
# Watching a run
class Outputs:
    """A run's stdout and stderr pipes, drained into the host's files while it runs."""

    def __init__(self, stdout_file: int, stderr_file: int, stdout_limit: int, keep_stdout: bool = True):
        self.out_r, self.out_w = os.pipe2(os.O_CLOEXEC)
        self.err_r, self.err_w = os.pipe2(os.O_CLOEXEC)
        for fd in (self.out_r, self.err_r):
            os.set_blocking(fd, False)
        self.stdout_file, self.stderr_file = stdout_file, stderr_file
        self.limit = stdout_limit
        self.keep_stdout = keep_stdout
        self.stdout_bytes = self.stderr_bytes = 0
        self.open = {self.out_r, self.err_r}

    def close_write_ends(self) -> None:
        for fd in (self.out_w, self.err_w):
            os.close(fd)
        self.out_w = self.err_w = -1

    def drain(self, fd: int) -> bool:
        """Move what `fd` holds now; False when stdout passed its limit."""
        while True:
            try:
                data = os.read(fd, 1 << 16)
            except BlockingIOError:
                return True
            except OSError:
                data = b""
            if not data:
                self.open.discard(fd)
                return True
            if fd == self.out_r:
                if self.keep_stdout and self.stdout_bytes < self.limit:
                    os.write(self.stdout_file, data[: self.limit - self.stdout_bytes])
                self.stdout_bytes += len(data)
                if self.keep_stdout and self.stdout_bytes >= self.limit:
                    return False
            else:
                if self.stderr_bytes < STDERR_KEEP:
                    os.write(self.stderr_file, data[: STDERR_KEEP - self.stderr_bytes])
                self.stderr_bytes += len(data)

    def drain_all(self) -> bool:
        ok = True
        for fd in list(self.open):
            ok = self.drain(fd) and ok
        return ok

    def close(self) -> None:
        for fd in (self.out_r, self.err_r, self.out_w, self.err_w):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass


class Meter:
    """CPU used by a run (or a call) so far: from the run's cgroup when there is one (every
    process of the run), else from the process clock of its first process. `base` is the
    reading when the run or call began."""

    def __init__(self, group, pid, base: float = 0.0):
        self.group, self.pid, self.base = group, pid, base

    def now(self) -> float:
        if self.group is not None:
            return self.group.cpu_s()
        if self.pid is None:
            return 0.0
        return max(spawn.process_cpu_s(self.pid), 0.0)

    def used(self) -> float:
        return max(self.now() - self.base, 0.0)


def supervise(pid, pidfd, limits: Limits, start, meter: Meter, outputs, setup_sock=None, other_fd=None):
    """Watch a run until its first process exits, `other_fd` is readable, or a limit is
    passed (then kill it). Drains the outputs and reads the setup channel meanwhile.

    Returns (what, killed, setup) with what in {"exited", "readable", "killed"}."""
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    watched = {pidfd: "exit"}
    if outputs is not None:
        for fd in outputs.open:
            poller.register(fd, select.POLLIN)
            watched[fd] = "output"
    if setup_sock is not None:
        poller.register(setup_sock.fileno(), select.POLLIN)
        watched[setup_sock.fileno()] = "setup"
    if other_fd is not None:
        poller.register(other_fd, select.POLLIN)
        watched[other_fd] = "other"
    setup = None
    while True:
        elapsed = time.monotonic() - start
        if elapsed > limits.wall_s:
            return "killed", protocol.KILLED_WALL, setup
        if elapsed * CPUS < limits.cpu_s:
            # Not yet possible to have used the CPU limit on this many CPUs: no need to read
            # the counter; look again when it could be.
            wait = min(limits.cpu_s / CPUS - elapsed + 0.002, limits.wall_s - elapsed + 0.001)
        else:
            used = meter.used()
            if used > limits.cpu_s:
                return "killed", protocol.KILLED_CPU, setup
            wait = min(max(limits.cpu_s - used, 0.0) + 0.002, limits.wall_s - elapsed + 0.001)
        events = poller.poll(max(1, int(wait * 1000) + 1))
        finished = False
        for fd, _ in events:
            kind = watched.get(fd)
            if kind == "output":
                if not outputs.drain(fd):
                    return "killed", protocol.KILLED_OUTPUT, setup
                if fd not in outputs.open:
                    poller.unregister(fd)
            elif kind == "setup":
                setup = read_setup(setup_sock)
                poller.unregister(fd)
            elif kind == "other":
                return "readable", protocol.KILLED_NONE, setup
            elif kind == "exit":
                finished = True
        if finished:
            return "exited", protocol.KILLED_NONE, setup


def read_setup(sock: socket.socket):
    """The child runtime's one message on its setup channel (or None)."""
    try:
        msg = sock.recv(8192, socket.MSG_DONTWAIT)
    except (BlockingIOError, OSError):
        return None
    if not msg:
        return None
    try:
        obj = protocol.decode(msg)
    except protocol.ProtocolError:
        return None
    return obj


def pid_alive(pidfd: int) -> bool:
    return not select.select([pidfd], [], [], 0)[0]


STOP_WAIT_S = 10.0  # how long a killed run's namespace may take to empty (a fork bomb's too)


def children_of(pid: int) -> list:
    """The PIDs whose parent is `pid` (this namespace's numbers)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", "rb") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:  # a kernel without CONFIG_PROC_CHILDREN: read every process's parent
        pass
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as fh:
                    stat = fh.read()
            except OSError:
                continue
            if int(stat[stat.rindex(b")") + 2 :].split()[1]) == pid:
                found.append(int(name))
    return found


def stop_launch(pid: int) -> None:
    """Kill cf-launch and its target, and return only when every process of the run is gone.

    The target is PID 1 of its own namespace: killing it kills every process it made, and the
    kernel reports its exit only when they are all gone. Killing cf-launch alone would leave
    the target to its parent-death signal, which the kernel delivers while the judge is
    already answering: a fork bomb's processes would outlive the verdict."""
    pidfds = []
    for target in children_of(pid):
        try:
            pidfds.append(os.pidfd_open(target))
            os.kill(target, signal.SIGKILL)
        except OSError:  # already gone
            pass
    os.kill(pid, signal.SIGKILL)
    spawn.reap(pid)  # the target is now the zygote's child (reaped with the orphans) or reaped
    deadline = time.monotonic() + STOP_WAIT_S
    for fd in pidfds:
        select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        os.close(fd)


# ---------------------------------------------------------------------------------------
# Children
class Prefork:
    """A child made ahead of time into its own namespaces, parked until its job arrives.
    Its socket is its setup channel: the job comes in on it, and the child says there
    whether user code started."""

    def __init__(self, pid: int, pidfd: int, sock: socket.socket, group=None):
        self.pid, self.pidfd, self.sock = pid, pidfd, sock
        self.group = group  # the cgroup it was asked to join itself, or None
        self.joined = False

    def parked(self) -> bool:
        """Ready for its job: a child asked to join a cgroup has said it did (it says so
        once, before it reads its job; nothing it says after user code starts reaches here)."""
        if self.group is None or self.joined:
            return True
        if not select.select([self.sock], [], [], JOIN_WAIT_S)[0]:
            return False
        self.joined = self.sock.recv(16) == JOINED
        return self.joined

    def discard(self) -> None:
        spawn.kill_tree(self.pid)
        spawn.reap(self.pid)
        os.close(self.pidfd)
        self.sock.close()

    @classmethod
    def spawn(cls, template: spawn.Template, group=None) -> "Prefork":
        parent, chan = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            if group is not None:
                pid = template.clone(CHILD_RUN_JOIN, [chan.fileno(), *group.procs_fds()])
            else:
                pid = template.clone(CHILD_RUN, [chan.fileno()])
        finally:
            chan.close()
        return cls(pid, os.pidfd_open(pid), parent, group)


# What a child of the template becomes (the first byte of the template's request).
CHILD_RUN = b"R"  # a run: a Python program, or a solution process of a session
CHILD_RUN_JOIN = b"J"  # the same, joining the cgroup whose cgroup.procs files it is given
JOINED = b"joined"  # what such a child says on its setup channel once it is in the group
JOIN_WAIT_S = 30.0  # how long a request waits for a parked child to finish joining
CHILD_HARNESS = b"H"  # the harness of one assert test
CHILD_LIMITS = {"extra_as": 0}  # the harness's RLIMIT_AS margin, set before the template starts


def child_main(kind: bytes, fds: list) -> None:
    """In a fresh child of the template (never returns)."""
    chan = socket.socket(fileno=fds[0])
    if kind == CHILD_HARNESS:
        harness_child(chan)
    try:
        spawn.prepare_child()
        if kind == CHILD_RUN_JOIN:
            for fd in fds[1:]:  # cgroup.procs files the zygote opened: "0" is this process
                os.write(fd, b"0")
                os.close(fd)
            chan.send(JOINED)
        msg, fds, _, _ = socket.recv_fds(chan, 1 << 16, 16)
        if not msg:
            os._exit(0)  # the zygote is gone
        job = protocol.decode(msg)
        source = child.read_fd(fds[-1])  # the program comes last
        mapping = {int(t): fds[i] for t, i in job["fds"].items()}
        chan_fd = max(mapping) + 1
        mapping[chan_fd] = chan.detach()  # the old object must not close the number it had
        spawn.place_fds(mapping)
        chan = socket.socket(fileno=chan_fd)
        # Its rlimits were set from outside (spawn.limit_child) before the job was sent.
        if job["type"] == "session":
            child.run_session(chan, socket.socket(fileno=3), source, job["entry"])
        else:
            child.run_script(chan, source, job["argv"], job.get("uncaught_status", child.UNCAUGHT))
    except BaseException:
        setup_failed(chan)
    os._exit(protocol.EXIT_SETUP)


def harness_child(chan: socket.socket) -> None:
    """The harness of an assert test: its job brings the test code, the solution's socket
    and the report pipe (the zygote reads it; the solution cannot reach it)."""
    try:
        spawn.libc.prctl(spawn.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        msg, fds, _, _ = socket.recv_fds(chan, 1 << 16, 8)
        if not msg:
            os._exit(0)
        job = protocol.decode(msg)
        chan.close()
        spawn.place_fds({0: fds[0], 1: None, 2: None, 3: fds[1], 4: fds[2]})
        os.chdir("/")
        spawn.apply_limits(Limits.from_json(job["limits"]), CHILD_LIMITS["extra_as"])
        spawn.drop_capabilities()
        harness.run_harness(socket.socket(fileno=3), 0, 4, job["entry"])
    finally:
        os._exit(1)


def setup_failed(chan) -> None:
    """A child failed before user code ran: say why on the setup channel."""
    import traceback

    try:
        child.report_setup(chan, protocol.SETUP_FAILED, traceback.format_exc())
    except BaseException:
        pass
    os._exit(protocol.EXIT_SETUP)


class Session:
    """The live solution process of a function/assert problem."""

    def __init__(self, pid: int, pidfd: int, sock: socket.socket, outputs: Outputs, group):
        self.pid, self.pidfd, self.sock, self.outputs = pid, pidfd, sock, outputs
        self.group = group  # the cgroup it runs in (or None)

    def close(self) -> dict:
        spawn.kill_tree(self.pid)
        status, _ = spawn.reap(self.pid)
        os.close(self.pidfd)
        self.sock.close()
        self.outputs.drain_all()
        self.outputs.close()
        return spawn.status_fields(status)


# ---------------------------------------------------------------------------------------
# The zygote
class Zygote:
    def __init__(self, control: socket.socket, group, template: spawn.Template, baseline_as: int, pgroups=()):
        self.control = control
        self.group = group  # the run cgroup (executables; Python children where pgroups is empty)
        # Two groups for Python children (runs and solution processes), used in turn: the
        # next child joins the one the current child is not in, while it waits (_fork_next).
        self.pgroups = list(pgroups)
        self.busy = None  # the group of the Python child given its job last
        self.template = template
        self.stdout_fd = self.stderr_fd = None
        self.session: Session | None = None
        self.prefork: Prefork | None = None
        self.call_seq = 0
        self.baseline_as = baseline_as

    def _take_prefork(self) -> Prefork:
        """The child forked ahead of time, or a new one if there is none (or it died, or
        could not join its group)."""
        ready = self.prefork
        self.prefork = None
        if ready is not None and not (pid_alive(ready.pidfd) and ready.parked()):
            ready.discard()
            ready = None
        if ready is None:
            ready = Prefork.spawn(self.template, self._free_group(include_busy=True))
            if not ready.parked():
                ready.discard()
                ready = Prefork.spawn(self.template)  # the zygote attaches this one itself
        self.busy = ready.group
        return ready

    def _free_group(self, include_busy: bool = False):
        """A group for Python children with nothing in it (None if there is none): not the
        live session's, and not the one the last child was given (it may still run)."""
        session = self.session.group if self.session is not None else None
        for group in self.pgroups:
            if group is not session and (include_busy or group is not self.busy):
                return group
        return None

    def _fork_next(self) -> None:
        """Fork the next run's child now, while the one just given its job runs: on a
        machine with a core to spare the fork and its setup overlap that run. It joins the
        other group for Python children itself before it parks: joining a cgroup v1 waits
        for an RCU grace period (milliseconds), now off every test's path. That group is
        empty meanwhile; the child, idle and charged nothing yet, adds nothing to its next
        run's counters, which are reset before the job is sent."""
        if self.prefork is None:
            self.prefork = Prefork.spawn(self.template, self._free_group())

    def _start_measuring(self, limits: Limits, ready: Prefork) -> Meter:
        """Limit a parked child and start measuring it, before its job is sent."""
        group = ready.group if ready.joined else self.group
        spawn.limit_child(ready.pid, limits, self.baseline_as, group is not None)
        if group is not None:
            group.prepare(limits.memory_mb, limits.nproc)
            if not ready.joined:
                group.attach(ready.pid)
        return Meter(group, ready.pid)

    def _measured(self, meter: Meter, usage, reply) -> None:
        """Fill a reply's cost: the cgroup's counters, or wait4's of the first process."""
        if meter.group is not None:
            reply.cpu_s = meter.group.cpu_s()
            reply.peak_kb = meter.group.peak_kb()
            reply.oom = meter.group.oom_kills() > 0
            reply.measured = protocol.MEASURED_CGROUP
        elif usage is not None:
            reply.cpu_s = usage.ru_utime + usage.ru_stime
            reply.peak_kb = usage.ru_maxrss
            reply.measured = protocol.MEASURED_PROCESS

    # -- plumbing ------------------------------------------------------------------------
    def serve(self) -> None:
        while True:
            try:
                msg, fds, _, _ = socket.recv_fds(self.control, protocol.MAX_MESSAGE, protocol.MAX_FDS)
            except ConnectionResetError:
                return
            if not msg:
                return
            for fd in fds:
                os.set_inheritable(fd, False)
            reply_fds: list = []
            try:
                request = protocol.decode(msg)
                handler = getattr(self, "op_" + request["op"])
                reply = handler(request, fds, reply_fds)
            except Exception as exc:  # a bug or resource problem on the judge's side
                reply = {"status": protocol.INTERNAL, "message": f"{type(exc).__name__}: {exc}"}
            finally:
                for fd in fds:
                    if fd not in (self.stdout_fd, self.stderr_fd):
                        try:
                            os.close(fd)
                        except OSError:
                            pass
            if self.group is not None and self.session is None:
                self.group.finish()
            self._reap_orphans()
            reply["session_alive"] = self.session is not None
            data = protocol.encode(reply)
            if reply_fds:
                socket.send_fds(self.control, [data], reply_fds)
            else:
                self.control.send(data)
            for fd in reply_fds:
                os.close(fd)

    def _reap_orphans(self) -> None:
        """The zygote is PID 1 of the worker's namespace: a process whose parent died before
        it (a program whose cf-launch was killed at a limit) becomes its child. Reap those;
        leave the children it tracks (the template, the parked child, a session)."""
        tracked = {self.template.pid}
        if self.prefork is not None:
            tracked.add(self.prefork.pid)
        if self.session is not None:
            tracked.add(self.session.pid)
        while True:
            try:
                info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return
            if info is None or info.si_pid in tracked:
                return  # a tracked child's end is handled where it is tracked
            try:
                os.waitpid(info.si_pid, 0)
            except ChildProcessError:
                pass

    def op_setup(self, request, fds, out):
        """Receive the stdout/stderr memfds the host reads after each run."""
        self.stdout_fd, self.stderr_fd = fds[0], fds[1]
        return {"status": "ok"}

    def op_quiesce(self, request, fds, out):
        """Drop the parked child and any session, so only the sandbox's own processes remain."""
        self._end_session()
        if self.prefork is not None:
            self.prefork.discard()
            self.prefork = None
        return {"status": "ok"}

    # -- fresh-process Python runs ----------------------------------------------------------
    def op_python(self, request, fds, out):
        """Run a Python program in a fresh child. fds: [code, stdin, extra...]."""
        limits = Limits.from_json(request["limits"])
        job_fds = [fresh_copy(fds[1])]
        targets = {"0": 0}
        outputs = Outputs(self.stdout_fd, self.stderr_fd, limits.output_bytes)
        job_fds += [outputs.out_w, outputs.err_w]
        targets.update({"1": 1, "2": 2})
        for target, index in request.get("extra_fds", {}).items():
            targets[str(target)] = len(job_fds)
            job_fds.append(fresh_copy(fds[index]))
        passed = []  # the caller's own output files for this run: given as they are
        for target, index in request.get("out_fds", {}).items():
            targets[str(target)] = len(job_fds)
            job_fds.append(fds[index])
            passed.append(fds[index])
        ready = self._take_prefork()
        job = {
            "type": "script",
            "limits": limits.to_json(),
            "argv": request.get("argv", ["main.py"]),
            "fds": targets,
            "uncaught_status": int(request.get("uncaught_status", child.UNCAUGHT)),
        }
        try:
            meter = self._start_measuring(limits, ready)
            start = time.monotonic()
            socket.send_fds(ready.sock, [protocol.encode(job)], job_fds + [fds[0]])
        finally:
            for fd in job_fds:
                if fd not in (outputs.out_w, outputs.err_w) and fd not in passed:
                    os.close(fd)
            outputs.close_write_ends()
        self._fork_next()
        try:
            return self._finish_run(ready.pid, ready.pidfd, limits, start, meter, outputs, ready.sock)
        finally:
            ready.sock.close()
            outputs.close()

    def _finish_run(self, pid, pidfd, limits, start, meter, outputs, setup_sock) -> dict:
        try:
            what, killed, setup = supervise(pid, pidfd, limits, start, meter, outputs, setup_sock)
            if killed != protocol.KILLED_NONE:
                spawn.kill_tree(pid)
            status, usage = spawn.reap(pid)
        finally:
            os.close(pidfd)
        reply = RunReply(killed=killed, wall_s=time.monotonic() - start, **spawn.status_fields(status))
        if not outputs.drain_all() and killed == protocol.KILLED_NONE:
            reply.killed = protocol.KILLED_OUTPUT
        if setup is None:
            setup = read_setup(setup_sock)
        reply.setup = setup.get("setup", protocol.SETUP_NONE) if setup else protocol.SETUP_NONE
        reply.message = setup.get("message", "") if setup else ""
        reply.stdout_bytes, reply.stderr_bytes = outputs.stdout_bytes, outputs.stderr_bytes
        self._measured(meter, usage, reply)
        return reply.to_json()

    # -- executables through cf-launch -------------------------------------------------------
    def op_exec(self, request, fds, out):
        """Run an executable through cf-launch. fds: [stdin, exe?, files...].

        request: argv, exe (index), limits, files {name: index}, collect [names]. A run that
        hands files back (a compiler) works in the zygote's shared scratch, emptied after
        it; every other run gets a scratch of its own, its files written there by cf-launch."""
        limits = Limits.from_json(request["limits"])
        shared = bool(request.get("collect")) or not VIEW.namespaces
        if shared:
            wipe(VIEW.scratch)
            for name, index in request.get("files", {}).items():
                copy_fd_to_file(fds[index], os.path.join(VIEW.scratch, name))
        argv = self._launch_argv(limits, private=not shared)
        outputs = Outputs(self.stdout_fd, self.stderr_fd, limits.output_bytes)
        report_r, report_w = os.pipe2(os.O_CLOEXEC)
        # Every source descriptor first goes far above the numbers cf-launch expects (0-3, 9,
        # 10+, 20+): placing one must never overwrite another's source.
        opened = []

        def high(fd: int) -> int:
            opened.append(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 256))
            return opened[-1]

        def fresh_high(fd: int) -> int:
            copy = fresh_copy(fd)
            try:
                return high(copy)
            finally:
                os.close(copy)

        actions = [
            (os.POSIX_SPAWN_DUP2, fresh_high(fds[request.get("stdin", 0)]), 0),
            (os.POSIX_SPAWN_DUP2, high(outputs.out_w), 1),
            (os.POSIX_SPAWN_DUP2, high(outputs.err_w), 2),
            (os.POSIX_SPAWN_DUP2, high(report_w), 3),
        ]
        # cf-launch keeps its report on fd 3; extra descriptors wait at 10, 11, ... and the
        # target gets them at the numbers asked for (-F), the executable at 9, files at 20+.
        forwarded = [(t, fresh_high(fds[i])) for t, i in request.get("extra_fds", {}).items()]
        forwarded += [(t, high(fds[i])) for t, i in request.get("out_fds", {}).items()]
        for n, (target, fd) in enumerate(forwarded):
            actions.append((os.POSIX_SPAWN_DUP2, fd, 10 + n))
            argv += ["-F", f"{10 + n}:{int(target)}"]
        if "exe" in request:
            actions.append((os.POSIX_SPAWN_DUP2, high(fds[request["exe"]]), 9))
            argv += ["-x", "9"]
        if not shared:
            for i, (name, index) in enumerate(request.get("files", {}).items()):
                actions.append((os.POSIX_SPAWN_DUP2, high(fds[index]), 20 + i))
                argv += ["-I", f"{name}:{20 + i}"]
        argv += ["--"] + request["argv"]
        try:
            pid = os.posix_spawn(LAUNCHER, argv, {}, file_actions=actions)
        finally:
            for fd in [*opened, report_w]:
                os.close(fd)
            outputs.close_write_ends()
        pidfd = os.pidfd_open(pid)
        start = time.monotonic()
        meter = Meter(self.group, None)
        try:
            # cf-launch enforces the limits itself and reports; the zygote watches the
            # cgroup too (and the output), and stops cf-launch (and so its target) if needed.
            backstop = limits.replace(wall_s=limits.wall_s + EXEC_RUN_BACKSTOP_S, cpu_s=limits.cpu_s + 0.05)
            if self.group is None:
                backstop = backstop.replace(cpu_s=float("inf"))
            what, killed, _ = supervise(pid, pidfd, backstop, start, meter, outputs)
            if killed != protocol.KILLED_NONE:
                stop_launch(pid)
            else:
                spawn.reap(pid)
        finally:
            os.close(pidfd)
        with os.fdopen(report_r, "rb") as fh:
            line = fh.read().decode(errors="replace")
        if killed != protocol.KILLED_NONE:
            # The zygote stopped cf-launch (and with it the target): its report is lost, and
            # what the zygote saw is the whole story.
            reply = RunReply(
                status=protocol.SIGNALED,
                signal=signal.SIGKILL,
                killed=killed,
                setup=protocol.SETUP_STARTED,
                wall_s=time.monotonic() - start,
            )
        else:
            reply = parse_launch_report(line)
            if not outputs.drain_all():
                reply.killed = protocol.KILLED_OUTPUT
        reply.stdout_bytes, reply.stderr_bytes = outputs.stdout_bytes, outputs.stderr_bytes
        outputs.close()
        if self.group is not None:
            self._measured(meter, None, reply)
        if shared:
            for name in request.get("collect", []):
                path = os.path.join(VIEW.scratch, name)
                if os.path.isfile(path) and not os.path.islink(path):
                    out.append(file_to_memfd(path))
                    reply.collected.append(name)
            wipe(VIEW.scratch)
        return reply.to_json()

    def _launch_argv(self, limits: Limits, private: bool) -> list:
        argv = [
            LAUNCHER,
            "-c",  # microseconds, rounded up: never a limit below the one given (int() of
            str(math.ceil(limits.cpu_s * 1e6)),  # 0.57 * 1000 was 569 ms: a TLE before the limit)
            "-w",
            str(math.ceil(limits.wall_s * 1e6)),
            "-f",
            str(int(limits.output_bytes)),
            "-p",
            str(int(limits.nproc)),
            "-n",
            str(int(limits.nofile)),
            "-d",
            VIEW.scratch,
        ]
        if limits.memory_mb:
            as_bytes = int(limits.memory_mb * 1024 * 1024)
            if self.group is not None:
                as_bytes = 4 * as_bytes + (1 << 30)  # the cgroup enforces memory; this is a backstop
            argv += ["-m", str(as_bytes)]
        for key, value in CHILD_ENV.items():
            argv += ["-e", f"{key}={value}"]
        argv += ["-e", f"HOME={VIEW.scratch}", "-e", f"TMPDIR={VIEW.scratch}"]
        if not VIEW.namespaces:
            argv.append("-N")
        else:
            argv += ["-U", f"{VIEW.uid}:{VIEW.gid}"]
            if VIEW.netns:
                argv.append("-P")
            if private:
                argv += ["-T", f"{VIEW.scratch_bytes}:{VIEW.scratch_inodes}"]
            argv += ["-S", str(VIEW.shm_bytes)]
            if VIEW.own_proc:
                argv.append("-R")
            for path in VIEW.hide:
                argv += ["-H", path]
        if self.group is not None:
            for path in self.group.procs_files():
                argv += ["-G", path]
            kind = "ns" if self.group.version == 1 else "stat"
            argv += ["-C", f"{kind}:{self.group.cpu_file()}"]
            self.group.prepare(limits.memory_mb, limits.nproc)
        return argv

    # -- sessions (function and assert problems) ---------------------------------------------
    def _start_session(self, source_fd: int, entry: str, limits: Limits) -> CallReply:
        """Load a solution into a long-lived child (forked ahead of time when possible)."""
        self._end_session()
        parent_sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        ready = self._take_prefork()
        outputs = Outputs(self.stdout_fd, self.stderr_fd, limits.output_bytes, keep_stdout=False)
        job = {
            "type": "session",
            "limits": limits.to_json(),
            "entry": entry,
            "fds": {"0": 0, "1": 1, "2": 2, "3": 3},
        }
        empty = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        try:
            meter = self._start_measuring(limits, ready)
            start = time.monotonic()
            socket.send_fds(
                ready.sock,
                [protocol.encode(job)],
                [empty, outputs.out_w, outputs.err_w, child_sock.fileno(), source_fd],
            )
        finally:
            os.close(empty)
            child_sock.close()
            outputs.close_write_ends()
        self._fork_next()
        session = Session(ready.pid, ready.pidfd, parent_sock, outputs, meter.group)
        what, killed, setup = supervise(
            ready.pid, ready.pidfd, limits, start, meter, outputs, ready.sock, other_fd=parent_sock.fileno()
        )
        if setup is None:
            setup = read_setup(ready.sock)
        ready.sock.close()
        state = setup.get("setup") if setup else protocol.SETUP_NONE
        reply = CallReply(load=True, killed=killed)
        if what == "readable" and state == protocol.SETUP_STARTED:
            msg = protocol.parse_untrusted(parent_sock.recv(65536))
            if msg is not None and msg.get("status") == "ready":
                self.session = session
                reply.status = "ready"
                reply.wall_s = time.monotonic() - start
                self._session_cost(reply, meter)
                return reply
            if msg is not None and msg.get("status") == "error":
                reply.kind = msg.get("kind") if msg.get("kind") in protocol.PROGRAM_KINDS else "RE"
                reply.message = protocol.clean_text(msg.get("message", ""))
            else:
                reply.kind, reply.message = "RE", "garbled reply from the solution process"
        self._session_cost(reply, meter)
        session.close()
        reply.status = "error"
        reply.wall_s = time.monotonic() - start
        if killed != protocol.KILLED_NONE:
            reply.kind, reply.message = "TLE", "time limit while loading"
        elif reply.oom:
            reply.kind, reply.message = "MLE", "memory limit while loading"
        elif state == protocol.SETUP_SYNTAX:
            reply.kind, reply.message = "CE", setup.get("message", "")
        elif state in (protocol.SETUP_NONE, protocol.SETUP_FAILED):
            reply.status = protocol.INTERNAL
            reply.message = (
                "the sandbox could not start the solution: " + (setup or {}).get("message", "")[-1500:]
            )
        elif not reply.kind:
            reply.kind, reply.message = "RE", "the program ended while loading"
        return reply

    def _end_session(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None

    def _call(self, name, args_fd: int, result_fd: int, limits: Limits) -> CallReply:
        """One call of the loaded entry point, timed and watched here."""
        session = self.session
        args = fresh_copy(args_fd)
        cpu_base, start = self._call_start(session)
        self.call_seq += 1
        seq = self.call_seq
        try:
            try:
                socket.send_fds(
                    session.sock, [protocol.encode({"name": name, "seq": seq})], [args, result_fd]
                )
            except OSError:
                return self._session_died("the solution process is gone", cpu_base, start)
        finally:
            os.close(args)
        meter = Meter(session.group, session.pid, cpu_base)
        while True:
            what, killed, _ = supervise(
                session.pid,
                session.pidfd,
                limits,
                start,
                meter,
                session.outputs,
                other_fd=session.sock.fileno(),
            )
            if what != "readable":
                break
            raw = session.sock.recv(65536)
            if not raw:
                what = "exited"
                break
            msg = protocol.parse_untrusted(raw)
            if msg is None or msg.get("seq") != seq:
                continue  # a stale or unsolicited message: wait for this call's reply
            reply = self._program_reply(msg, ("ok", "error"), "WA")
            reply.wall_s = time.monotonic() - start
            self._session_cost(reply, meter)
            if reply.status == "ok":
                reply.bytes = int(msg["bytes"]) if isinstance(msg.get("bytes"), int) else 0
            if reply.oom:
                reply.status, reply.kind, reply.message = "error", "MLE", "memory limit exceeded"
            return reply
        if killed != protocol.KILLED_NONE:
            reply = CallReply(status="error", kind="TLE", killed=killed, wall_s=time.monotonic() - start)
            self._session_cost(reply, meter)
            self._end_session()
            return reply
        return self._session_died("the solution process ended during the call", cpu_base, start)

    def _call_start(self, session: Session):
        if session.group is not None:
            session.group.reset_peak()
            return session.group.cpu_s(), time.monotonic()
        return max(spawn.process_cpu_s(session.pid), 0.0), time.monotonic()

    def _session_cost(self, reply: CallReply, meter: Meter) -> None:
        reply.cpu_s = meter.used()
        if meter.group is not None:
            reply.peak_kb = meter.group.peak_kb()
            reply.oom = meter.group.oom_kills() > 0
            reply.measured = protocol.MEASURED_CGROUP
        else:
            reply.peak_kb = spawn.peak_rss_kb(meter.pid)

    @staticmethod
    def _program_reply(msg: dict, statuses: tuple, garbled_kind: str) -> CallReply:
        """A reply from the solution process, cut down to what it may say."""
        if msg.get("status") not in statuses:
            return CallReply(
                status="error", kind=garbled_kind, message="garbled reply from the solution process"
            )
        reply = CallReply(status=msg["status"], message=protocol.clean_text(msg.get("message", "")))
        if reply.status == "error":
            reply.kind = msg.get("kind") if msg.get("kind") in protocol.PROGRAM_KINDS else "RE"
        return reply

    def _session_died(self, message: str, cpu_base: float, start: float) -> CallReply:
        session = self.session
        reply = CallReply(status="error", kind="RE", message=message, wall_s=time.monotonic() - start)
        if session is not None:
            self._session_cost(reply, Meter(session.group, session.pid, cpu_base))
            session.close()
        self.session = None
        if reply.oom:
            reply.kind, reply.message = "MLE", "memory limit exceeded"
        return reply

    def _assert(self, test_fd: int, entry: str, limits: Limits) -> CallReply:
        """Run one assert test: its code runs in a harness child that calls the solution
        across the process boundary and reports to us through a pipe it alone holds."""
        session = self.session
        report_r, report_w = os.pipe2(os.O_CLOEXEC)
        cpu_base, start = self._call_start(session)
        parent, chan = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            pid = self.template.clone(CHILD_HARNESS, [chan.fileno()])
            job = {"entry": entry, "limits": limits.replace(cpu_s=limits.harness_cpu_s, nproc=4).to_json()}
            socket.send_fds(parent, [protocol.encode(job)], [test_fd, session.sock.fileno(), report_w])
        finally:
            chan.close()
            parent.close()
            os.close(report_w)
        hpidfd = os.pidfd_open(pid)
        meter = Meter(session.group, session.pid, cpu_base)
        try:
            # The solution's CPU is watched against the test's limit, the harness's wall time too.
            what, killed, _ = supervise(
                session.pid, session.pidfd, limits, start, meter, session.outputs, other_fd=report_r
            )
            report = None
            # If the solution died, the harness notices and reports shortly.
            if (
                killed == protocol.KILLED_NONE
                and select.select([report_r], [], [], max(0.5, limits.wall_s))[0]
            ):
                report = protocol.parse_untrusted(os.read(report_r, 1 << 16))
            reply = CallReply(wall_s=time.monotonic() - start, killed=killed)
            self._session_cost(reply, meter)
            if killed != protocol.KILLED_NONE:
                reply.status, reply.kind = "error", "TLE"
            elif reply.oom:
                reply.status, reply.kind, reply.message = "error", "MLE", "memory limit exceeded"
            elif report is None:
                reply.status, reply.kind, reply.message = "error", "RE", "the test harness did not report"
            elif report.get("passed"):
                reply.status = "ok"
            else:
                reply.status = "error"
                # The kind may come from the solution's reply (a failed call): never let it
                # choose one the judge reserves for its own measurements or faults.
                reply.kind = report.get("kind") if report.get("kind") in protocol.PROGRAM_KINDS else "RE"
                reply.message = protocol.clean_text(report.get("message", ""))
        finally:
            spawn.kill_tree(pid)
            spawn.reap(pid)
            os.close(hpidfd)
            os.close(report_r)
        restart = report is None or report.get("restart") is True
        if killed != protocol.KILLED_NONE or restart or not pid_alive(session.pidfd):
            # A dead or killed solution cannot serve the next test; one whose harness died
            # or broke off may still be inside that harness's request.
            self._end_session()
        return reply

    # Single-step operations (first-fail mode: the judge compares before the next test).
    def op_session_start(self, request, fds, out):
        """fds: [code]."""
        return self._start_session(fds[0], request["entry"], Limits.from_json(request["limits"])).to_json()

    def op_session_end(self, request, fds, out):
        self._end_session()
        return {"status": "ok"}

    def op_call(self, request, fds, out):
        """fds: [args memfd, result memfd]."""
        if self.session is None:
            return {"status": protocol.INTERNAL, "message": "no session"}
        return self._call(request.get("name"), fds[0], fds[1], Limits.from_json(request["limits"])).to_json()

    def op_assert(self, request, fds, out):
        """fds: [test code memfd]."""
        if self.session is None:
            return {"status": protocol.INTERNAL, "message": "no session"}
        return self._assert(fds[0], request["entry"], Limits.from_json(request["limits"])).to_json()

    def op_run_session(self, request, fds, out):
        """Every test of one sample in one request (all-tests mode).

        fds: [code, then per test: args memfd and result memfd (function) or test-code
        memfd (assert)]. A solution that dies or times out is loaded again for the next
        test; a compile error ends the sample."""
        kind, entry = request["kind"], request["entry"]
        limits = Limits.from_json(request["limits"])
        per_test = 2 if kind == "function" else 1
        results = []
        for i in range(request["tests"]):
            if self.session is None:
                load = self._start_session(fds[0], entry, limits)
                if load.status != "ready":
                    results.append(load.to_json())
                    if load.kind == "CE" or load.status == protocol.INTERNAL:
                        break
                    continue
            base = 1 + i * per_test
            if kind == "function":
                results.append(self._call(None, fds[base], fds[base + 1], limits).to_json())
            else:
                results.append(self._assert(fds[base], entry, limits).to_json())
        self._end_session()
        return {"status": "ok", "tests": results}


def parse_launch_report(line: str) -> RunReply:
    fields: dict = {}
    for part in line.split():
        key, _, value = part.partition("=")
        fields[key] = value
    reply = RunReply(measured=protocol.MEASURED_PROCESS)
    status = fields.get("status", "")
    if status in (protocol.EXITED, protocol.SIGNALED):
        reply.status = status
        if "code" in fields:
            reply.code = int(fields["code"])
        if "signal" in fields:
            reply.signal = int(fields["signal"])
        reply.cpu_s = float(fields.get("cpu_s", 0))
        reply.wall_s = float(fields.get("wall_s", 0))
        reply.peak_kb = int(fields.get("maxrss_kb", 0))
        reply.killed = fields.get("killed", protocol.KILLED_NONE)
        reply.setup = fields.get("setup", protocol.SETUP_NONE)
        if "errno" in fields:
            reply.message = f"execve failed: {os.strerror(int(fields['errno']))}"
    else:
        reply.status = protocol.INTERNAL
        reply.message = (
            f"cf-launch: {fields.get('where', '?')} failed (errno {fields.get('errno', '?')})"
            if fields
            else "cf-launch reported nothing"
        )
    return reply


def configure(config: dict) -> None:
    VIEW.namespaces = bool(config.get("namespaces", True))
    VIEW.netns = bool(config.get("netns", False))
    VIEW.scratch = config["scratch"]
    VIEW.scratch_bytes = int(config.get("scratch_bytes", VIEW.scratch_bytes))
    VIEW.scratch_inodes = int(config.get("scratch_inodes", VIEW.scratch_inodes))
    VIEW.shm_bytes = int(config.get("shm_bytes", VIEW.shm_bytes))
    VIEW.own_proc = bool(config.get("own_proc", True))
    VIEW.hide = tuple(config.get("hide", ()))
    global LAUNCHER
    LAUNCHER = config.get("launcher", LAUNCHER)
    CHILD_ENV.update(config.get("child_env") or {})
    env = dict(CHILD_ENV, HOME=VIEW.scratch, TMPDIR=VIEW.scratch)
    # Children inherit this environment as it is; nothing of the judge's environment is in it.
    os.environ.clear()
    os.environ.update(env)


def uncover_proc() -> None:
    """bubblewrap, when privileged, covers /proc/irq and /proc/bus with read-only binds;
    the kernel lets a run mount a /proc of its own only where /proc is fully visible.
    Those files are read-only to the unprivileged sandbox user anyway."""
    for path in (b"/proc/irq", b"/proc/bus", b"/proc/sys", b"/proc/sysrq-trigger"):
        spawn.libc.umount2(path, spawn.MNT_DETACH)


def address_space() -> int:
    with open("/proc/self/status", "rb") as fh:
        for line in fh:
            if line.startswith(b"VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def prepare_template() -> None:
    """In the template, once: what every child would otherwise build for itself."""
    # The streams name fds 0-2, not files: every child has them ready, reading and writing
    # whatever place_fds puts there once its job arrives.
    child.child_streams()
    spawn.child_plan()


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    config = protocol.decode(control.recv(protocol.MAX_MESSAGE))
    configure(config)
    drop_uid = config.get("drop_uid")
    if drop_uid is not None and os.getuid() == 0:
        uncover_proc()
        # Privileged sandbox (the judge runs as root): hand the scratch directory to an
        # unprivileged user, then become that user for good (all capabilities go).
        os.chown(VIEW.scratch, drop_uid, drop_uid)
        os.chmod(VIEW.scratch, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        os.setgroups([])
        os.setresgid(drop_uid, drop_uid, drop_uid)
        os.setresuid(drop_uid, drop_uid, drop_uid)
    VIEW.uid, VIEW.gid = os.getuid(), os.getgid()
    spawn.libc.prctl(spawn.PR_SET_DUMPABLE, 0, 0, 0, 0)  # children cannot read or trace the zygote
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    group = cgroup.open_cgroup(config.get("cgroup"))
    child.add_site_builtins()
    # The first compile() in an interpreter builds the ~120 AST node types; pay it once here.
    compile("pass", "<zygote>", "exec", dont_inherit=True)
    gc.freeze()  # keep the collector from dirtying inherited pages in every child
    try:
        spawn.libc.malloc_trim(0)  # hand freed heap back: every resident page is copied on each fork
    except AttributeError:
        pass
    fcntl.fcntl(control.fileno(), fcntl.F_SETFD, fcntl.FD_CLOEXEC)
    baseline_as = address_space()
    CHILD_LIMITS.update(extra_as=baseline_as)
    template = spawn.start_template(child_main, setup=prepare_template)
    control.send(
        protocol.encode({"status": "ready", "pid": os.getpid(), "uid": os.getuid(), "cgroup": bool(group)})
    )
    Zygote(control, group, template, baseline_as, cgroup.open_prefork_cgroups(config.get("cgroup"))).serve()


if __name__ == "__main__":
    main()
