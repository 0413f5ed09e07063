"""Which isolation this machine allows, and how a worker sandbox is started.

Levels, strongest first (docs/isolation.md):

``full``
    bubblewrap: every worker lives in its own mount, network, IPC, UTS and PID
    namespaces with a read-only view of the system (only /usr, the Python standard
    library and codefrontier's sandbox runtime; never the judge's files), a private
    size-capped /tmp, and no network. Every run is a fresh child in new user and PID
    namespaces, so every process it starts dies with it.
``namespaces``
    bubblewrap is missing or refused but unprivileged user namespaces work: every
    run still gets fresh user, PID and network namespaces (no network, no stray
    processes), but the file system is the host's (read access as the judge's user).
``rlimits``
    no namespaces at all: rlimits, a process group that is killed after each run,
    a scrubbed environment and a private scratch directory. Files and the network
    are reachable; stray processes that leave the group can survive. Use only for
    trusted code.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from codefrontier.errors import SandboxError
from codefrontier.native import BuildError, build
from codefrontier.sandbox.cgroups import SANDBOX_CGROUP_ROOT, WorkerCgroup

LEVELS = ("full", "namespaces", "rlimits")
RUNTIME_DIR = Path(__file__).parent / "runtime"
LAUNCH_SOURCE = Path(__file__).parent / "launch.c"
SANDBOX_RUNTIME = "/opt/codefrontier/runtime"
SANDBOX_LAUNCHER = "/opt/codefrontier/cf-launch"
SANDBOX_PYTHON = "/opt/python"  # where a non-system interpreter appears inside bubblewrap
UNPRIVILEGED_UID = 65534  # what the zygote becomes when the judge runs as root
SCRATCH_INODES = 16384  # files and directories one run may make in its scratch
SHM_MB = 64  # size of a run's /dev/shm


def launcher_path() -> Path:
    """Build cf-launch (static where the C library allows, once per source version) and
    return its path."""
    try:
        return build(LAUNCH_SOURCE, "cf-launch", [["-O2", "-static"], ["-O2"]])
    except BuildError as exc:
        raise SandboxError(str(exc)) from None


def python_for_sandbox() -> tuple[Path, Path]:
    """The base interpreter (not the venv's wrapper) and its installation prefix."""
    exe = Path(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))
    return exe, Path(sys.base_prefix)


@dataclass
class IsolationPlan:
    """How to start one worker's zygote at a given isolation level. The zygote's
    configuration travels over its control socket, not on its command line."""

    level: str
    argv: list[str]
    zygote_config: dict
    private_dir: str | None = None  # for levels without bubblewrap: the scratch root we made
    python: str = ""  # the interpreter's path as runs see it (for executables that start Python)
    env: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _bind_system(args: list[str]) -> None:
    args += ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    # The dynamic linker's cache and the compiler alternatives; nothing else of /etc.
    for etc in (
        "/etc/ld.so.cache",
        "/etc/ld.so.conf",
        "/etc/ld.so.conf.d",
        "/etc/alternatives",
        "/etc/localtime",
    ):
        args += ["--ro-bind-try", etc, etc]


def _run_view(scratch: str, tmpfs_mb: int) -> dict:
    """What every run gets (runtime/spawn.py, RunView)."""
    return {
        "scratch": scratch,
        "scratch_bytes": tmpfs_mb * 1024 * 1024,
        "scratch_inodes": SCRATCH_INODES,
        "shm_bytes": SHM_MB * 1024 * 1024,
    }


