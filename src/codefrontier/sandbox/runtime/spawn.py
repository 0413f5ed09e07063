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
import time

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]

SYS_CLONE = 56
SYS_CAPSET = 126
SYS_CLOSE_RANGE = 436
CLONE_NEWNS = 0x00020000
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


def clone_child() -> int:
    """fork(), but the child is PID 1 of new PID, user, mount and IPC namespaces: when it
    exits the kernel kills every process it left behind, and System V objects, mounts and
    its /proc go with it."""
    if not VIEW.namespaces:
        return os.fork()
    flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNS | (CLONE_NEWNET if VIEW.netns else 0)
    ctypes.pythonapi.PyOS_BeforeFork()
    pid = libc.syscall(SYS_CLONE, ctypes.c_ulong(flags | signal.SIGCHLD), None, None, None, None)
    err = ctypes.get_errno()
    if pid == 0:
        ctypes.pythonapi.PyOS_AfterFork_Child()
    else:
        ctypes.pythonapi.PyOS_AfterFork_Parent()
    if pid < 0:
        raise OSError(err, f"clone: {os.strerror(err)}")
    return pid


def _mount(source: str, target: str, fstype, flags: int, data=None) -> None:
    if (
        libc.mount(
            source.encode(), target.encode(), fstype and fstype.encode(), flags, data and data.encode()
        )
        != 0
    ):
        err = ctypes.get_errno()
        raise SetupError(f"mount {fstype or source} on {target}: {os.strerror(err)}")


def _write(path: str, text: str) -> None:
    with open(path, "w") as fh:
        fh.write(text)


def enter_run_view() -> None:
    """In a fresh child, before it drops its capabilities: map its user, then mount the
    run's own scratch, /dev/shm and /proc, and cover the worker's cgroup."""
    if not VIEW.namespaces:
        return
    # Writing the maps needs the process dumpable (its /proc files are then its own).
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    _write("/proc/self/uid_map", f"{VIEW.uid} {VIEW.uid} 1")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/gid_map", f"{VIEW.gid} {VIEW.gid} 1")
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    tmpfs = MS_NOSUID | MS_NODEV
    _mount(
        "tmpfs",
        VIEW.scratch,
        "tmpfs",
        tmpfs,
        f"size={VIEW.scratch_bytes},nr_inodes={VIEW.scratch_inodes},mode=0755",
    )
    if os.path.isdir("/dev/shm"):
        _mount("tmpfs", "/dev/shm", "tmpfs", tmpfs, f"size={VIEW.shm_bytes},nr_inodes=1024,mode=1777")
    if VIEW.own_proc:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for path in VIEW.hide:
        _mount(
            "tmpfs",
            path,
            "tmpfs",
            MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
            "size=4096,nr_inodes=2,mode=0555",
        )


def drop_capabilities() -> None:
    # A new user namespace hands its first process every capability inside it; user code
    # gets none (capset v3 with empty sets), and can never gain one (no_new_privs).
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    libc.syscall(SYS_CAPSET, header, data)
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
    high = {}
    for target, source in mapping.items():
        # Copies far above every target first, so placing one never clobbers another's source.
        if source is None:
            source = os.open(os.devnull, os.O_RDWR)
        high[target] = fcntl.fcntl(source, F_DUPFD_CLOEXEC, 1000)
    for target, fd in high.items():
        os.dup2(fd, target, inheritable=True)
    top = max(mapping) if mapping else 2
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


def apply_limits(limits, extra_as: int = 0, memory_by_cgroup: bool = False) -> None:
    """rlimits of a run. With a run cgroup the cgroup enforces memory (its OOM kill is
    the judge's own observation of MLE); RLIMIT_AS is then only a generous backstop."""
    cpu = int(limits.cpu_s) + 2  # the watcher kills on time; this is the backstop
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    if limits.memory_mb:
        as_bytes = int(limits.memory_mb * 1024 * 1024) + extra_as
        if memory_by_cgroup:
            as_bytes = 4 * as_bytes + (1 << 30)
        resource.setrlimit(resource.RLIMIT_AS, (as_bytes, as_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.output_bytes, limits.output_bytes))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.nproc, limits.nproc))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.nofile, limits.nofile))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_STACK, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (0, 0))


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
