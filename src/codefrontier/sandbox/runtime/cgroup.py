"""The run cgroup, from the zygote's side: put a run's first process in it, reset its
counters before the run, read what every process of the run used after it.

The host makes one cgroup per worker and hands it to the zygote (`sandbox/cgroups.py`);
inside bubblewrap its directories appear under /opt/codefrontier/cgroup. A run's own
mount namespace hides them, so no program can move itself out, reset its peak or raise
its limit. Processes the run starts are in the cgroup from their first instruction, so
CPU spent by a child that outlives its parent, memory in a forked helper, pages in the
run's tmpfs — all of it is counted.

cgroup v1 (memory, cpuacct, pids controllers in separate hierarchies): one group per
worker, reused; its counters are reset before each run (`memory.max_usage_in_bytes`
and `cpuacct.usage` accept 0). cgroup v2: one group per worker whose child `run` is made
afresh for every run (v2 peaks reset only on a new group).

Standard library only (imported by the zygote).
"""

import os

# The kernel's OOM killer acted (v1: memory.oom_control "oom_kill N"; v2: memory.events)
_NS = 1e9


def _read(path: str) -> str:
    with open(path, "rb") as fh:
        return fh.read().decode()


def _write(path: str, value: str) -> None:
    with open(path, "w") as fh:
        fh.write(value)


def _field(text: str, name: str) -> int:
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if key == name:
            return int(value)
    return 0


class CgroupV1:
    """One cgroup per controller (memory, cpuacct, optionally pids), reused by every run.
    Its files stay open in the zygote (opened on first use, after the template was forked):
    a run costs a pread or pwrite per counter, not an open, a read and a close."""

    version = 1

    def __init__(self, dirs: dict):
        self.memory = dirs["memory"]
        self.cpuacct = dirs["cpuacct"]
        self.pids = dirs.get("pids")
        self.memsw = os.path.exists(os.path.join(self.memory, "memory.memsw.limit_in_bytes"))
        self.limit = None
        self.nproc = None
        self.oom_base = 0
        self.fds: dict = {}

    def _fd(self, directory: str, name: str, flags: int) -> int:
        fd = self.fds.get((directory, name, flags))
        if fd is None:
            fd = os.open(os.path.join(directory, name), flags | os.O_CLOEXEC)
            self.fds[directory, name, flags] = fd
        return fd

    def _set(self, directory: str, name: str, value: str) -> None:
        os.pwrite(self._fd(directory, name, os.O_WRONLY), value.encode(), 0)

    def _get(self, directory: str, name: str) -> str:
        return os.pread(self._fd(directory, name, os.O_RDONLY), 4096, 0).decode()

    def paths(self) -> list:
        return [d for d in (self.memory, self.cpuacct, self.pids) if d]

    def procs_files(self) -> list:
        return [os.path.join(d, "cgroup.procs") for d in self.paths()]

    def cpu_file(self) -> str:
        return os.path.join(self.cpuacct, "cpuacct.usage")

    def prepare(self, memory_mb, nproc: int) -> None:
        """Before a run: its memory limit, its process limit, counters from zero."""
        limit = str(int(memory_mb * 1024 * 1024)) if memory_mb else "-1"
        if limit != self.limit:
            # The kernel keeps memory <= memsw: raise memsw first when growing, lower memory
            # first when shrinking (a fresh group starts unlimited).
            def value(text):
                return float("inf") if text in (None, "-1") else int(text)

            order = ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"]
            if value(limit) > value(self.limit):
                order.reverse()
            for name in order if self.memsw else ["memory.limit_in_bytes"]:
                self._set(self.memory, name, limit)
            self.limit = limit
        nproc = str(max(1, int(nproc)))
        if self.pids and nproc != self.nproc:
            self._set(self.pids, "pids.max", nproc)
            self.nproc = nproc
        self.reset_peak()
        self._set(self.cpuacct, "cpuacct.usage", "0")
        self.oom_base = _field(self._get(self.memory, "memory.oom_control"), "oom_kill")

    def reset_peak(self) -> None:
        """Peak memory from now on starts at the current usage (between calls of a session)."""
        self._set(self.memory, "memory.max_usage_in_bytes", "0")
        if self.memsw:
            self._set(self.memory, "memory.memsw.max_usage_in_bytes", "0")

    def attach(self, pid: int) -> None:
        text = str(pid).encode()
        for fd in self.procs_fds():
            os.pwrite(fd, text, 0)

    def procs_fds(self) -> list:
        """The open cgroup.procs files (also for a child that joins the group itself)."""
        return [self._fd(d, "cgroup.procs", os.O_WRONLY) for d in self.paths()]

    def cpu_s(self) -> float:
        return int(self._get(self.cpuacct, "cpuacct.usage")) / _NS

    def peak_kb(self) -> int:
        name = "memory.memsw.max_usage_in_bytes" if self.memsw else "memory.max_usage_in_bytes"
        return int(self._get(self.memory, name)) // 1024

    def oom_kills(self) -> int:
        return _field(self._get(self.memory, "memory.oom_control"), "oom_kill") - self.oom_base

    def finish(self) -> None:
        pass


class CgroupV2:
    """A worker group whose child `run` is made for each run and removed after it."""

    version = 2

    def __init__(self, dirs: dict):
        self.parent = dirs["unified"]
        self.run = os.path.join(self.parent, "run")
        self.cpu_base = 0.0

    def paths(self) -> list:
        return [self.run]

    def procs_files(self) -> list:
        return [os.path.join(self.run, "cgroup.procs")]

    def cpu_file(self) -> str:
        return os.path.join(self.run, "cpu.stat")

    def prepare(self, memory_mb, nproc: int) -> None:
        self.finish()
        os.mkdir(self.run)
        _write(
            os.path.join(self.run, "memory.max"), str(int(memory_mb * 1024 * 1024)) if memory_mb else "max"
        )
        if os.path.exists(os.path.join(self.run, "memory.swap.max")):
            _write(os.path.join(self.run, "memory.swap.max"), "0")
        _write(os.path.join(self.run, "pids.max"), str(max(1, int(nproc))))

    def reset_peak(self) -> None:
        # Writing to memory.peak resets it (Linux 6.12+); older kernels keep the run's peak.
        try:
            _write(os.path.join(self.run, "memory.peak"), "0")
        except OSError:
            pass

    def attach(self, pid: int) -> None:
        _write(os.path.join(self.run, "cgroup.procs"), str(pid))

    def cpu_s(self) -> float:
        return _field(_read(os.path.join(self.run, "cpu.stat")), "usage_usec") / 1e6

    def peak_kb(self) -> int:
        return int(_read(os.path.join(self.run, "memory.peak"))) // 1024

    def oom_kills(self) -> int:
        return _field(_read(os.path.join(self.run, "memory.events")), "oom_kill")

    def finish(self) -> None:
        """Remove the run's group (its processes are gone: the run's PID namespace died with it)."""
        try:
            os.rmdir(self.run)
        except OSError:  # not there, or a process of a live session still in it
            pass


def open_prefork_cgroups(config) -> list:
    """The two groups Python children run in, in turn, which a parked child joins ahead of
    its job (cgroup v1, where a group is reused and its counters reset); none where there
    are none (the Python children then share the run cgroup)."""
    if not config or config.get("version") != 1:
        return []
    return [CgroupV1(dirs) for dirs in config.get("prefork_dirs", [])]


def open_cgroup(config):
    """The run cgroup the host configured, or None (measurement falls back to the process)."""
    if not config:
        return None
    if config.get("version") == 2:
        return CgroupV2(config["dirs"])
    return CgroupV1(config["dirs"])
