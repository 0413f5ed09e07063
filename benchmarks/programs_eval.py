"""ProgramBench-style evaluation in the sandbox against the original flow without its container.

The original harness runs each test branch as `python3 -m pytest eval/tests/ --junitxml=...`
inside a Docker container started from the post-compile image. Docker is not available
here, so the peer is that flow *without* the container: the same pytest files, run directly
with `subprocess` in a temporary workspace (no isolation at all), with the same interpreter
and the same pytest (the zip the sandbox gets, on PYTHONPATH; `-S` keeps site-packages and the
venv's other pytest plugins out, as a container with only pytest would), which is a lower bound on the
original's per-test cost. Both sides evaluate, in the same run and with the same number
of parallel workers:

* the package's calculator fixture (its correct submission: compile.sh, then the branch);
* the bundled tasks with their reference executables (`--gold`: 8 tasks, ~355 tests).

Printed: wall seconds, tests run and passed, milliseconds per test on each side, and the
ratio codefrontier / direct (the price of the sandbox: a fresh bubblewrap run, interpreter
and pytest import per branch). Never fails on time.

    .venv/bin/python benchmarks/programs_eval.py [--jobs N] [--repeat 2]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from codefrontier.judge import default_jobs
from codefrontier.programs.evaluate import EvalSettings, Submission, evaluate
from codefrontier.programs.runner import pytest_bundle, sandbox_python
from codefrontier.programs.scoring import test_map
from codefrontier.programs.tasks import Task, load_tasks, programbench_tasks_dir

CALCULATOR = "testorg__calculator.abc1234"
BUNDLE = Path(tempfile.gettempdir()) / "cf-programs-bench-pytest.zip"


def units() -> list[tuple[Task, Submission, Path | None]]:
    """(task, submission, source folder for the direct run or None for an executable)."""
    calculator = load_tasks("programbench", only=[CALCULATOR])[0]
    archive = programbench_tasks_dir().parent / "test_runs" / "correct" / CALCULATOR / "submission.zip"
    out = [(calculator, Submission.from_path(archive, "submission"), archive)]
    for task in load_tasks("bundled"):
        out.append((task, Submission.gold(task), None))
    return out


def ours(pairs: list[tuple[Task, Submission, Path | None]], jobs: int) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        results = evaluate([(t, s) for t, s, _ in pairs], tmp, EvalSettings(jobs=jobs, force=True))
        wall = time.perf_counter() - start
    tests = sum(len(test_map(r.record, r.task)) for r in results)
    passed = sum(sum(test_map(r.record, r.task).values()) for r in results)
    return wall, tests, passed


def direct_branch(task: Task, submission: Submission, archive: Path | None, branch: str) -> tuple[int, int]:
    """The original flow without the container: workspace, compile.sh, pytest via subprocess."""
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        if archive is not None:
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(ws)
            subprocess.run(
                ["bash", "-c", "chmod +x ./compile.sh && ./compile.sh"],
                cwd=ws,
                check=True,
                capture_output=True,
            )
        else:
            assert submission.executable is not None
            (ws / "executable").write_bytes(submission.executable)
        (ws / "executable").chmod(0o755)
        branch_dir = task.branch_dir(branch)
        assert branch_dir is not None
        shutil.copytree(branch_dir, ws, dirs_exist_ok=True)
        # the sandbox's interpreter and pytest bundle (-S: no site-packages,
        # as a container with only pytest): the only difference is the sandbox
        subprocess.run(
            [
                sandbox_python(),
                "-S",
                "-m",
                "pytest",
                "eval/tests/",
                "--junitxml=eval/results.xml",
                "-q",
                "-p",
                "no:cacheprovider",
            ],
            cwd=ws,
            capture_output=True,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": str(BUNDLE), "HOME": tmp},
        )
        root = ET.parse(ws / "eval" / "results.xml").getroot()
        cases = list(root.iter("testcase"))
        failed = sum(1 for c in cases if any(ch.tag in ("failure", "error", "skipped") for ch in c))
        return len(cases), len(cases) - failed


def direct(pairs: list[tuple[Task, Submission, Path | None]], jobs: int) -> tuple[float, int, int]:
    work = [(t, s, a, b) for t, s, a in pairs for b in t.active_branches]
    start = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        counts = list(pool.map(lambda w: direct_branch(*w), work))
    wall = time.perf_counter() - start
    return wall, sum(c[0] for c in counts), sum(c[1] for c in counts)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side; the best is kept")
    args = parser.parse_args()
    pairs = units()
    BUNDLE.write_bytes(pytest_bundle())
    ours(pairs[:1], 1)  # build the pytest bundle and the references once, outside the timing
    best_ours = best_direct = None
    for _ in range(args.repeat):
        o = ours(pairs, args.jobs)
        d = direct(pairs, args.jobs)
        best_ours = o if best_ours is None or o[0] < best_ours[0] else best_ours
        best_direct = d if best_direct is None or d[0] < best_direct[0] else best_direct
    assert best_ours is not None and best_direct is not None
    n_tasks = len(pairs)
    print(
        f"{n_tasks} tasks (calculator fixture + {n_tasks - 1} bundled), {args.jobs} workers, best of {args.repeat}"
    )
    print(
        f"  codefrontier (sandbox):  {best_ours[0]:7.2f} s  {best_ours[1]} tests scored, {best_ours[2]} passed  "
        f"{1000 * best_ours[0] / best_ours[1]:6.1f} ms/test"
    )
    print(
        f"  direct pytest (no box):  {best_direct[0]:7.2f} s  {best_direct[1]} tests run,    {best_direct[2]} passed  "
        f"{1000 * best_direct[0] / best_direct[1]:6.1f} ms/test"
    )
    print(f"  ratio codefrontier / direct: {best_ours[0] / best_direct[0]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
