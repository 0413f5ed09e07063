"""Resume: a `codefrontier judge` run killed halfway (SIGINT, or SIGKILL) and started again
with the same command ends with the same results as a run never interrupted; the Parquet
files load at every moment, and killing the judge leaves none of its sandboxes behind."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from judge_kit import process_table, wait_until

pytestmark = pytest.mark.slow

SAMPLES = 40
# 0.3 s per test whatever the machine's speed (sleeping costs no CPU time): with 2 jobs judging
# lasts about 12 s, and the judge first writes results to disk after 5 s, so the interrupt
# lands halfway (at 0.15 s a test, with 1 s left, a loaded machine saw the run finish first).
BURN = "import time\ntime.sleep(0.3)\n"
PROGRAMS = [
    BURN + "a, b = map(int, input().split())\nprint(a + b)\n",  # AC
    BURN + "a, b = map(int, input().split())\nprint(a * b)\n",  # WA on one test of two
    BURN + "a, b = map(int, input().split())\nprint(a + b if a < 5 else 1 // 0)\n",  # RE on the second
    BURN + "print(5)\n",  # WA on the second
]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("resume-inputs")
    problems = [
        {
            "id": f"p{k}",
            "kind": "stdio",
            "statement": "a + b",
            "time_limit_s": 3.0,
            "tests": [
                {"id": "0", "input": "2 3\n", "output": "5\n"},
                {"id": "1", "input": "6 2\n", "output": "8\n"},
            ],
        }
        for k in range(4)
    ]
    samples = [
        {"problem_id": f"p{i % 4}", "policy": f"pol{i % 3}", "sample": i, "code": PROGRAMS[(i // 4) % 4]}
        for i in range(SAMPLES)
    ]
    (root / "problems.jsonl").write_text("".join(json.dumps(p) + "\n" for p in problems))
    (root / "samples.jsonl").write_text("".join(json.dumps(s) + "\n" for s in samples))
    return root / "problems.jsonl", root / "samples.jsonl"


def judge_command(inputs: tuple[Path, Path], out: Path) -> list[str]:
    script = Path(sys.executable).parent / "codefrontier"
    head = [str(script)] if script.exists() else [sys.executable, "-m", "codefrontier.cli"]
    problems, samples = inputs
    return [*head, "judge", "--problems", str(problems), "--samples", str(samples), "--out", str(out)] + [
        "--jobs",
        "2",
        "--no-progress",
    ]


def store_files_load(out: Path) -> int:
    """Load every Parquet file of the store (finished names only; a part may vanish as it
    is merged). Returns how many samples the part files hold."""
    in_parts = 0
    for path in [*out.glob("*.parquet"), *out.glob(".parts/*.parquet")]:
        try:
            # One open file: read_table(path) opens the path twice (footer, then pages), and a
            # merge renamed over it in between reads as a torn file although none ever was.
            with open(path, "rb") as fh:
                table = pq.read_table(fh)
        except FileNotFoundError:
            continue
        except (pa.ArrowInvalid, OSError) as exc:  # a torn or half-written file
            raise AssertionError(f"{path} does not load: {exc}") from exc
        if path.parent.name == ".parts" and path.name.startswith("samples-"):
            in_parts += table.num_rows
    return in_parts


def descendants(pid: int) -> set[int]:
    table = process_table()
    found, stack = set(), [pid]
    while stack:
        parent = stack.pop()
        for child, (ppid, *_) in table.items():
            if ppid == parent and child not in found:
                found.add(child)
                stack.append(child)
    return found


def run_until(command: list[str], out: Path, stop: Callable[[], bool] | None) -> subprocess.Popen[bytes]:
    """Run the judge, checking the store at every moment; stop it when `stop()` says so."""
    # SIGINT as a terminal's Ctrl-C finds it: a suite started in the background of a script
    # has it ignored, and a child inherits that (the judge then never hears the interrupt)
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 240
    while proc.poll() is None:
        store_files_load(out)
        if stop is not None and stop():
            return proc
        assert time.monotonic() < deadline, "the judge did not finish"
        time.sleep(0.05)  # polling the files, not synchronizing with the judge
    store_files_load(out)
    return proc


def results(out: Path) -> tuple[list[tuple], list[tuple]]:
    samples = pq.read_table(out / "samples.parquet").to_pylist()
    tests = pq.read_table(out / "tests.parquet").to_pylist()
    sample_rows = sorted(
        (r["problem_id"], r["policy"], r["sample"], r["verdict"], r["failure_class"], r["tests_passed"])
        for r in samples
    )
    test_rows = sorted((r["problem_id"], r["policy"], r["sample"], r["test_id"], r["verdict"]) for r in tests)
    return sample_rows, test_rows


@pytest.fixture(scope="module")
def uninterrupted(inputs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[list, list]:
    out = tmp_path_factory.mktemp("uninterrupted") / "out"
    proc = run_until(judge_command(inputs, out), out, None)
    assert proc.wait() == 0, proc.stderr.read().decode() if proc.stderr else ""
    samples, tests = results(out)
    assert len(samples) == SAMPLES and len(tests) == 2 * SAMPLES
    assert {row[3] for row in samples} == {"AC", "WA", "RE"}
    return samples, tests


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_run_resumes_to_the_same_results(
    inputs: tuple[Path, Path], uninterrupted: tuple[list, list], tmp_path: Path, sig: signal.Signals
) -> None:
    out = tmp_path / "out"
    command = judge_command(inputs, out)

    # Stop the judge once some results have reached disk, i.e. halfway through.
    proc = run_until(command, out, lambda: (out / ".parts").is_dir() and store_files_load(out) > 0)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    sandboxes = descendants(proc.pid)
    assert sandboxes, "the judge had no sandbox processes"
    os.kill(proc.pid, sig)
    code = proc.wait(timeout=60)
    store_files_load(out)
    if sig == signal.SIGINT:
        assert code == 130
        assert b"interrupted" in (proc.stderr.read() if proc.stderr else b"")
        assert (out / "samples.parquet").exists()  # Ctrl-C merged what was finished
    else:
        assert code == -signal.SIGKILL
    alive = wait_until(lambda: not (sandboxes & set(process_table())), timeout=30)
    assert alive is True, f"sandbox processes outlived the judge: {sandboxes & set(process_table())}"

    resumed = run_until(command, out, None)
    assert resumed.wait() == 0, resumed.stderr.read().decode() if resumed.stderr else ""
    summary = resumed.stdout.read().decode() if resumed.stdout else ""
    counts = re.search(r"judged (\d+) samples \((\d+) already in", summary)
    assert counts, summary
    judged, skipped = int(counts[1]), int(counts[2])
    assert judged + skipped == SAMPLES and 0 < judged < SAMPLES, summary  # only what was missing
    assert results(out) == uninterrupted
    assert not (out / ".parts").exists() or not any((out / ".parts").iterdir())