def bwrap_plan(
    bwrap: str, tmpfs_mb: int, control_fd: int, cgroup: WorkerCgroup | None = None
) -> IsolationPlan:
    python, prefix = python_for_sandbox()
    launcher = launcher_path()
    root = os.geteuid() == 0
    # No --die-with-parent: it fires when the *thread* that started bubblewrap ends, and
    # workers are started and restarted from threads. The zygote exits instead when its
    # control socket closes, which happens when the judge process ends in any way.
    # --as-pid-1: the zygote itself is PID 1 of the worker's namespace. bubblewrap's own
    # reaper at PID 1 would tell the outer bubblewrap "done" as soon as the zygote exited,
    # and the outer one would exit while that reaper was still being torn down, leaving it
    # to be reparented and reaped by someone else after the judge is gone. With the zygote
    # at PID 1, the kernel empties the namespace before the outer bubblewrap can reap it.
    args = [bwrap, "--new-session", "--as-pid-1"]
    if root:
        # Privileged: no user namespace (its uid map would keep kuid 0, for which the
        # kernel never enforces RLIMIT_NPROC); the zygote drops to an unprivileged uid.
        args += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    else:
        args += ["--unshare-all"]
    _bind_system(args)
    args += ["--perms", "0755", "--dir", "/opt", "--perms", "0755", "--dir", "/opt/codefrontier"]
    env = {}
    inner_python = python
    if not str(prefix).startswith("/usr/"):
        # The interpreter's installation appears at a neutral path, so no run sees the
        # host's directories (sys.executable, /proc/self/cmdline); its shared library is
        # found there first through LD_LIBRARY_PATH (its RUNPATH names the host path).
        args += ["--ro-bind", str(prefix), SANDBOX_PYTHON]
        inner_python = Path(SANDBOX_PYTHON) / python.relative_to(prefix)
        env["LD_LIBRARY_PATH"] = f"{SANDBOX_PYTHON}/lib"
    # Only the standard library: installed packages (and any dataset files in them) stay out of sight.
    site = Path(sysconfig.get_paths(vars={"base": str(prefix), "platbase": str(prefix)})["purelib"])
    if site.is_dir():
        inner_site = Path(SANDBOX_PYTHON) / site.relative_to(prefix) if env else site
        args += ["--tmpfs", str(inner_site)]
    args += ["--ro-bind", str(RUNTIME_DIR), SANDBOX_RUNTIME, "--ro-bind", str(launcher), SANDBOX_LAUNCHER]
    hide: list[str] = []
    if cgroup is not None:
        args += ["--perms", "0755", "--dir", SANDBOX_CGROUP_ROOT]
        for inside, path in cgroup.mounts().items():
            args += ["--bind", str(path), inside]
        hide = cgroup.hide_paths(inside_bwrap=True)
    args += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev"]  # devices work; /dev/shm is per run
    # The zygote's own writable place (compiles work there); every run gets its own tmpfs.
    args += ["--size", str(tmpfs_mb * 1024 * 1024), "--tmpfs", "/tmp"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    args += ["--hostname", "sandbox", "--remount-ro", "/", "--chdir", "/"]
    args += ["--", str(inner_python), "-I", "-S", "-B", f"{SANDBOX_RUNTIME}/zygote.py", str(control_fd)]
    config = {
        "namespaces": True,
        "netns": False,
        "launcher": SANDBOX_LAUNCHER,
        **_run_view("/tmp", tmpfs_mb),
        "own_proc": True,
        "hide": hide,
        "drop_uid": UNPRIVILEGED_UID if root else None,
        "cgroup": cgroup.zygote_config(inside_bwrap=True) if cgroup else None,
        "child_env": env,
    }
    return IsolationPlan("full", args, config, python=str(inner_python))


def direct_plan(
    level: str, control_fd: int, tmpfs_mb: int = 512, cgroup: WorkerCgroup | None = None
) -> IsolationPlan:
    """Start the zygote without bubblewrap (levels `namespaces` and `rlimits`)."""
    python, _ = python_for_sandbox()
    launcher = launcher_path()
    private = tempfile.mkdtemp(prefix="codefrontier-sandbox-")
    # Owned by the judge's user; a root judge hands it to the unprivileged sandbox user
    # (the zygote chowns it), so 0755 lets that user reach it and nobody else write it.
    os.chmod(private, 0o755)
    args = [str(python), "-I", "-S", "-B", str(RUNTIME_DIR / "zygote.py"), str(control_fd)]
    namespaces = level == "namespaces"
    config = {
        "namespaces": namespaces,
        "netns": namespaces,
        "launcher": str(launcher),
        **_run_view(private, tmpfs_mb),
        "own_proc": namespaces,
        "hide": cgroup.hide_paths(inside_bwrap=False) if (cgroup and namespaces) else [],
        # Never run untrusted code as root: without bubblewrap's mount namespace it could
        # write anywhere root can. (The price: modules under a private home directory,
        # e.g. a pyenv in /root, can be imported only if the zygote preloaded them.)
        "drop_uid": UNPRIVILEGED_UID if os.geteuid() == 0 else None,
        # Without namespaces a run could reach its cgroup's files: measure by process instead.
        "cgroup": cgroup.zygote_config(inside_bwrap=False) if (cgroup and namespaces) else None,
        "child_env": {},
    }
    return IsolationPlan(level, args, config, private_dir=private, python=str(python))


def userns_works() -> bool:
    """Can an unprivileged process here create user + PID namespaces? (checked in a child)"""
    pid = os.fork()
    if pid == 0:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            ok = libc.unshare(0x10000000 | 0x20000000) == 0  # CLONE_NEWUSER | CLONE_NEWPID
        except BaseException:
            ok = False
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def bwrap_works(bwrap: str) -> tuple[bool, str]:
    root = os.geteuid() == 0
    ns = ["--unshare-pid", "--unshare-net"] if root else ["--unshare-all"]
    try:
        proc = subprocess.run(
            [
                bwrap,
                "--die-with-parent",
                "--as-pid-1",  # no reaper of bubblewrap's own to outlive this check
                *ns,
                "--ro-bind",
                "/",
                "/",
                "--proc",
                "/proc",
                "--dev",
                "/dev",
                "true",
            ],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    return proc.returncode == 0, proc.stderr.strip()


_DETECTED: dict[str, tuple[str, list[str]]] = {}


def detect_level(requested: str = "auto") -> tuple[str, list[str]]:
    """The isolation level to use and the reasons for it (for `doctor` and provenance).

    `requested` is `auto` (the strongest available) or one of LEVELS; asking for a
    level the machine cannot give raises SandboxError naming what is missing."""
    if requested not in ("auto", *LEVELS):
        raise SandboxError(f"unknown isolation level {requested!r}; use auto, {', '.join(LEVELS)}")
    if requested in _DETECTED:
        return _DETECTED[requested]
    reasons: list[str] = []
    bwrap = shutil.which("bwrap")
    level = None
    if requested in ("auto", "full"):
        if bwrap is None:
            reasons.append("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
        else:
            ok, err = bwrap_works(bwrap)
            if ok:
                level = "full"
                reasons.append(f"bubblewrap works ({bwrap})")
            else:
                reasons.append(f"bubblewrap is installed but cannot create namespaces here: {err[:300]}")
        if level is None and requested == "full":
            raise SandboxError("isolation level 'full' is not available: " + "; ".join(reasons))
    if level is None and requested in ("auto", "namespaces"):
        if userns_works():
            level = "namespaces"
            reasons.append("unprivileged user namespaces work: per-run user, PID and network namespaces")
        else:
            reasons.append("the kernel refuses unprivileged user namespaces")
            if requested == "namespaces":
                raise SandboxError("isolation level 'namespaces' is not available: " + "; ".join(reasons))
    if level is None:
        level = "rlimits"
        reasons.append(
            "falling back to rlimits and process groups only: do not judge untrusted code this way"
        )
    _DETECTED[requested] = (level, reasons)
    return level, reasons


def plan_for(
    level: str, control_fd: int, tmpfs_mb: int = 512, cgroup: WorkerCgroup | None = None
) -> IsolationPlan:
    if level == "full":
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            raise SandboxError("bubblewrap (bwrap) is not installed")
        return bwrap_plan(bwrap, tmpfs_mb, control_fd, cgroup)
    return direct_plan(level, control_fd, tmpfs_mb, cgroup)
