"""cf-launch (sandbox/launch.c) takes its CPU and wall limits in microseconds. In whole
milliseconds, truncated by the zygote, a 0.57 s limit became 569 ms (0.57 * 1000 is
569.99...), and a C++ program could be stopped as TLE before it had used its limit."""

from __future__ import annotations

import os
import subprocess

from codefrontier.sandbox.isolation import launcher_path

SPIN = ["/bin/sh", "-c", "while :; do :; done"]


def launch(*options: str) -> dict[str, str]:
    """Run cf-launch without namespaces (-N) on a spinning shell; its report's fields."""
    read, write = os.pipe()
    try:
        proc = subprocess.run(
            [str(launcher_path()), "-N", *options, "--", *SPIN],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            close_fds=False,
            preexec_fn=lambda: os.dup2(write, 3),  # the report's descriptor
            timeout=30,  # read as milliseconds, either limit below would be minutes
        )
    finally:
        os.close(write)
    with os.fdopen(read, "rb") as fh:
        report = fh.read().decode()
    assert proc.returncode == 0, proc.stderr
    return dict(field.split("=", 1) for field in report.split())


def test_the_cpu_limit_is_read_in_microseconds_and_kills_just_after_it():
    fields = launch("-c", "150000", "-w", "20000000")  # 0.15 s of CPU, a 20 s backstop
    assert fields["killed"] == "cpu"
    assert 0.15 < float(fields["cpu_s"]) < 0.5


def test_the_wall_limit_is_read_in_microseconds():
    fields = launch("-c", "20000000", "-w", "200000")  # 20 s of CPU, 0.2 s of wall
    assert fields["killed"] == "wall"
    assert 0.2 < float(fields["wall_s"]) < 5
