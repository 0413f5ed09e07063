"""Large data: a test with a 50 MB input and a 50 MB answer (files named by the problems
file) is judged AC for a correct program and WA for a wrong one, without deadlock, and the
judge's own memory does not grow with the number of samples judged on it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.slow

SIZE = 50 << 20
ECHO_PY = "import sys\nsys.stdout.buffer.write(sys.stdin.buffer.read())\n"
ECHO_CPP = """
#include <cstdio>
int main() {
    static char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) fwrite(buf, 1, n, stdout);
}"""
# Wrong only near the end, so the comparison has to look at (almost) everything.
LAST_TOKEN_WRONG_PY = (
    "import sys\ndata = sys.stdin.buffer.read()\nsys.stdout.buffer.write(data[:-3] + b'zz\\n')\n"
)
MIDDLE_TOKEN_MISSING_PY = """
import sys
lines = sys.stdin.buffer.read().split(b"\\n")
del lines[len(lines) // 2]
sys.stdout.buffer.write(b"\\n".join(lines))
"""
# The judge's own peak: VmHWM of its address space. Not ru_maxrss, which after execve keeps
# the peak of the process the judge was forked from (pytest's, 2 GB late in a full run).
RUN_AND_REPORT_PEAK = """
import sys
from codefrontier.cli import main
code = main(sys.argv[1:])
with open("/proc/self/status") as fh:
    print("PEAK_RSS_KB", next(l for l in fh if l.startswith("VmHWM:")).split()[1], file=sys.stderr)
sys.exit(code)
"""


@pytest.fixture(scope="module")
def big_problem(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A problems file whose one test reads a 50 MB input file and a 50 MB answer file."""
    root = tmp_path_factory.mktemp("large")
    # Lines of 99 hex digits: 50 MB in about half a million tokens.
    text = os.urandom(SIZE // 2).hex()
    data = b"\n".join(text[i : i + 99].encode() for i in range(0, len(text), 100)) + b"\n"
    assert len(data) > 49 << 20
    (root / "input.txt").write_bytes(data)
    (root / "answer.txt").write_bytes(data)
    problem = {
        "id": "echo",
        "kind": "stdio",
        "statement": "print the input",
        "time_limit_s": 10,
        "memory_mb": 1024,
        "tests": [{"id": "big", "input_file": "input.txt", "output_file": "answer.txt"}],
    }
    path = root / "problems.jsonl"
    path.write_text(json.dumps(problem) + "\n")
    return path


def judge_with_peak_rss(problems: Path, samples: list[tuple[str, str]], out: Path) -> int:
    """Judge (language, code) samples in a fresh judge process; returns its peak RSS in MB."""
    samples_file = out.parent / f"{out.name}-samples.jsonl"
    records = [
        {"problem_id": "echo", "policy": "p", "sample": i, "language": language, "code": code}
        for i, (language, code) in enumerate(samples)
    ]
    samples_file.write_text("".join(json.dumps(r) + "\n" for r in records))
    command = [sys.executable, "-c", RUN_AND_REPORT_PEAK, "judge", "--problems", str(problems)]
    command += ["--samples", str(samples_file), "--out", str(out), "--jobs", "1", "--no-progress"]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    peak = re.search(r"PEAK_RSS_KB (\d+)", proc.stderr)
    assert peak, proc.stderr
    return int(peak[1]) // 1024


def sample_verdicts(out: Path) -> list[str]:
    rows = sorted(pq.read_table(out / "samples.parquet").to_pylist(), key=lambda r: r["sample"])
    return [r["verdict"] for r in rows]


def test_fifty_megabyte_test_is_judged_correctly(big_problem: Path, tmp_path: Path) -> None:
    samples = [
        ("python", ECHO_PY),
        ("cpp", ECHO_CPP),
        ("python", LAST_TOKEN_WRONG_PY),
        ("python", MIDDLE_TOKEN_MISSING_PY),
    ]
    judge_with_peak_rss(big_problem, samples, tmp_path / "out")
    assert sample_verdicts(tmp_path / "out") == ["AC", "AC", "WA", "WA"]
    tests = pq.read_table(tmp_path / "out" / "tests.parquet").to_pylist()
    assert {t["test_id"] for t in tests} == {"big"}
    peak_mb = {t["sample"]: t["rss_mb"] for t in tests}
    assert peak_mb[0] > 50  # the program really held the whole input


def test_judge_memory_does_not_grow_with_the_number_of_large_samples(
    big_problem: Path, tmp_path: Path
) -> None:
    one = judge_with_peak_rss(big_problem, [("python", ECHO_PY)], tmp_path / "one")
    ten = judge_with_peak_rss(
        big_problem, [("python", ECHO_PY)] * 5 + [("python", LAST_TOKEN_WRONG_PY)] * 5, tmp_path / "ten"
    )
    assert sample_verdicts(tmp_path / "ten") == ["AC"] * 5 + ["WA"] * 5
    # What must hold is that ten samples cost no more than one, and less than holding their
    # ten 50 MB outputs would (about 300 MB here: one test's input, answer and output at once).
    print(f"peak RSS of the judge: {one} MB for one sample, {ten} MB for ten")
    assert ten < one + 100, f"peak RSS grew from {one} MB (1 sample) to {ten} MB (10 samples)"
    assert ten < 500, f"peak RSS of the judge: {ten} MB"
