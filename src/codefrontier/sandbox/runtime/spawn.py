"""Process creation inside the sandbox: a fresh child per run, in new user, PID, mount and
IPC namespaces, with a view of the file system made for that run alone.

What a run sees (`enter_run_view`, done while the child is parked, before its job):
* its own tmpfs as the scratch directory (its working directory, HOME and TMPDIR) and
  another at /dev/shm — size and inode capped, and gone with the run: nothing it writes,
  no extended attribute and no timestamp, survives into the next run;
* a /proc of its own PID namespace: only its own processes, no host path in any
  command line;
* nothing of the worker's cgroup (hidden under an empty read-only tmpfs), so it cannot
  move itself out of its cgroup, reset its peak memory or raise its limits;
* no capability (they are dropped before user code), no new privileges.

Standard library only (imported by the zygote).
"""

import ctypes
import fcntl
import os
import resource
import signal
import socket
import time

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
# Looked up once, here: a ctypes function first named in a fresh child is found with
# dlsym and wrapped anew there, and that work writes (so copies) ~50 pages in every run.
_before_fork = ctypes.pythonapi.PyOS_BeforeFork
_after_fork_child = ctypes.pythonapi.PyOS_AfterFork_Child
_after_fork_parent = ctypes.pythonapi.PyOS_AfterFork_Parent

SYS_CLONE = 56
SYS_CAPSET = 126
SYS_CLOSE_RANGE = 436
CLONE_NEWNS = 0x00020000
CLONE_PARENT = 0x00008000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
F_DUPFD_CLOEXEC = 1030
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
MNT_DETACH = 2


class RunView:
    """How a run's view of the system is made (set from the host's configuration)."""

    namespaces = True  # per-run user + PID + mount + IPC namespaces
    netns = False  # also a network namespace per run (when bubblewrap gave the worker none)
    scratch = "/tmp"
    scratch_bytes = 512 << 20
    scratch_inodes = 4096
    shm_bytes = 64 << 20
    own_proc = True  # mount a /proc of the run's PID namespace
    hide = ()  # directories to cover (the worker's cgroup)
    uid = 65534
    gid = 65534


VIEW = RunView()


class SetupError(Exception):
    """The sandbox could not make a run's view: the judge's fault, never the program's."""


def clone_child(sibling: bool = False) -> int:
    """fork(), but the child is PID 1 of new PID, user, mount and IPC namespaces: when it
    exits the kernel kills every process it left behind, and System V objects, mounts and
    its /proc go with it. A `sibling` is a child of this process's parent (CLONE_PARENT):
    the template makes children that the zygote supervises and reaps."""
    flags = CLONE_PARENT if sibling else 0
    if VIEW.namespaces:
        flags |= (
            CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNS | (CLONE_NEWNET if VIEW.netns else 0)
        )
    elif not sibling:
        return os.fork()
    _before_fork()
    pid = libc.syscall(SYS_CLONE, ctypes.c_ulong(flags | signal.SIGCHLD), None, None, None, None)
    err = ctypes.get_errno()
    if pid == 0:
        _after_fork_child()
    else:
        _after_fork_parent()
    if pid < 0:
        raise OSError(err, f"clone: {os.strerror(err)}")
    return pid


def _mount(source: bytes, target: bytes, fstype, flags: int, data) -> None:
    if libc.mount(source, target, fstype, flags, data) != 0:
        err = ctypes.get_errno()
        raise SetupError(f"mount {(fstype or source).decode()} on {target.decode()}: {os.strerror(err)}")


def _write(path: str, text: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, text)
    finally:
        os.close(fd)


