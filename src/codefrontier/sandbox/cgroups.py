"""Run cgroups, from the judge's side: find a cgroup hierarchy this process may write,
make one group per worker sandbox in it, hand it to the sandbox's user, remove it after.

Why: a run's CPU time must include every process it made (a child that does the work and
outlives its parent), and its peak memory must be one the program cannot reset
(``/proc/self/clear_refs`` resets the peak that wait4 reports). A cgroup measures both for
the whole run, and its memory limit is enforced by the kernel, whose OOM kill is an
observation the program cannot forge.

Where: cgroup v1 (separate memory, cpuacct and pids hierarchies; the judge must be able to
create groups under its own — typically as root) or cgroup v2 (a delegated subtree with
the memory and pids controllers, e.g. a systemd user slice). Groups are made under the
judge's own group in each hierarchy, so the judge's own limits still apply to its runs.
Where neither is writable, measurement falls back to the run's first process and
`codefrontier doctor` says so.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

V1_CONTROLLERS = ("memory", "cpuacct", "pids")
REQUIRED_V1 = ("memory", "cpuacct")
SANDBOX_CGROUP_ROOT = "/opt/codefrontier/cgroup"  # where a worker's groups appear inside bubblewrap
_counter = itertools.count()
_lock = threading.Lock()


@dataclass
class Hierarchy:
    """Where this process may make run cgroups: version, and per controller the directory."""

    version: int
    dirs: dict[str, Path]
    reason: str = ""


@dataclass
class WorkerCgroup:
    """One worker's cgroup: host paths, and the config the zygote receives. The judge
    holds a lock on each of its directories for as long as they exist: a group whose lock
    nobody holds was left by a judge that was killed (`remove_stale`), whatever PID
    namespace that judge ran in."""

    version: int
    host_dirs: dict[str, Path]
    locks: list[int] = field(default_factory=list)
    # cgroup v1: two more groups per controller for the Python children, used in turn; a
    # parked child joins one ahead of its job (sandbox/runtime/zygote.py, Zygote._fork_next)
    prefork_dirs: list[dict[str, Path]] = field(default_factory=list)

    def _all(self) -> list[tuple[str, dict[str, Path]]]:
        return [("", self.host_dirs)] + [(f"p{i}-", dirs) for i, dirs in enumerate(self.prefork_dirs)]

    def mounts(self) -> dict[str, Path]:
        """Where each of the worker's directories appears inside bubblewrap -> host path."""
        return {
            f"{SANDBOX_CGROUP_ROOT}/{prefix}{name}": path
            for prefix, dirs in self._all()
            for name, path in dirs.items()
        }

    def zygote_config(self, inside_bwrap: bool) -> dict:
        def where(prefix: str, dirs: dict[str, Path]) -> dict[str, str]:
            return {
                name: (f"{SANDBOX_CGROUP_ROOT}/{prefix}{name}" if inside_bwrap else str(path))
                for name, path in dirs.items()
            }

        config: dict = {"version": self.version, "dirs": where("", self.host_dirs)}
        config["prefork_dirs"] = [where(f"p{i}-", dirs) for i, dirs in enumerate(self.prefork_dirs)]
        return config

    def hide_paths(self, inside_bwrap: bool) -> list[str]:
        """What a run's mount namespace covers so that it cannot reach its own cgroup."""
        if inside_bwrap:
            return [SANDBOX_CGROUP_ROOT]
        return sorted({str(_mount_root_of(p)) for _, dirs in self._all() for p in dirs.values()})

    def remove(self) -> None:
        for _, dirs in self._all():
            for path in dirs.values():
                _remove_tree(path)
        for fd in self.locks:
            os.close(fd)
        self.locks.clear()


def _mounts() -> list[tuple[str, str, str]]:
    """(mount point, fs type, super options) of every mount this process sees."""
    found = []
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            left, _, right = line.partition(" - ")
            parts, rest = left.split(), right.split()
            found.append((parts[4].replace("\\040", " "), rest[0], rest[2] if len(rest) > 2 else ""))
    return found


def _own_groups() -> dict[str, str]:
    """This process's group path per v1 controller, and "" for the v2 hierarchy."""
    own: dict[str, str] = {}
    with open("/proc/self/cgroup") as fh:
        for line in fh:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                own[name] = path
    return own


def _mount_root_of(path: Path) -> Path:
    for point, _, _ in sorted(_mounts(), key=lambda m: -len(m[0])):
        if str(path) == point or str(path).startswith(point.rstrip("/") + "/"):
            return Path(point)
    return path


