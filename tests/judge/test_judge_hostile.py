"""Hostile programs: none is ever AC, none leaves a process or a file behind, none harms
the worker that judged it, which judges a known-good program correctly right after.

Every program marks what it tries to leave behind with a marker (file names, process
names, command lines), so the host-side probes in judge_kit can find its leftovers among
whatever else runs on this machine. Programs that try to learn something they must not
know (the expected output, another test's input, a previous run's input) are judged on a
problem that only that knowledge solves; programs that try to break out print `ESCAPED`
exactly when they succeed, on a problem whose answer is `ESCAPED`. Every target a program
writes to is a new file named with the marker: if the sandbox failed, nothing real is
overwritten.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from judge_kit import (
    ADD_PY,
    GOOD_STDIO,
    REPO,
    add_assert_problem,
    add_function_problem,
    function_problem,
    judge_one,
    planted_files,
    process_table,
    sample,
    sandbox_user_pids,
    stdio_problem,
    stopped_at_limit,
    stray_processes,
    sum_problem,
    token,
    verdicts,
    wait_until,
)

from codefrontier.contracts import Problem, ProblemKind, SampleResult, Verdict
from codefrontier.contracts import TestCase as Case
from codefrontier.judge.config import JudgeConfig, Mode
from codefrontier.judge.runner import SampleJudge
from codefrontier.problems.io import load_problems, save_problems
from codefrontier.sandbox.isolation import UNPRIVILEGED_UID
from codefrontier.store.results import ResultsStore

LIMIT_S = 0.5
MEMORY_MB = 128
TMPFS_MB = 96  # the sandbox's /tmp: small, so filling it is quick
CANARY_ENV = "CF_JUDGE_CANARY"
SECRET = token("CFSECRET")

# The next program on the same worker: /tmp must be empty and writable again.
CLEAN_PY = """
import os
a, b = map(int, input().split())
leftovers = [name for name in os.listdir("/tmp") if name != "main.py"]  # main.py: the program itself
open("/tmp/probe", "w").close()
print(a + b if not leftovers else "leftovers: %s" % leftovers[:3])
"""


@dataclass
class Secrets:
    """Where the hidden answer lives on the host: a problems file, an expected-output file
    and the judge's environment (and, necessarily, the judge's memory)."""

    problems_file: Path
    expected_file: Path
    header_file: Path
    problem: Problem


@pytest.fixture(scope="module")
def secrets(tmp_path_factory: pytest.TempPathFactory) -> Secrets:
    root = tmp_path_factory.mktemp("hidden")
    expected = root / "expected.txt"
    expected.write_text(SECRET + "\n")
    (root / "secret.h").write_text(f'#define SECRET "{SECRET}"\n')
    problem = Problem(
        "secret",
        ProblemKind.STDIO,
        "print the hidden answer",
        [Case("0", input="?\n", output_path=expected, size=1)],
        time_limit_s=LIMIT_S,
        memory_mb=MEMORY_MB,
    )
    problems_file = root / "problems.jsonl"
    save_problems(problems_file, [problem])
    (loaded,) = load_problems(problems_file)
    assert SECRET.encode() in expected.read_bytes()
    return Secrets(problems_file, expected, root / "secret.h", loaded)


@pytest.fixture(scope="module")
def judge(compile_cache: Path, secrets: Secrets) -> Iterator[SampleJudge]:
    """One worker for the whole module, started while the judge's environment holds a canary."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(CANARY_ENV, SECRET)
        worker = SampleJudge(JudgeConfig(tmpfs_mb=TMPFS_MB))
    try:
        yield worker
    finally:
        worker.close()


SUM = sum_problem("sum", time_limit_s=LIMIT_S, memory_mb=MEMORY_MB)  # the known-good check
# Resource attacks run once each: one test is enough to see what they do.
TARGET = stdio_problem("hostile-sum", [("2 3\n", "5\n")], time_limit_s=LIMIT_S, memory_mb=MEMORY_MB)
ESCAPE = stdio_problem("escape", [("go\n", "ESCAPED\n")], time_limit_s=LIMIT_S, memory_mb=MEMORY_MB)
FUNCTION = add_function_problem("hostile-add-function", time_limit_s=LIMIT_S, memory_mb=MEMORY_MB)
ASSERT = add_assert_problem("hostile-add-assert", time_limit_s=LIMIT_S, memory_mb=MEMORY_MB)


def remember_problem() -> Problem:
    """Each test's answer is the previous test's input: only memory across runs solves it."""
    inputs = [token("CFIN") for _ in range(3)]
    answers = ["none", *inputs[:-1]]
    return stdio_problem(
        "remember", [(i + "\n", a + "\n") for i, a in zip(inputs, answers, strict=True)], time_limit_s=LIMIT_S
    )


def peek_problem() -> Problem:
    """Each test's answer is the next test's input: only reading other tests solves it."""
    inputs = [token("CFIN") for _ in range(3)]
    answers = inputs[1:] + inputs[:1]
    return stdio_problem(
        "peek", [(i + "\n", a + "\n") for i, a in zip(inputs, answers, strict=True)], time_limit_s=LIMIT_S
    )


