"""Batches of short runs in one sandbox run (standard library only).

The host sends this file followed by a runtime script (tracer.py or check.py) as one
program: the script calls `run_batch(jobs, run_one, cpu_s, wall_s)`. Each job runs in a
fresh child forked from this process before any job's code ran, with fd 1 a pipe this
process reads; `run_one(job)` never returns (it ends with os._exit). This process is PID 1
of the run's PID namespace: after each child it kills every process left (kill(-1)) and
empties the scratch directory, so no job can reach the next one. A child is killed at
`wall_s` and gets RLIMIT_CPU at `cpu_s` + 2.

Output, per job: one header line ``{"job": k, "bytes": n, "exit", "signal", "killed",
"cpu_s", "wall_s", "rss_kb"}`` and then the n bytes the child wrote.
"""

import json
import os
import signal
import time


def run_batch(jobs, run_one, cpu_s, wall_s, preimport=()):
    """`preimport`: modules to import once here, so that each fork has them (the sandbox's
    zygote preimports the same ones; a re-executed interpreter has not)."""
    import resource

    for name in preimport:
        try:
            __import__(name)
        except ImportError:
            pass

    out = os.dup(1)
    os.set_inheritable(out, False)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    scratch = os.getcwd()
    for index, job in enumerate(jobs):
        read_end, write_end = os.pipe()
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(read_end)
                os.close(out)
                os.dup2(write_end, 1)
                os.close(write_end)
                cpu = int(cpu_s) + 2
                resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
                run_one(job)
            finally:
                os._exit(3)
        os.close(write_end)
        data, killed = _collect(read_end, pid, started + wall_s)
        os.close(read_end)
        _, status, usage = os.wait4(pid, 0)
        used = usage.ru_utime + usage.ru_stime
        if (
            killed == "none"
            and os.WIFSIGNALED(status)
            and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL)
        ):
            killed = "cpu" if used >= cpu_s else "none"
        _clean(scratch)
        header = {
            "job": index,
            "bytes": len(data),
            "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "killed": killed,
            "cpu_s": used,
            "wall_s": time.monotonic() - started,
            "rss_kb": usage.ru_maxrss,
        }
        _write_all(out, (json.dumps(header) + "\n").encode() + data)
    os._exit(0)


def _collect(fd, pid, deadline):
    """Everything the child writes until it exits (a process it left holding the pipe does
    not keep the job open); kill it at the deadline."""
    import select

    chunks = []
    killed = "none"
    pidfd = os.pidfd_open(pid)
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                killed = "wall"
                break
            ready, _, _ = select.select([fd, pidfd], [], [], left)
            if fd in ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
            elif pidfd in ready:
                break
    finally:
        os.close(pidfd)
    os.set_blocking(fd, False)  # what is left in the pipe was written before the exit or kill
    try:
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    except BlockingIOError:
        pass
    return b"".join(chunks), killed


def _clean(scratch):
    """No process of a job outlives it; nothing it wrote stays for the next one."""
    if os.getpid() == 1:
        try:
            os.kill(-1, signal.SIGKILL)  # from PID 1: every other process of the namespace
        except ProcessLookupError:
            pass
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break
    for root, dirs, files in os.walk(scratch, topdown=False):
        for name in files:
            try:
                os.unlink(os.path.join(root, name))
            except OSError:
                pass
        for name in dirs:
            try:
                os.rmdir(os.path.join(root, name))
            except OSError:
                pass


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