class ChildPlan:
    """What every child's setup writes and mounts, encoded once in the template: a child
    that only walks these tuples writes (and so copies) few pages of the template."""

    def __init__(self) -> None:
        self.uid_map = f"{VIEW.uid} {VIEW.uid} 1".encode()
        self.gid_map = f"{VIEW.gid} {VIEW.gid} 1".encode()
        tmpfs = MS_NOSUID | MS_NODEV
        scratch = f"size={VIEW.scratch_bytes},nr_inodes={VIEW.scratch_inodes},mode=0755"
        mounts = [(b"none", b"/", None, MS_REC | MS_PRIVATE, None)]
        mounts.append((b"tmpfs", VIEW.scratch.encode(), b"tmpfs", tmpfs, scratch.encode()))
        if os.path.isdir("/dev/shm"):
            shm = f"size={VIEW.shm_bytes},nr_inodes=1024,mode=1777"
            mounts.append((b"tmpfs", b"/dev/shm", b"tmpfs", tmpfs, shm.encode()))
        if VIEW.own_proc:
            mounts.append((b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None))
        for path in VIEW.hide:
            hidden = (b"tmpfs", path.encode(), b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
            mounts.append((*hidden, b"size=4096,nr_inodes=2,mode=0555"))
        self.mounts = tuple(mounts)
        self.cap_header = (ctypes.c_uint32 * 2)(0x20080522, 0)
        self.cap_data = (ctypes.c_uint32 * 6)()


PLAN: ChildPlan | None = None


def child_plan() -> ChildPlan:
    global PLAN
    if PLAN is None:
        PLAN = ChildPlan()
    return PLAN


def enter_run_view() -> None:
    """In a fresh child, before it drops its capabilities: map its user, then mount the
    run's own scratch, /dev/shm and /proc, and cover the worker's cgroup."""
    if not VIEW.namespaces:
        return
    plan = child_plan()
    # Writing the maps needs the process dumpable (its /proc files are then its own).
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    _write("/proc/self/uid_map", plan.uid_map)
    _write("/proc/self/setgroups", b"deny")
    _write("/proc/self/gid_map", plan.gid_map)
    for mount in plan.mounts:
        _mount(*mount)


def drop_capabilities() -> None:
    # A new user namespace hands its first process every capability inside it; user code
    # gets none (capset v3 with empty sets), and can never gain one (no_new_privs).
    plan = child_plan()
    libc.syscall(SYS_CAPSET, plan.cap_header, plan.cap_data)
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def prepare_child() -> None:
    """The part of a child's setup that does not depend on its job, done while it is parked."""
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # Its own session and process group: as PID 1 of its namespace the program sees
    # getppid() == 0, and kill(0, sig) would otherwise reach the zygote's process group.
    os.setsid()
    enter_run_view()
    os.chdir(VIEW.scratch)
    os.umask(0o022)
    drop_capabilities()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    # No random.seed() here: the random module reseeds itself in every forked child
    # (os.register_at_fork), which PyOS_AfterFork_Child runs.


def place_fds(mapping: dict) -> None:
    """Make the child's descriptors exactly `mapping` (target fd -> source fd, None for
    /dev/null): every other descriptor, inherited from the zygote or not, is closed."""
    sources = {}
    for target, source in mapping.items():
        sources[target] = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC) if source is None else source
    # Copies above every target and every source first, so placing one never clobbers
    # another's source (and low enough for any RLIMIT_NOFILE a run may have).
    base = max(max(mapping), max(sources.values())) + 1
    high = {target: fcntl.fcntl(source, F_DUPFD_CLOEXEC, base) for target, source in sources.items()}
    for target, fd in high.items():
        os.dup2(fd, target, inheritable=True)
    top = max(mapping)
    for fd in range(top):
        if fd not in mapping:
            _close_quietly(fd)
    if libc.syscall(SYS_CLOSE_RANGE, top + 1, ctypes.c_uint(0xFFFFFFFF), 0) != 0:
        os.closerange(top + 1, 65536)


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def rlimits(limits, extra_as: int = 0, memory_by_cgroup: bool = False) -> list:
    """rlimits of a run, as (resource, (soft, hard)). With a run cgroup the cgroup enforces
    memory (its OOM kill is the judge's own observation of MLE); RLIMIT_AS is then only a
    generous backstop."""
    cpu = int(limits.cpu_s) + 2  # the watcher kills on time; this is the backstop
    found = [(resource.RLIMIT_CPU, (cpu, cpu + 1))]
    if limits.memory_mb:
        as_bytes = int(limits.memory_mb * 1024 * 1024) + extra_as
        if memory_by_cgroup:
            as_bytes = 4 * as_bytes + (1 << 30)
        found.append((resource.RLIMIT_AS, (as_bytes, as_bytes)))
    found += [
        (resource.RLIMIT_FSIZE, (limits.output_bytes, limits.output_bytes)),
        (resource.RLIMIT_NPROC, (limits.nproc, limits.nproc)),
        (resource.RLIMIT_NOFILE, (limits.nofile, limits.nofile)),
        (resource.RLIMIT_CORE, (0, 0)),
        (resource.RLIMIT_STACK, (resource.RLIM_INFINITY, resource.RLIM_INFINITY)),
        (resource.RLIMIT_MEMLOCK, (0, 0)),
    ]
    return found


