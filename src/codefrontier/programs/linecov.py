"""Line coverage a test suite reaches on a reference whose C source we have (gcov).

The source is compiled with `--coverage -O0` into a temporary directory on the host;
the suite's active tests run against that instrumented build in the sandbox (the harness
points GCOV_PREFIX into the run's workspace and hands the .gcda files back); the .gcda
files are placed beside the .gcno notes and `gcov` reports the executed lines.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from codefrontier.errors import CodefrontierError
from codefrontier.programs.evaluate import branch_tar
from codefrontier.programs.files import TarBuilder
from codefrontier.programs.runner import ProgramRunner, StepLimits
from codefrontier.programs.tasks import Task

_LINES = re.compile(r"Lines executed:\s*([\d.]+)% of (\d+)")


@dataclass
class Coverage:
    lines_total: int
    lines_executed: int

    @property
    def percent(self) -> float:
        return 100.0 * self.lines_executed / self.lines_total if self.lines_total else 0.0

    def to_json(self) -> dict[str, float | int]:
        return {
            "lines_total": self.lines_total,
            "lines_executed": self.lines_executed,
            "percent": round(self.percent, 2),
        }


def gcov_available() -> bool:
    return shutil.which("gcc") is not None and shutil.which("gcov") is not None


def line_coverage(
    task: Task, source: Path, runner: ProgramRunner, limits: StepLimits | None = None
) -> Coverage:
    """Run the task's active tests on a --coverage build of `source` and count the lines."""
    if not gcov_available():
        raise CodefrontierError("gcc and gcov are needed for line coverage (apt-get install gcc)")
    limits = limits or StepLimits(wall_s=900)
    with tempfile.TemporaryDirectory(prefix="cf-gcov-") as tmp:
        build = Path(tmp)
        src = build / source.name
        shutil.copyfile(source, src)
        obj = src.with_suffix(".o")
        for args in (["-c", src.name, "-o", obj.name], [obj.name, "-o", "executable"]):
            proc = subprocess.run(
                ["gcc", "--coverage", "-O0", *args], cwd=build, capture_output=True, text=True
            )
            if proc.returncode != 0:
                raise CodefrontierError(
                    f"cannot build {source.name} with --coverage: {proc.stderr.strip()[:500]}"
                )
        executable = (build / "executable").read_bytes()
        workspace = TarBuilder()
        workspace.add_bytes("executable", executable, 0o755)
        for name in task.active_branches:
            tests = branch_tar(task, name)
            if tests is None:
                continue
            step = runner.run_branch(workspace.getvalue(), executable, tests, limits, gcov=True)
            _merge_gcda(step.extra, build)
        proc = subprocess.run(
            ["gcov", "-n", "-o", str(build), src.name], cwd=build, capture_output=True, text=True
        )
    match = _LINES.search(proc.stdout)
    if not match:
        return Coverage(0, 0)
    total = int(match.group(2))
    return Coverage(total, round(float(match.group(1)) * total / 100))


def _merge_gcda(data: bytes, build: Path) -> None:
    """Put a run's .gcda files beside the notes; with several branches, their counts are
    added with `gcov-tool merge` (where it is missing, the last branch's counts stand)."""
    if not data:
        return
    with tarfile.open(fileobj=BytesIO(data)) as tf:
        for member in tf.getmembers():
            if not member.isfile() or not member.name.endswith(".gcda") or "/" in member.name.strip("/"):
                continue
            fh = tf.extractfile(member)
            if fh is None:
                continue
            target = build / member.name
            if target.exists() and shutil.which("gcov-tool"):
                with (
                    tempfile.TemporaryDirectory() as a,
                    tempfile.TemporaryDirectory() as b,
                    tempfile.TemporaryDirectory() as out,
                ):
                    shutil.copyfile(target, Path(a) / member.name)
                    (Path(b) / member.name).write_bytes(fh.read())
                    subprocess.run(["gcov-tool", "merge", a, b, "-o", out], capture_output=True)
                    merged = Path(out) / member.name
                    if merged.exists():
                        shutil.copyfile(merged, target)
            else:
                target.write_bytes(fh.read())