class Arena:
    """Judges one hostile program and checks everything it must not have achieved."""

    def __init__(self, judge: SampleJudge, secrets: Secrets, hostdir: Path, name: str) -> None:
        self.judge = judge
        self.secrets = secrets
        self.hostdir = hostdir  # a host directory the program is told about and tries to write
        self.name = name
        self.marker = "cfh" + uuid.uuid4().hex[:10]  # short enough for a process name
        self.subs = {
            "__MARKER__": self.marker,
            "__HOSTDIR__": str(hostdir),
            "__REPO__": str(REPO),
            "__PROBLEMS__": str(secrets.problems_file),
            "__EXPECTED__": str(secrets.expected_file),
            "__HEADER__": str(secrets.header_file),
        }

    def code(self, text: str, **extra: object) -> str:
        for key, value in {**self.subs, **{f"__{k.upper()}__": str(v) for k, v in extra.items()}}.items():
            text = text.replace(key, value)
        return text

    def run(
        self,
        problem: Problem,
        code: str,
        allowed: set[Verdict],
        language: str = "python",
        **extra: object,
    ) -> SampleResult:
        sandbox = self.judge.sandbox
        before = sandbox.descendant_pids()
        worker_pid = sandbox.proc.pid if sandbox.proc else None
        known = sandbox_user_pids()
        hostdir_before = sorted(os.listdir(self.hostdir))

        result = self.judge.judge(problem, sample(problem, self.code(code, **extra), language))
        print(f"HOSTILE {self.name}: {result.verdict.value} {[v.value for v in verdicts(result)]}")

        assert result.verdict is not Verdict.AC, result.tests
        assert result.verdict is not Verdict.IE, f"the program made the judge fail: {result.detail}"
        assert result.verdict in allowed, (result.verdict, result.detail)
        # The worker itself was never harmed: no retry, same sandbox, same processes.
        assert result.attempts == 1
        assert sandbox.proc is not None and sandbox.proc.pid == worker_pid
        assert sandbox.descendant_pids() == before
        gone = wait_until(lambda: not stray_processes(self.marker, known), timeout=5.0)
        assert gone is True, stray_processes(self.marker, known)
        assert planted_files(self.marker, [self.hostdir, self.secrets.problems_file.parent]) == []
        assert sorted(os.listdir(self.hostdir)) == hostdir_before
        self.judge_still_fine(language, problem)
        return result

    def judge_still_fine(self, language: str, problem: Problem) -> None:
        assert judge_one(self.judge, SUM, CLEAN_PY).verdict is Verdict.AC
        if language != "python":
            assert judge_one(self.judge, SUM, GOOD_STDIO[language], language).verdict is Verdict.AC
        if problem.kind is not ProblemKind.STDIO:
            same_kind = FUNCTION if problem.kind is ProblemKind.FUNCTION else ASSERT
            assert judge_one(self.judge, same_kind, ADD_PY).verdict is Verdict.AC


@pytest.fixture
def arena(judge: SampleJudge, secrets: Secrets, tmp_path: Path, request: pytest.FixtureRequest) -> Arena:
    return Arena(judge, secrets, tmp_path, request.node.name)


# -- resources: processes, memory, output, time -----------------------------------------

FORK_BOMB = {
    "python": "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
    "cpp": "#include <unistd.h>\nint main() { while (true) fork(); }",
}


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_fork_bomb_is_contained(arena: Arena, language: str) -> None:
    arena.run(TARGET, FORK_BOMB[language], {Verdict.TLE}, language)


MEMORY_BOMB = {
    "python": "blocks = []\nwhile True:\n    blocks.append(bytearray(16 << 20))\n",
    "cpp": """
#include <cstring>
int main() { while (true) { char* p = new char[16 << 20]; memset(p, 7, 16 << 20); } }""",
}


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_memory_bomb_is_contained(arena: Arena, language: str) -> None:
    arena.run(TARGET, MEMORY_BOMB[language], {Verdict.MLE}, language)


def test_memory_bomb_spread_over_child_processes_is_contained(arena: Arena) -> None:
    code = """
import os, time
for _ in range(6):
    if os.fork() == 0:
        try:
            hoard = bytearray(100 << 20)
        except MemoryError:
            pass
        time.sleep(1000)
time.sleep(1000)
"""
    arena.run(TARGET, code, {Verdict.TLE})


ENDLESS_OUTPUT = {
    "python": "import sys\nwhile True:\n    try:\n        sys.stdout.write('y' * 65536)\n    except OSError:\n        pass\n",
    "cpp": '#include <cstdio>\nint main() { while (true) fputs("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", stdout); }',
}


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_endless_output_is_contained(arena: Arena, language: str) -> None:
    arena.run(TARGET, ENDLESS_OUTPUT[language], {Verdict.OLE}, language)