def apply_limits(limits, extra_as: int = 0, memory_by_cgroup: bool = False) -> None:
    for which, value in rlimits(limits, extra_as, memory_by_cgroup):
        resource.setrlimit(which, value)


def limit_child(pid: int, limits, extra_as: int = 0, memory_by_cgroup: bool = False) -> None:
    """Set a parked child's rlimits from outside (prlimit), before its job is sent: the
    child itself runs no code for them, and user code never runs without them."""
    for which, value in rlimits(limits, extra_as, memory_by_cgroup):
        resource.prlimit(pid, which, value)


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


def kill_tree(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)  # PID 1 of its namespace: the kernel takes the rest
    except ProcessLookupError:
        pass
    if not VIEW.namespaces:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def reap(pid: int):
    while True:
        try:
            _, status, usage = os.wait4(pid, 0)
            return status, usage
        except InterruptedError:
            continue


def status_fields(status: int) -> dict:
    if os.WIFEXITED(status):
        return {"status": "exited", "code": os.WEXITSTATUS(status)}
    return {"status": "signaled", "signal": os.WTERMSIG(status)}


# ---------------------------------------------------------------------------------------
# The template: where children come from
class Template:
    """The zygote's handle on its template process: a copy of the warm interpreter that
    does nothing but clone children when asked.

    Why a process of its own: a fork write-protects every page of the process that forks,
    and each page it writes afterwards is copied. The zygote writes all over its heap
    while it supervises a run (requests, replies, the cgroup's files); if it were also the
    process children are forked from, it would pay a page copy for each page it touched
    after every fork, and each child would be forked from that larger, busier heap. The
    template touches a few pages per child; the zygote forks nothing large."""

    def __init__(self, pid: int, sock: socket.socket):
        self.pid, self.sock = pid, sock

    def clone(self, kind: bytes, fds: list) -> int:
        """A new child of the zygote (`kind` says what it becomes; `fds` it inherits)."""
        socket.send_fds(self.sock, [kind], fds)
        reply = self.sock.recv(32)
        if not reply:
            raise SetupError("the template process is gone")
        pid = int(reply)
        if pid < 0:
            raise OSError(-pid, f"clone: {os.strerror(-pid)}")
        return pid


def start_template(child_main, setup=None) -> Template:
    """Fork the template. It keeps only its socket (and fds 0-2), runs `setup()` once, and
    each request clones a sibling (a child of the zygote) that runs `child_main(kind, fds)`
    and never returns."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        try:
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            keep = fcntl.fcntl(theirs.fileno(), F_DUPFD_CLOEXEC, 3)
            if keep != 3:
                os.dup2(keep, 3, inheritable=False)
            if libc.syscall(SYS_CLOSE_RANGE, 4, ctypes.c_uint(0xFFFFFFFF), 0) != 0:
                os.closerange(4, 65536)
            if setup is not None:
                setup()
            serve_template(socket.socket(fileno=3), child_main)
        finally:
            os._exit(0)
    theirs.close()
    return Template(pid, ours)


def serve_template(sock: socket.socket, child_main) -> None:
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 32, 8)
        except OSError:
            return
        if not msg:
            return  # the zygote is gone
        try:
            pid = clone_child(sibling=True)
        except OSError as exc:
            pid = -(exc.errno or 1)
        if pid == 0:
            try:
                sock.close()
                child_main(msg, fds)
            finally:
                os._exit(210)
        for fd in fds:
            os.close(fd)
        sock.send(b"%d" % pid)
