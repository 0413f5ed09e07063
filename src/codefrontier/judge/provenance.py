"""How a results store's verdicts were made: the same dataset is graded differently on
different machines and harnesses, so every store records its judge, limits and machine."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
from functools import cache
from typing import Any

from codefrontier import __version__
from codefrontier.languages import all_languages


@cache
def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


@cache
def bwrap_version() -> str | None:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return None
    out = subprocess.run([bwrap, "--version"], capture_output=True, text=True)
    return out.stdout.strip() or None


def language_versions() -> dict[str, str]:
    versions = {}
    for name, language in sorted(all_languages().items()):
        try:
            versions[name] = language.version()
        except Exception as exc:  # e.g. no g++ on this machine
            versions[name] = f"unavailable: {exc}"
    return versions


def _measurement(isolation: str) -> dict[str, str]:
    """How CPU time and peak memory were measured (docs/isolation.md, "Measurement")."""
    from codefrontier.sandbox import cgroups

    method, why = (
        cgroups.describe() if isolation != "rlimits" else ("process", "rlimits level: no run cgroup")
    )
    if method == "cgroup":
        return {
            "measurement": "cgroup",
            "measurement_detail": why,
            "time_measure": "CPU time (user+sys) of every process of the run, from the run's cgroup",
            "memory_measure": "peak memory of every process of the run, from the run's cgroup (not resettable)",
        }
    return {
        "measurement": "process",
        "measurement_detail": why,
        "time_measure": "CPU time (user+sys) of the run's first process and the children it waited for (wait4)",
        "memory_measure": "peak resident set size of the run's first process (ru_maxrss)",
    }


def collect(
    *,
    benchmark: str,
    isolation: str,
    isolation_reasons: list[str],
    settings: dict[str, Any],
    inputs: dict[str, Any],
    command: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "codefrontier_version": __version__,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "benchmark": benchmark,
        "command": command if command is not None else sys.argv,
        "judge": {
            "isolation": isolation,
            "isolation_reasons": isolation_reasons,
            "bubblewrap": bwrap_version(),
            "languages": language_versions(),
            **_measurement(isolation),
            **settings,
        },
        "machine": {
            "cpu_model": cpu_model(),
            "cores": os.cpu_count(),
            "usable_cores": len(os.sched_getaffinity(0)),
            "platform": platform.platform(),
            "kernel": platform.release(),
            "python": sys.version.split()[0],
        },
        "inputs": inputs,
    }
