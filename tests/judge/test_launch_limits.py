"""cf-launch (sandbox/launch.c) takes its CPU and wall limits in microseconds. In whole
milliseconds, truncated by the zygote, a 0.57 s limit became 569 ms (0.57 * 1000 is
569.99...), and a C++ program could be stopped as TLE before it had used its limit."""

from __future__ import annotations

import os
import signal
import time

from codefrontier.sandbox.isolation import launcher_path

SPIN = ["/bin/sh", "-c", "while :; do :; done"]


def launch(*options: str) -> dict[str, str]:
    """Run cf-launch without namespaces (-N) on a spinning shell, spawned as the zygote spawns
    it (its report on descriptor 3); the report's fields."""
    read, write = os.pipe()
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        actions = [(os.POSIX_SPAWN_DUP2, devnull, fd) for fd in (0, 1, 2)]
        actions.append((os.POSIX_SPAWN_DUP2, write, 3))
        launcher = str(launcher_path())
        pid = os.posix_spawn(launcher, [launcher, "-N", *options, "--", *SPIN], {}, file_actions=actions)
    finally:
        os.close(write)
        os.close(devnull)
    deadline = time.monotonic() + 30  # read as milliseconds, either limit below would be minutes
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    if done[0] == 0:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise AssertionError("cf-launch did not stop its target within 30 s")
    with os.fdopen(read, "rb") as fh:
        report = fh.read().decode()
    assert os.waitstatus_to_exitcode(done[1]) == 0, report
    return dict(field.split("=", 1) for field in report.split())


def test_the_cpu_limit_is_read_in_microseconds_and_kills_just_after_it():
    fields = launch("-c", "150000", "-w", "20000000")  # 0.15 s of CPU, a 20 s backstop
    assert fields["killed"] == "cpu"
    assert 0.15 < float(fields["cpu_s"]) < 0.5


def test_the_wall_limit_is_read_in_microseconds():
    fields = launch("-c", "20000000", "-w", "200000")  # 20 s of CPU, 0.2 s of wall
    assert fields["killed"] == "wall"
    assert 0.2 < float(fields["wall_s"]) < 5