SLEEP_FOREVER = {
    "python": "import time\ntime.sleep(10 ** 6)\n",
    "cpp": "#include <unistd.h>\nint main() { while (true) pause(); }",
}


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_sleeping_forever_hits_the_wall_clock_backstop(arena: Arena, language: str) -> None:
    result = arena.run(TARGET, SLEEP_FOREVER[language], {Verdict.TLE}, language)
    assert all(t.cpu_s < LIMIT_S for t in result.tests)  # it was the wall clock, not the CPU


IGNORE_SIGXCPU = {
    "python": """
import signal
signal.signal(signal.SIGXCPU, lambda *args: None)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
while True:
    pass
""",
    "cpp": """
#include <csignal>
int main() {
    signal(SIGXCPU, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    volatile unsigned long x = 0;
    while (true) x++;
}""",
}


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_program_ignoring_sigxcpu_is_still_stopped_at_its_cpu_limit(arena: Arena, language: str) -> None:
    result = arena.run(TARGET, IGNORE_SIGXCPU[language], {Verdict.TLE}, language)
    assert all(stopped_at_limit(t, LIMIT_S) for t in result.tests), result.tests


THREADS = {
    "python": """
import threading, time
for _ in range(10000):
    threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()
print(0)
""",
    "cpp": """
#include <chrono>
#include <thread>
#include <vector>
int main() {
    std::vector<std::thread> threads;
    for (int i = 0; i < 10000; i++)
        threads.emplace_back([] { std::this_thread::sleep_for(std::chrono::hours(1)); });
}""",
}


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_ten_thousand_threads_are_refused(arena: Arena, language: str) -> None:
    arena.run(TARGET, THREADS[language], {Verdict.RE}, language)


def test_cpp_program_forking_a_thousand_children_is_contained(arena: Arena) -> None:
    code = """
#include <cstdio>
#include <unistd.h>
int main() {
    int started = 0;
    for (int i = 0; i < 1000; i++) {
        pid_t pid = fork();
        if (pid == 0) { sleep(1000); _exit(0); }
        if (pid > 0) started++;
    }
    printf("%d\\n", started);
}"""
    arena.run(TARGET, code, {Verdict.WA}, "cpp")


def test_deep_recursion_is_contained(arena: Arena) -> None:
    code = """
import sys
sys.setrecursionlimit(10 ** 7)
def deeper(n):
    return deeper(n + 1) + 1
print(deeper(0))
"""
    arena.run(TARGET, code, {Verdict.RE, Verdict.MLE, Verdict.TLE})


def test_segfault_through_ctypes_is_a_runtime_error(arena: Arena) -> None:
    arena.run(TARGET, "import ctypes\nctypes.string_at(0)\n", {Verdict.RE})


def test_filling_the_scratch_disk_is_contained(arena: Arena) -> None:
    code = """
n = 0
try:
    while True:
        with open("/tmp/__MARKER__-%d" % n, "wb") as fh:
            for _ in range(16):
                fh.write(bytes(1 << 20))
        n += 1
except OSError as exc:
    print("full after", n, "files:", exc.errno)
"""
    arena.run(TARGET, code, {Verdict.WA, Verdict.TLE})


def test_growing_one_file_past_the_size_limit_is_contained(arena: Arena) -> None:
    code = """
try:
    with open("/tmp/__MARKER__", "wb") as fh:
        while True:
            fh.write(bytes(1 << 20))
except OSError as exc:
    print("stopped:", exc.errno)
"""
    arena.run(TARGET, code, {Verdict.WA, Verdict.TLE})


def test_huge_argv_and_environment_are_contained(arena: Arena) -> None:
    code = """
import os
os.execve("/usr/bin/env", ["env"] + ["x" * 100000] * 100, {"BIG": "y" * (4 << 20)})
"""
    arena.run(TARGET, code, {Verdict.RE, Verdict.WA, Verdict.OLE})


CLOSE_STDOUT = {
    "python": "import os\nos.close(1)\nos.close(2)\nprint(5)\n",
    "cpp": '#include <cstdio>\n#include <unistd.h>\nint main() { fclose(stdout); close(2); close(0); printf("5\\n"); }',
}


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_closing_stdout_is_contained(arena: Arena, language: str) -> None:
    arena.run(TARGET, CLOSE_STDOUT[language], {Verdict.RE, Verdict.WA}, language)


# -- processes that try to outlive their run ----------------------------------------------

# The daemon hands this run's input to the next run over an abstract socket: if it
# survived, the next test (whose answer is this test's input) would be AC.
MEMORY_DAEMON = """
import ctypes, os, socket, sys
MARK = "__MARKER__"
mine = sys.stdin.readline().strip()
try:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect("\\0" + MARK)
    previous = conn.recv(200).decode() or "none"
except OSError:
    previous = "none"
print(previous, flush=True)
if os.fork() == 0:
    os.setsid()
    DOUBLE_FORK
    ctypes.CDLL(None).prctl(15, MARK.encode(), 0, 0, 0)  # PR_SET_NAME: findable from the host
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind("\\0" + MARK)
    except OSError:
        os._exit(0)
    server.listen(8)
    while True:
        client, _ = server.accept()
        client.sendall(mine.encode())
        client.close()
"""


