"""Problems, samples and host-side probes shared by the judge tests.

The probes look at the host from outside the sandbox: which processes exist, which
files exist. A hostile program marks everything it tries to leave behind with a marker
string (in file names, its process name and its command line), so the probes can tell
its leftovers from whatever else runs on this machine at the same time.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from codefrontier.contracts import (
    Checker,
    Problem,
    ProblemKind,
    Sample,
    SampleResult,
    TestCase,
    TestResult,
    Verdict,
)
from codefrontier.judge.runner import SampleJudge
from codefrontier.sandbox.isolation import RUNTIME_DIR, UNPRIVILEGED_UID

REPO = Path(__file__).resolve().parents[2]

SUM_PY = "a, b = map(int, input().split())\nprint(a + b)\n"
SUM_CPP = """
#include <cstdio>
int main() { long long a, b; if (scanf("%lld %lld", &a, &b) != 2) return 1; printf("%lld\\n", a + b); }
"""
GOOD_STDIO = {"python": SUM_PY, "cpp": SUM_CPP}
ADD_PY = "def add(a, b):\n    return a + b\n"


# -- problems and samples ------------------------------------------------------------


def stdio_problem(
    pid: str,
    tests: Sequence[tuple[str, str]],
    *,
    time_limit_s: float = 1.0,
    memory_mb: int = 128,
    checker: Checker | None = None,
) -> Problem:
    """A stdio problem whose tests run in the order given (sizes 1, 2, 3, ...)."""
    cases = [TestCase(str(i), inp, out, size=i + 1) for i, (inp, out) in enumerate(tests)]
    return Problem(
        pid,
        ProblemKind.STDIO,
        "",
        cases,
        time_limit_s=time_limit_s,
        memory_mb=memory_mb,
        checker=checker or Checker(),
    )


def sum_problem(pid: str = "sum", **kw: Any) -> Problem:
    """Print a + b: the problem every known-good program solves."""
    return stdio_problem(pid, [("2 3\n", "5\n"), ("10 20\n", "30\n"), ("-7 7\n", "0\n")], **kw)


def function_problem(
    pid: str,
    entry: str,
    tests: Sequence[tuple[list[Any], Any]],
    *,
    time_limit_s: float = 1.0,
    memory_mb: int = 128,
) -> Problem:
    cases = [TestCase(str(i), args, out, size=i + 1) for i, (args, out) in enumerate(tests)]
    return Problem(
        pid,
        ProblemKind.FUNCTION,
        "",
        cases,
        time_limit_s=time_limit_s,
        memory_mb=memory_mb,
        entry_point=entry,
    )


def add_function_problem(pid: str = "add-function", **kw: Any) -> Problem:
    return function_problem(pid, "add", [([1, 2], 3), ([5, 5], 10), ([-4, 9], 5)], **kw)


def assert_problem(
    pid: str, entry: str, tests: Sequence[str], *, time_limit_s: float = 1.0, memory_mb: int = 128
) -> Problem:
    cases = [TestCase(str(i), code, None, size=i + 1) for i, code in enumerate(tests)]
    return Problem(
        pid, ProblemKind.ASSERT, "", cases, time_limit_s=time_limit_s, memory_mb=memory_mb, entry_point=entry
    )


def add_assert_problem(pid: str = "add-assert", **kw: Any) -> Problem:
    return assert_problem(
        pid,
        "add",
        ["assert add(1, 2) == 3\n", "assert candidate(5, 5) == 10\n", "assert add(-4, 9) == 5, 'sum'\n"],
        **kw,
    )


_counter = iter(range(1 << 30))


def sample(problem: Problem, code: str, language: str = "python", policy: str = "test") -> Sample:
    """A sample with a fresh index, so results never collide."""
    return Sample(problem.id, policy, next(_counter), language, code)


def judge_one(judge: SampleJudge, problem: Problem, code: str, language: str = "python") -> SampleResult:
    return judge.judge(problem, sample(problem, code, language))


def verdicts(result: SampleResult) -> list[Verdict]:
    return [t.verdict for t in result.tests]


def stopped_at_limit(test: TestResult, limit_s: float) -> bool:
    """Killed soon after its CPU limit, or earlier by the wall-clock backstop (on a machine
    so loaded that the program could not get its CPU time in time): never let run on."""
    in_time = test.cpu_s < limit_s + 0.5
    return in_time and (test.cpu_s >= limit_s or "wall-clock" in test.detail)


def token(prefix: str) -> str:
    """A random token no program can guess."""
    return prefix + uuid.uuid4().hex


# -- waiting for the operating system ------------------------------------------------


def wait_until(condition: Callable[[], Any], timeout: float, interval: float = 0.05) -> Any:
    """Poll `condition` until it returns something truthy or `timeout` seconds pass;
    returns its last value (so a failed wait can be reported)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


# -- host-side probes ---------------------------------------------------------------


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return b""


def process_table() -> dict[int, tuple[int, set[int], bytes, bytes]]:
    """pid -> (parent pid, uids, command line, process name) for every process now."""
    table: dict[int, tuple[int, set[int], bytes, bytes]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        status = _read(f"/proc/{entry.name}/status")
        if not status:
            continue
        ppid, uids = 0, set()
        for line in status.splitlines():
            if line.startswith(b"PPid:"):
                ppid = int(line.split()[1])
            elif line.startswith(b"Uid:"):
                uids = {int(x) for x in line.split()[1:]}
        cmdline = _read(f"/proc/{entry.name}/cmdline").replace(b"\0", b" ")
        comm = _read(f"/proc/{entry.name}/comm").strip()
        table[int(entry.name)] = (ppid, uids, cmdline, comm)
    return table


def stray_processes(marker: str, known: Iterable[int] = ()) -> list[str]:
    """Processes a sandboxed program may have left behind: any whose command line or name
    holds `marker`, and any new process of the sandbox user (not in `known`) that is no
    longer held by a sandbox, i.e. whose nearest ancestor of another user is neither
    bubblewrap nor a Python judge (an orphan adopted by init or some subreaper)."""
    table = process_table()
    known = set(known)
    found = []
    mark = marker.encode()
    for pid, (ppid, uids, cmdline, comm) in table.items():
        if pid == os.getpid():
            continue
        if mark in cmdline or mark in comm:
            found.append(f"{pid} {comm.decode(errors='replace')}: {cmdline[:200].decode(errors='replace')}")
            continue
        if UNPRIVILEGED_UID not in uids or pid in known:
            continue
        holder = ppid
        while holder in table and UNPRIVILEGED_UID in table[holder][1]:
            holder = table[holder][0]
        held = (
            holder > 1 and holder in table and (table[holder][3] == b"bwrap" or b"python" in table[holder][2])
        )
        if not held:
            found.append(f"{pid} {comm.decode(errors='replace')} orphaned (uid {UNPRIVILEGED_UID})")
    return found


def sandbox_user_pids() -> set[int]:
    return {pid for pid, (_, uids, _, _) in process_table().items() if UNPRIVILEGED_UID in uids}


WATCHED_DIRS = (
    "/tmp",
    "/var/tmp",
    "/dev/shm",
    "/",
    "/root",
    "/usr",
    "/etc",
    str(REPO),
    str(RUNTIME_DIR),  # seen as /opt/codefrontier/runtime inside the sandbox
)


def planted_files(marker: str, extra_dirs: Iterable[Path] = ()) -> list[str]:
    """Files or directories named with `marker` in the places a program might try to write."""
    found = []
    for directory in (*WATCHED_DIRS, *map(str, extra_dirs)):
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        found.extend(os.path.join(directory, n) for n in names if marker in n)
    return found