def _writable_dir(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


_DETECTED: list[Hierarchy | None] = []


def detect() -> Hierarchy | None:
    """The hierarchy run cgroups can be made in, or None (cached for the process)."""
    with _lock:
        if not _DETECTED:
            _DETECTED.append(_detect())
        return _DETECTED[0]


def _detect() -> Hierarchy | None:
    if os.environ.get("CODEFRONTIER_NO_CGROUP"):
        return None
    own = _own_groups()
    v1: dict[str, Path] = {}
    v2: Path | None = None
    for point, fstype, options in _mounts():
        if fstype == "cgroup":
            for name in V1_CONTROLLERS:
                if name in options.split(",") and name not in v1:
                    base = Path(point) / own.get(name, "/").lstrip("/")
                    if _writable_dir(base):
                        v1[name] = base
        elif fstype == "cgroup2" and v2 is None:
            base = Path(point) / own.get("", "/").lstrip("/")
            controllers = (
                (base / "cgroup.controllers").read_text().split()
                if (base / "cgroup.controllers").exists()
                else []
            )
            if {"memory", "pids"} <= set(controllers) and _writable_dir(base):
                v2 = base
    if all(name in v1 for name in REQUIRED_V1):
        return Hierarchy(1, v1)
    if v2 is not None:
        return Hierarchy(2, {"unified": v2})
    return None


_STALE_REMOVED: list[int] = []  # remove_stale's count, once per process
_stale_lock = threading.Lock()


def make_worker_cgroup(owner_uid: int | None) -> WorkerCgroup | None:
    """A fresh group per controller for one worker, owned by the sandbox's user (so the
    zygote can move runs in and reset counters), or None where cgroups are not available.
    The first call in a process also removes the groups killed judges left behind."""
    hierarchy = detect()
    if hierarchy is None:
        return None
    with _stale_lock:
        if not _STALE_REMOVED:
            _STALE_REMOVED.append(remove_stale())
    name = f"codefrontier-{os.getpid()}-{next(_counter)}"
    group = WorkerCgroup(hierarchy.version, {})
    if hierarchy.version == 1:
        group.prefork_dirs = [{}, {}]
    kinds = [("", group.host_dirs)] + [(f"-p{i}", dirs) for i, dirs in enumerate(group.prefork_dirs)]
    try:
        for suffix, dirs in kinds:
            for controller, base in hierarchy.dirs.items():
                path = base / (name + suffix)
                path.mkdir()
                dirs[controller] = path
                group.locks.append(_hold(path))
                if hierarchy.version == 2:
                    (path / "cgroup.subtree_control").write_text("+memory +pids")
                if owner_uid is not None and os.geteuid() == 0:
                    for item in [path, *path.iterdir()]:
                        os.chown(item, owner_uid, -1)
    except OSError:
        group.remove()
        return None
    return group


def _hold(path: Path) -> int:
    """A lock on the group's directory, held until the group is removed (or the judge dies)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def _held(path: Path) -> bool:
    """Whether a live judge holds the group's lock."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the probe's own lock


def _remove_tree(path: Path) -> None:
    """Remove a worker's group and any child groups left in it (processes are gone)."""
    if not path.exists():
        return
    for child in sorted((p for p in path.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        with contextlib.suppress(OSError):
            child.rmdir()
    with contextlib.suppress(OSError):
        path.rmdir()


def remove_stale() -> int:
    """Remove groups left by judges that were killed (no lock held on them, and no process
    with the PID in their name here: a judge of an older version holds no lock); returns
    how many were removed."""
    hierarchy = detect()
    if hierarchy is None:
        return 0
    removed = 0
    for base in hierarchy.dirs.values():
        for path in base.glob("codefrontier-*"):
            try:
                pid = int(path.name.split("-")[1])
            except (IndexError, ValueError):
                continue
            if pid == os.getpid() or Path(f"/proc/{pid}").exists() or _held(path):
                continue
            _remove_tree(path)
            removed += not path.exists()
    return removed


def describe() -> tuple[str, str]:
    """(method, explanation) for `doctor` and provenance."""
    hierarchy = detect()
    if hierarchy is None:
        return (
            "process",
            "no writable cgroup hierarchy: CPU and peak memory are those of the run's first process "
            "(a child that outlives it, or a reset of its peak, escapes the measurement)",
        )
    where = ", ".join(f"{k}: {v}" for k, v in hierarchy.dirs.items())
    return ("cgroup", f"cgroup v{hierarchy.version} per run ({where}): every process of the run is counted")