def test_setsid_daemon_does_not_survive_its_run(arena: Arena) -> None:
    result = arena.run(remember_problem(), MEMORY_DAEMON.replace("DOUBLE_FORK", "pass"), {Verdict.WA})
    assert verdicts(result) == [Verdict.AC, Verdict.WA, Verdict.WA]  # only the first answer is "none"


def test_double_fork_daemon_does_not_survive_its_run(arena: Arena) -> None:
    code = MEMORY_DAEMON.replace("DOUBLE_FORK", "if os.fork():\n        os._exit(0)")
    result = arena.run(remember_problem(), code, {Verdict.WA})
    assert verdicts(result) == [Verdict.AC, Verdict.WA, Verdict.WA]


def test_cpp_setsid_daemon_running_a_sleeper_does_not_survive(arena: Arena) -> None:
    code = """
#include <cstdio>
#include <sys/prctl.h>
#include <unistd.h>
int main() {
    if (fork() == 0) {
        setsid();
        if (fork() == 0) {
            prctl(PR_SET_NAME, "__MARKER__");
            execl("/usr/bin/sleep", "__MARKER__", "1000", (char*)nullptr);
            while (true) pause();
        }
        _exit(0);
    }
    printf("0\\n");
}"""
    arena.run(TARGET, code, {Verdict.WA}, "cpp")


# -- memory across runs ------------------------------------------------------------------

REMEMBER_IN_FILES = {
    "python": """
import os
mine = input().strip()
previous = "none"
folders = ("/tmp", "/var/tmp", "/dev/shm", os.path.expanduser("~"), "/run")
for folder in folders:
    try:
        with open(folder + "/__MARKER__") as fh:
            previous = fh.read()
    except OSError:
        pass
for folder in folders:
    try:
        with open(folder + "/__MARKER__", "w") as fh:
            fh.write(mine)
    except OSError:
        pass
print(previous)
""",
    "cpp": """
#include <cstdio>
#include <cstring>
int main() {
    char mine[200] = {0}, previous[200] = "none";
    if (scanf("%199s", mine) != 1) return 1;
    if (FILE* f = fopen("/tmp/__MARKER__", "r")) { fscanf(f, "%199s", previous); fclose(f); }
    if (FILE* f = fopen("/tmp/__MARKER__", "w")) { fputs(mine, f); fclose(f); }
    printf("%s\\n", previous);
}""",
}


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_files_do_not_carry_a_previous_test_into_the_next_run(arena: Arena, language: str) -> None:
    result = arena.run(remember_problem(), REMEMBER_IN_FILES[language], {Verdict.WA}, language)
    assert verdicts(result) == [Verdict.AC, Verdict.WA, Verdict.WA]


REMEMBER_IN_SYSV_SHM = {
    "python": """
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
KEY, IPC_CREAT = 0x5EED, 0o1000
mine = sys.stdin.readline().strip().encode()
shmid = libc.shmget(KEY, 4096, 0o600)
created = shmid < 0
if created:
    shmid = libc.shmget(KEY, 4096, IPC_CREAT | 0o600)
addr = libc.shmat(shmid, None, 0)
previous = b"none" if created else ctypes.string_at(addr)
ctypes.memmove(addr, mine + b"\\0", len(mine) + 1)
print(previous.decode())
""",
    "cpp": """
#include <cstdio>
#include <cstring>
#include <sys/shm.h>
int main() {
    char mine[200] = {0};
    if (scanf("%199s", mine) != 1) return 1;
    int id = shmget(0x5EED, 4096, 0600);
    bool created = id < 0;
    if (created) id = shmget(0x5EED, 4096, IPC_CREAT | 0600);
    char* shared = (char*)shmat(id, nullptr, 0);
    printf("%s\\n", created ? "none" : shared);
    strcpy(shared, mine);
}""",
}


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_system_v_shared_memory_does_not_outlive_its_run(arena: Arena, language: str) -> None:
    result = arena.run(remember_problem(), REMEMBER_IN_SYSV_SHM[language], {Verdict.WA}, language)
    assert verdicts(result) == [Verdict.AC, Verdict.WA, Verdict.WA]


