"""No sandbox outlives the judge: `Sandbox.close()` and `codefrontier judge` return only
when every process they started is gone, running or not; cgroups a killed judge left
behind are removed by the next one."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from judge_kit import REPO, add_assert_problem, add_function_problem, sum_problem

from codefrontier.problems.io import save_problems
from codefrontier.sandbox import Sandbox, cgroups, worker
from codefrontier.sandbox.worker import _descendants

pytestmark = pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare(1) (util-linux)")

# PID 1 of a fresh PID namespace: runs the judge as its only child, waits for it, then lists
# every other process still in the namespace. Anything the judge left behind (a sandbox
# still being torn down, a zombie reparented to PID 1) is here when the judge has exited.
INIT = textwrap.dedent(
    """
    import json, os, sys
    pid = os.fork()
    if pid == 0:
        os.execv(sys.executable, [sys.executable, *json.loads(sys.argv[1])])
    _, status = os.waitpid(pid, 0)
    left = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != os.getpid():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    left.append(fh.read().strip())
            except OSError:
                pass
    print(json.dumps({"status": os.waitstatus_to_exitcode(status), "left": left}))
    """
)


def _in_own_pid_namespace(argv: list[str], tmp_path: Path) -> dict:
    init = tmp_path / "init.py"
    init.write_text(INIT)
    prefix = ["unshare", "--pid", "--fork", "--mount-proc"]
    if os.geteuid() != 0:
        prefix[1:1] = ["--user", "--map-root-user"]
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    proc = subprocess.run(
        [*prefix, sys.executable, str(init), json.dumps(argv)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_nothing_of_the_judge_is_left_after_it_exits(tmp_path: Path) -> None:
    problems = tmp_path / "problems.jsonl"
    save_problems(problems, [sum_problem(), add_function_problem(), add_assert_problem()])
    samples = tmp_path / "samples.jsonl"
    with samples.open("w") as fh:
        for pid, code in [
            ("sum", "a, b = map(int, input().split())\nprint(a + b)\n"),
            # a program that leaves a sleeping child behind: its run's namespace takes it
            ("sum", "import os, time\nif os.fork() == 0:\n    time.sleep(600)\nprint(5)\n"),
            ("add-function", "def add(a, b):\n    return a + b\n"),
            ("add-assert", "def add(a, b):\n    return a + b\n"),
        ]:
            fh.write(json.dumps({"problem_id": pid, "policy": "p", "code": code}) + "\n")
    argv = ["-m", "codefrontier.cli", "judge", "--problems", str(problems), "--samples", str(samples)]
    argv += ["--out", str(tmp_path / "out"), "--jobs", "2", "--no-progress"]
    got = _in_own_pid_namespace(argv, tmp_path)
    assert got["status"] == 0
    assert got["left"] == []


def test_close_returns_when_every_process_of_the_sandbox_is_gone() -> None:
    sandbox = Sandbox()
    pids = [sandbox.proc.pid, *_descendants(sandbox.proc.pid)]
    assert len(pids) >= 2  # (bubblewrap,) the zygote, its template
    sandbox.close()
    assert [pid for pid in pids if os.path.exists(f"/proc/{pid}")] == []


def test_a_sandbox_that_does_not_exit_is_killed_and_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker, "EXIT_WAIT_S", 1.0)
    sandbox = Sandbox()
    inside = _descendants(sandbox.proc.pid)
    for pid in inside:  # stopped: none of them can notice the closed socket and exit
        os.kill(pid, signal.SIGSTOP)
    pids = [sandbox.proc.pid, *inside]
    sandbox.close()
    assert [pid for pid in pids if os.path.exists(f"/proc/{pid}")] == []


needs_cgroups = pytest.mark.skipif(cgroups.detect() is None, reason="no writable cgroup hierarchy here")


@needs_cgroups
def test_the_cgroups_of_a_killed_judge_are_removed_by_the_next(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from codefrontier.sandbox import cgroups\n"
        "group = cgroups.make_worker_cgroup(None)\n"
        "print(' '.join(str(p) for p in group.host_dirs.values()), flush=True)\n"
        "sys.stdin.read()\n"
    )
    judge = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(REPO / "src")),
    )
    assert judge.stdout is not None
    paths = [Path(p) for p in judge.stdout.readline().split()]
    assert paths and all(p.is_dir() for p in paths)
    assert cgroups.remove_stale() >= 0 and all(p.is_dir() for p in paths)  # its judge is alive
    judge.kill()
    judge.wait()
    assert cgroups.remove_stale() >= len(paths)
    assert [p for p in paths if p.exists()] == []


@needs_cgroups
def test_a_live_judge_s_cgroup_is_kept_even_where_its_pid_means_nothing() -> None:
    """A judge in another PID namespace: its PID (in the group's name) is not one of ours,
    but it holds the group's lock, so the group stays."""
    hierarchy = cgroups.detect()
    assert hierarchy is not None
    base = next(iter(hierarchy.dirs.values()))
    unused = max(int(p) for p in os.listdir("/proc") if p.isdigit()) + 4_000_000
    path = base / f"codefrontier-{unused}-0"
    path.mkdir()
    lock = cgroups._hold(path)
    try:
        cgroups.remove_stale()
        assert path.is_dir()
    finally:
        os.close(lock)
    cgroups.remove_stale()
    assert not path.exists()


# The zygote's backstop (a run past its limits that cf-launch did not stop in time, as a
# fork bomb on a loaded machine can make it) kills cf-launch. Its target, and every process
# the target made, must be gone when that returns: not left to the parent-death signal, which
# lands while the judge is already answering.
STOP_LAUNCH = textwrap.dedent(
    """
    import os, select, subprocess, sys, time
    sys.path.insert(0, sys.argv[1])
    import zygote

    launch = subprocess.Popen(
        ["sh", "-c", "sleep 1000 & sleep 1000 & sleep 1000 & wait"], stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while len(zygote.children_of(launch.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    targets = zygote.children_of(launch.pid)
    fds = [os.pidfd_open(pid) for pid in targets]
    zygote.stop_launch(launch.pid)
    print(len(targets), sum(1 for fd in fds if select.select([fd], [], [], 0)[0]))
    for pid in targets:  # where stop_launch failed, nothing of the test outlives it
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    """
)


def test_stopping_a_launch_returns_when_its_processes_are_gone() -> None:
    runtime = REPO / "src" / "codefrontier" / "sandbox" / "runtime"
    out = subprocess.run(
        [sys.executable, "-c", STOP_LAUNCH, str(runtime)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["3", "3"]  # three children, all three exited