def test_other_tests_inputs_cannot_be_found(arena: Arena) -> None:
    code = """
import os, re, stat
PATTERN = re.compile(rb"CFIN[0-9a-f]{32}")
mine = input().strip()
found = set()
def read(path, limit=1 << 22):
    try:
        if stat.S_ISFIFO(os.stat(path).st_mode):
            return b""  # its own stdout and stderr are pipes: reading them would only wait
        with open(path, "rb") as fh:
            return fh.read(limit)
    except OSError:
        return b""
places = ["/tmp", "/dev/fd", "/proc/self/fd"]
for pid in os.listdir("/proc"):
    if pid.isdigit():
        places.append("/proc/%s/fd" % pid)
        for name in ("environ", "cmdline"):
            found.update(PATTERN.findall(read("/proc/%s/%s" % (pid, name))))
for place in places:
    try:
        names = os.listdir(place)
    except OSError:
        continue
    for name in names:
        found.update(PATTERN.findall(read(os.path.join(place, name))))
found.discard(mine.encode())
print(sorted(found)[0].decode() if found else "nothing")
"""
    result = arena.run(peek_problem(), code, {Verdict.WA})
    assert verdicts(result) == [Verdict.WA] * 3


# -- the network --------------------------------------------------------------------------


@pytest.fixture
def listeners(arena: Arena) -> Iterator[dict[str, socket.socket]]:
    """A TCP server and a UDP socket on the host's loopback, and a server on an abstract
    Unix socket: the sandboxed program is told where they are."""
    tcp = socket.create_server(("127.0.0.1", 0))
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind("\0" + arena.marker + "-host")
    unix.listen(4)
    try:
        yield {"tcp": tcp, "udp": udp, "unix": unix}
    finally:
        for sock in (tcp, udp, unix):
            sock.close()


NETWORK = {
    "python": """
import socket
reached = []
for family, kind, address in (
    (socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", __TCP__)),
    (socket.AF_UNIX, socket.SOCK_STREAM, "\\0__MARKER__-host"),
):
    try:
        conn = socket.socket(family, kind)
        conn.settimeout(1)
        conn.connect(address)
        conn.sendall(b"hello")
        reached.append(address)
    except OSError:
        pass
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"hello", ("127.0.0.1", __UDP__))
except OSError:
    pass
print("ESCAPED" if reached else "contained")
""",
    "cpp": """
#include <arpa/inet.h>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>
int main() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(__TCP__);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    bool reached = connect(s, (sockaddr*)&addr, sizeof addr) == 0;
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    addr.sin_port = htons(__UDP__);
    sendto(u, "hello", 5, 0, (sockaddr*)&addr, sizeof addr);
    printf(reached ? "ESCAPED\\n" : "contained\\n");
}""",
}


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_network_servers_on_the_host_see_no_connection(
    arena: Arena, listeners: dict[str, socket.socket], language: str
) -> None:
    ports = {"tcp": listeners["tcp"].getsockname()[1], "udp": listeners["udp"].getsockname()[1]}
    arena.run(ESCAPE, NETWORK[language], {Verdict.WA}, language, **ports)
    # The program has ended: a connection or datagram would be waiting by now.
    assert select.select(list(listeners.values()), [], [], 0) == ([], [], [])


# -- files outside the scratch directory --------------------------------------------------

WRITE_OUTSIDE = {
    "python": """
import os
targets = ["/usr/__MARKER__", "/__MARKER__", "/root/__MARKER__", "__REPO__/__MARKER__",
           "__HOSTDIR__/__MARKER__", "/var/tmp/__MARKER__",
           "/etc/__MARKER__", "/opt/codefrontier/runtime/__MARKER__", "/proc/self/root/usr/__MARKER__"]
written = []
for path in targets:
    try:
        with open(path, "x") as fh:
            fh.write("x")
        written.append(path)
    except OSError:
        pass
    try:
        os.mkdir(path + "-dir")
        written.append(path + "-dir")
    except OSError:
        pass
print("ESCAPED" if written else "contained")
""",
    "cpp": """
#include <cstdio>
int main() {
    const char* targets[] = {"/usr/__MARKER__", "/__MARKER__", "/root/__MARKER__", "__REPO__/__MARKER__",
                             "__HOSTDIR__/__MARKER__", "/etc/__MARKER__"};
    bool written = false;
    for (const char* path : targets)
        if (FILE* f = fopen(path, "wx")) { fputs("x", f); fclose(f); written = true; }
    printf(written ? "ESCAPED\\n" : "contained\\n");
}""",
}


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_writing_outside_the_scratch_directory_is_refused(arena: Arena, language: str) -> None:
    """(/dev/shm is writable: it is a tmpfs of the run's own, like its scratch directory;
    the state tests check that nothing written there reaches the next run.)"""
    arena.run(ESCAPE, WRITE_OUTSIDE[language], {Verdict.WA}, language)


def test_scratch_booby_traps_are_cleaned_up(arena: Arena) -> None:
    """Nesting deeper than PATH_MAX, unreadable directories, links pointing out, a FIFO,
    thousands of files and a read-only scratch directory: the next run still gets a clean,
    writable /tmp (CLEAN_PY checks it)."""
    code = """
import os
os.chdir("/tmp")
for _ in range(3000):
    os.mkdir("d")
    os.chdir("d")
os.chdir("/tmp")
os.makedirs("locked/inner")
open("locked/inner/file", "w").close()
os.chmod("locked/inner", 0)
os.chmod("locked", 0)
os.symlink("/", "root-link")
os.symlink("/usr", "usr-link")
os.symlink("/proc/self/root", "self-root")
os.mkfifo("pipe")
for i in range(2000):
    open("f%d" % i, "w").close()
os.chmod("/tmp", 0o500)
print(0)
"""
    arena.run(TARGET, code, {Verdict.WA})


def test_writing_to_proc_and_sys_gains_nothing(arena: Arena) -> None:
    # Only harmless probes: the dangerous files are opened, never written.
    code = """
import os
gained = []
for path, data in (("/proc/self/oom_score_adj", "-1000"), ("/proc/self/uid_map", "0 65534 1"),
                   ("/proc/self/gid_map", "0 65534 1"), ("/proc/sys/kernel/core_pattern", None),
                   ("/proc/sysrq-trigger", None), ("/proc/sys/vm/drop_caches", None),
                   ("/sys/fs/cgroup/cgroup.procs", None)):
    try:
        with open(path, "w") as fh:
            if data is not None:
                fh.write(data)
        gained.append(path)
    except OSError:
        pass
if os.getuid() == 0 or os.geteuid() == 0:
    gained.append("root")
print("ESCAPED" if gained else "contained")
"""
    arena.run(ESCAPE, code, {Verdict.WA})


# -- the judge's secrets ----------------------------------------------------------------------

SECRET_HUNT = """
import os, re
PATTERN = re.compile(rb"CFSECRET[0-9a-f]{32}")
found = set()
def look(data):
    found.update(PATTERN.findall(data or b""))
def read(path, limit=1 << 22):
    try:
        with open(path, "rb") as fh:
            return fh.read(limit)
    except OSError:
        return b""
for path in ("__PROBLEMS__", "__EXPECTED__", "/proc/self/root__EXPECTED__", "/proc/1/root__EXPECTED__"):
    look(read(path))
look(repr(dict(os.environ)).encode())
me = os.readlink("/proc/self")
for pid in [os.getppid(), *os.listdir("/proc")]:
    pid = str(pid)
    if not pid.isdigit() or pid == me:
        continue
    for name in ("environ", "cmdline"):
        look(read("/proc/%s/%s" % (pid, name)))
    try:
        for fd in os.listdir("/proc/%s/fd" % pid):
            look(read("/proc/%s/fd/%s" % (pid, fd)))
    except OSError:
        pass
    for line in read("/proc/%s/maps" % pid).splitlines():
        start, end = (int(x, 16) for x in line.split()[0].split(b"-"))
        try:
            with open("/proc/%s/mem" % pid, "rb", buffering=0) as mem:
                mem.seek(start)
                look(mem.read(min(end - start, 1 << 24)))
        except (OSError, ValueError, OverflowError):
            pass
print(sorted(found)[0].decode() if found else "nothing")
"""


def test_hidden_tests_expected_output_and_judge_memory_are_out_of_reach(
    arena: Arena, secrets: Secrets
) -> None:
    assert os.environ.get(CANARY_ENV) is None  # only the judge's process had it, at start
    result = arena.run(secrets.problem, SECRET_HUNT, {Verdict.WA})
    assert "nothing" in result.tests[0].detail


JUDGE_ENVIRONMENT = {
    "python": f"import os\nprint(os.environ.get({CANARY_ENV!r}, 'absent'))\n",
    "cpp": f"""
#include <cstdio>
#include <cstdlib>
int main() {{ const char* v = getenv("{CANARY_ENV}"); printf("%s\\n", v ? v : "absent"); }}""",
}


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_judge_environment_is_not_inherited(arena: Arena, secrets: Secrets, language: str) -> None:
    result = arena.run(secrets.problem, JUDGE_ENVIRONMENT[language], {Verdict.WA}, language)
    assert "'absent'" in result.tests[0].detail


def test_cpp_compiler_cannot_include_host_files(arena: Arena, secrets: Secrets) -> None:
    code = '#include <cstdio>\n#include "__HEADER__"\nint main() { puts(SECRET); }'
    result = arena.run(secrets.problem, code, {Verdict.CE}, "cpp")
    assert "No such file" in result.detail


@pytest.mark.parametrize("wait_s", [0, 0.3])
def test_zygote_cannot_be_read_or_traced(arena: Arena, wait_s: float) -> None:
    """Nor any other process of the sandbox: with `wait_s`, the scan starts once the child
    the zygote forks for the next run (while this one runs) is parked and waiting."""
    code = (
        f"""
import time
time.sleep({wait_s})
"""
        + """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
me = os.readlink("/proc/self")
reached = []
for pid in os.listdir("/proc"):
    if not pid.isdigit() or pid == me:
        continue
    for name in ("mem", "environ", "maps", "fd", "cwd/."):
        try:
            if name == "fd" or name.endswith("/."):
                os.listdir("/proc/%s/%s" % (pid, name))
            else:
                with open("/proc/%s/%s" % (pid, name), "rb") as fh:
                    fh.read(1)
            reached.append((pid, name))
        except OSError:
            pass
    if libc.ptrace(16, int(pid), None, None) == 0:  # PTRACE_ATTACH
        reached.append((pid, "ptrace"))
        libc.ptrace(17, int(pid), None, None)
print("ESCAPED" if reached else "contained")
"""
    )
    arena.run(ESCAPE, code, {Verdict.WA})


KILL_PARENT = {
    "python": """
import os, signal
if os.getpid() != 1:
    print("ESCAPED")  # no PID namespace of its own: never fire kill(-1) at the host
else:
    for target in (os.getppid(), 0, -1, 1, *(int(p) for p in os.listdir("/proc") if p.isdigit())):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass
    print("contained")
""",
    "cpp": """
#include <csignal>
#include <cstdio>
#include <unistd.h>
int main() {
    if (getpid() != 1) { printf("ESCAPED\\n"); return 0; }
    kill(getppid(), SIGKILL);
    kill(0, SIGKILL);
    kill(-1, SIGKILL);
    kill(1, SIGKILL);
    for (int pid = 2; pid < 64; pid++) kill(pid, SIGKILL);
    printf("contained\\n");
}""",
}


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_killing_the_parent_does_not_harm_the_worker(arena: Arena, language: str) -> None:
    arena.run(ESCAPE, KILL_PARENT[language], {Verdict.WA}, language)


# -- function and assert samples that fool the harness --------------------------------------

EXITS = {
    "sys.exit(0)": "import sys\nsys.exit(0)",
    "os._exit(0)": "import os\nos._exit(0)",
    "raise SystemExit": "raise SystemExit",
}


@pytest.mark.parametrize("how", list(EXITS))
@pytest.mark.parametrize("when", ["at import", "inside the candidate"])
@pytest.mark.parametrize("problem", [ASSERT, FUNCTION], ids=["assert", "function"])
def test_exiting_before_the_checks_is_never_accepted(
    arena: Arena, problem: Problem, when: str, how: str
) -> None:
    body = EXITS[how]
    if when == "at import":
        code = body + "\ndef add(a, b):\n    return a - b\n"
    else:
        code = "def add(a, b):\n" + "".join("    " + line + "\n" for line in body.splitlines())
    result = arena.run(problem, code, {Verdict.RE})
    assert verdicts(result) == [Verdict.RE] * 3


ALWAYS_EQUAL = {
    "object": """
class Anything:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = object.__hash__
def add(a, b):
    return Anything()
""",
    "int subclass": """
class Int(int):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = int.__hash__
def add(a, b):
    return Int(a - b - 1)
""",
    "list subclass": """
class List(list):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
def add(a, b):
    return List([a - b])
""",
}


@pytest.mark.parametrize("variant", list(ALWAYS_EQUAL))
@pytest.mark.parametrize("problem", [ASSERT, FUNCTION], ids=["assert", "function"])
def test_value_whose_eq_always_returns_true_is_wrong(arena: Arena, problem: Problem, variant: str) -> None:
    result = arena.run(problem, ALWAYS_EQUAL[variant], {Verdict.WA})
    assert verdicts(result) == [Verdict.WA] * 3


PATCHES = {
    "__import__": """
import builtins, types
fake = types.SimpleNamespace(dumps=lambda *a, **k: "3", loads=lambda *a, **k: 3)
builtins.__import__ = lambda *args, **kwargs: fake
""",
    "AssertionError": "import builtins\nbuiltins.AssertionError = type('AssertionError', (BaseException,), {})\n",
    "print": "import builtins\nbuiltins.print = lambda *args, **kwargs: None\n",
    "json.dumps": "import json\njson.dumps = lambda *args, **kwargs: '3'\n",
    "open": "import builtins, io\nbuiltins.open = lambda *args, **kwargs: io.StringIO('3')\n",
    "sys.modules": """
import sys, types
sys.modules["json"] = types.SimpleNamespace(dumps=lambda *a, **k: "3", loads=lambda *a, **k: 3)
""",
}


@pytest.mark.parametrize("patch", list(PATCHES))
@pytest.mark.parametrize("problem", [ASSERT, FUNCTION], ids=["assert", "function"])
def test_patched_builtins_do_not_reach_the_comparison(arena: Arena, problem: Problem, patch: str) -> None:
    code = PATCHES[patch] + "\ndef add(a, b):\n    return a - b\n"
    result = arena.run(problem, code, {Verdict.WA, Verdict.RE})
    assert Verdict.AC not in verdicts(result)[1:]  # whatever the first returns, 10 and 5 are never 3


FORGED_REPLIES = {
    "during a call": """
import socket
def add(a, b):
    channel = socket.socket(fileno=3)
    channel.send(b'{"status": "error", "kind": "IE", "killed": "cpu", "message": "forged"}')
    channel.detach()
    return a - b
""",
    "while loading": """
import os, socket
socket.socket(fileno=3).send(b'{"status": "error", "kind": "IE", "message": "forged"}')
os._exit(0)
""",
    "garbled while loading": """
import os, socket
socket.socket(fileno=3).send(b'\\xff not json')
os._exit(0)
""",
}


@pytest.mark.parametrize("variant", list(FORGED_REPLIES))
@pytest.mark.parametrize("problem", [ASSERT, FUNCTION], ids=["assert", "function"])
def test_forged_replies_cannot_claim_an_internal_error_or_a_timeout(
    arena: Arena, problem: Problem, variant: str
) -> None:
    result = arena.run(problem, FORGED_REPLIES[variant], {Verdict.RE, Verdict.WA})
    assert not {Verdict.IE, Verdict.TLE} & set(verdicts(result))


@pytest.fixture(scope="module")
def first_fail_judge(compile_cache: Path) -> Iterator[SampleJudge]:
    """A worker in first-fail mode: there the sandbox parks a fresh child while a solution
    process is loaded, so the solution has a neighbour it might try to reach."""
    worker = SampleJudge(JudgeConfig(mode=Mode.FIRST_FAIL, tmpfs_mb=TMPFS_MB))
    try:
        yield worker
    finally:
        worker.close()


def test_loaded_solution_cannot_reach_the_processes_beside_it(
    first_fail_judge: SampleJudge, secrets: Secrets, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    code = """
import ctypes, os
def probe():
    me = os.readlink("/proc/self")
    reached = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or pid == me:
            continue
        for name in ("environ", "mem", "fd"):
            try:
                if name == "fd":
                    for fd in os.listdir("/proc/%s/fd" % pid):
                        os.open("/proc/%s/fd/%s" % (pid, fd), os.O_RDONLY)
                else:
                    with open("/proc/%s/%s" % (pid, name), "rb") as fh:
                        fh.read(1)
                reached.append(pid + "/" + name)
            except OSError:
                pass
    return "ESCAPED: " + " ".join(reached) if reached else "contained"
"""
    problem = function_problem("neighbours", "probe", [([], "ESCAPED")], time_limit_s=LIMIT_S)
    arena = Arena(first_fail_judge, secrets, tmp_path, request.node.name)
    result = arena.run(problem, code, {Verdict.WA})
    assert "contained" in result.tests[0].detail


def test_hostile_results_survive_the_results_store(arena: Arena, tmp_path: Path) -> None:
    """A verdict detail built from hostile output (here: binary junk and JSON-looking text)
    is stored and read back unchanged."""
    code = 'import sys\nsys.stdout.buffer.write(b"\\x00\\xff\\"}{\\n" * 10)\n'
    result = arena.run(TARGET, code, {Verdict.WA})
    store = ResultsStore(tmp_path / "store")
    store.add(result)
    store.finalize()
    rows = pq.read_table(tmp_path / "store" / "tests.parquet").to_pylist()
    assert [r["detail"] for r in rows] == [t.detail for t in result.tests]
    assert json.dumps(rows[0]["detail"])  # plain text


# -- the probes themselves -------------------------------------------------------------------

LINGER = """
import os, sys
if os.fork():
    os._exit(0)
os.setsid()
if os.fork():
    os._exit(0)
if len(sys.argv) > 2:
    os.setgroups([])
    os.setgid(int(sys.argv[2]))
    os.setuid(int(sys.argv[2]))
os.execv("/usr/bin/sleep", [sys.argv[1], "60"])
"""


def linger(name: str, uid: int | None = None) -> int:
    """Start a double-forked `sleep` named `name` (as `uid`), adopted by init; returns its pid."""
    subprocess.run([sys.executable, "-c", LINGER, name, *([str(uid)] if uid is not None else [])], check=True)

    def sleeper() -> list[int]:  # the exec'd `sleep`, not the Python processes forking it
        return [p for p, row in process_table().items() if name.encode() in row[2] and row[3] == b"sleep"]

    found = wait_until(sleeper, timeout=5)
    assert len(found) == 1, found
    return found[0]


def test_leak_probes_see_what_an_escaped_program_would_leave(tmp_path: Path) -> None:
    """The checks above can fail: a file named with the marker, a process named with it,
    and (as root, where sandboxes run as uid 65534) an orphaned process of the sandbox user
    are all found."""
    marker = "cfh" + uuid.uuid4().hex[:10]
    planted = Path("/tmp") / marker
    planted.write_text("left behind")
    try:
        assert planted_files(marker) == [str(planted)]
    finally:
        planted.unlink()

    known = sandbox_user_pids()
    pid = linger(marker)
    try:
        assert any(line.startswith(f"{pid} ") for line in stray_processes(marker, known))
    finally:
        os.kill(pid, signal.SIGKILL)

    if os.geteuid() == 0:
        pid = linger("cfh" + uuid.uuid4().hex[:10], UNPRIVILEGED_UID)
        try:
            found = stray_processes("no-marker-here", known)
            assert any(line.startswith(f"{pid} ") and "orphaned" in line for line in found), found
        finally:
            os.kill(pid, signal.SIGKILL)
