"""The judge under attack, round two (issue 11): nothing a program writes or controls may
decide its verdict class, hide its cost, carry state to the next sample, or take the judge
down. One section per class of attack, several programs each, in Python and C++ where
both apply. Every program here is judged by `attack()`, which also checks the promise all
of them share: no IE, one attempt (the worker never had to restart), and the worker still
judges a known-good program correctly right after.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from judge_kit import (
    ADD_PY,
    GOOD_STDIO,
    add_function_problem,
    function_problem,
    judge_one,
    sample,
    stdio_problem,
    sum_problem,
    token,
    verdicts,
)

from codefrontier.contracts import Checker, CheckerKind, Problem, SampleResult, Verdict
from codefrontier.judge.config import JudgeConfig, Mode
from codefrontier.judge.runner import SampleJudge
from codefrontier.sandbox import cgroups
from codefrontier.store.results import ResultsStore

LIMIT_S = 1.0
SUM = sum_problem("sum", time_limit_s=LIMIT_S)
ADD = add_function_problem("add-fn", time_limit_s=LIMIT_S)
MEASURED_BY_CGROUP = cgroups.detect() is not None
needs_cgroup = pytest.mark.skipif(
    not MEASURED_BY_CGROUP, reason="the run cgroup is the measurement under test (doctor reports its absence)"
)


@pytest.fixture(scope="module")
def judge(compile_cache: Path) -> Iterator[SampleJudge]:
    # A generous wall-clock backstop: on a busy machine the CPU limit must still be what
    # stops a busy program, so that its measured CPU time is what the tests look at.
    worker = SampleJudge(JudgeConfig(wall_factor=30))
    try:
        yield worker
    finally:
        worker.close()


def attack(
    judge: SampleJudge, problem: Problem, code: str, allowed: set[Verdict], language: str = "python"
) -> SampleResult:
    result = judge.judge(problem, sample(problem, textwrap.dedent(code), language))
    assert result.verdict is not Verdict.IE, f"the program made the judge fail: {result.detail}"
    assert result.verdict in allowed, (result.verdict, result.detail, [t.detail for t in result.tests])
    assert result.attempts == 1, "the worker had to be restarted"
    assert judge_one(judge, SUM, GOOD_STDIO["python"]).verdict is Verdict.AC
    assert judge_one(judge, SUM, GOOD_STDIO["cpp"], "cpp").verdict is Verdict.AC
    assert judge_one(judge, ADD, ADD_PY).verdict is Verdict.AC
    return result


# -- 1. internal errors made by the program ----------------------------------------------------

SETUP_STATUSES = [200, 201, 210, 127]


@pytest.mark.parametrize("status", SETUP_STATUSES)
@pytest.mark.parametrize("language", ["python", "cpp"])
def test_exiting_with_the_sandbox_s_own_statuses_is_a_runtime_error(
    judge: SampleJudge, language: str, status: int
) -> None:
    """210 was the sandbox's setup failure (IE), 200 its syntax error (CE), 201 its
    MemoryError (MLE): a wrong program that exits so is only a runtime error."""
    code = {
        "python": f"import os\nos._exit({status})\n",
        "cpp": f"#include <cstdlib>\nint main() {{ std::exit({status}); }}\n",
    }[language]
    result = attack(judge, SUM, code, {Verdict.RE}, language)
    assert verdicts(result) == [Verdict.RE] * 3


def test_a_python_program_raising_its_own_syntax_error_is_a_runtime_error(judge: SampleJudge) -> None:
    attack(judge, SUM, "raise SyntaxError('fake')\n", {Verdict.RE})


@pytest.mark.parametrize(
    "forged",
    [
        "'[' * 200000",  # nesting the judge's JSON parser cannot follow
        '\'{"status": "error", "kind": "IE"}\'',
        '\'{"status": "error", "kind": "MLE"}\'',
        '\'{"status": "error", "kind": "TLE"}\'',
        '\'{"status": "ready", "seq": 1}\'',
        "'\\udcff not json'",
    ],
)
def test_forged_messages_on_the_session_channel_choose_no_verdict(judge: SampleJudge, forged: str) -> None:
    code = f"""
    import socket
    def add(a, b):
        try:
            socket.socket(fileno=3).send(({forged}).encode("utf-8", "surrogatepass"))
        except OSError:
            pass
        return a - b
    """
    attack(judge, ADD, code, {Verdict.WA, Verdict.RE})


@pytest.mark.parametrize(
    "result",
    [
        '{"__tuple__": 5}',
        '{"__bytes__": "!!!not base64"}',
        '{"__float__": "fish"}',
        '{"__dict__": [[1]]}',
        '{"__complex__": "x"}',
        "[" * 100000,
        "1" * 5000,
    ],
)
def test_a_forged_typed_json_result_is_a_wrong_answer(judge: SampleJudge, result: str) -> None:
    """The solution process replaces the codec that writes its return value: whatever
    bytes reach the judge, reading them is WA, never a crash of the judge."""
    code = f"""
    import sys
    codec = sys.modules["_codefrontier_values"]
    codec.dumps = lambda value: {result!r}
    def add(a, b):
        return a + b
    """
    attack(judge, ADD, code, {Verdict.WA, Verdict.OLE})


def test_a_number_too_large_for_a_float_is_a_wrong_answer_under_a_float_checker(judge: SampleJudge) -> None:
    problem = function_problem("float-add", "add", [([0.5, 0.25], 0.75)], time_limit_s=LIMIT_S)
    problem.checker = Checker(CheckerKind.FLOAT)
    attack(judge, problem, "def add(a, b):\n    return 10 ** 400\n", {Verdict.WA})


CRASHING_CHECKER = """
import sys
expected = open(sys.argv[2]).read().split()
output = open(sys.argv[3]).read().split()
# A checker with a bug only an unusual output reaches: it trusts the output to be numbers.
sys.exit(0 if [int(x) for x in output] == [int(x) for x in expected] else 1)
"""


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_output_that_crashes_the_checker_is_a_wrong_answer(judge: SampleJudge, language: str) -> None:
    problem = stdio_problem(
        "checked-sum",
        [("2 3\n", "5\n"), ("10 20\n", "30\n")],
        time_limit_s=LIMIT_S,
        checker=Checker(CheckerKind.PROGRAM, code=CRASHING_CHECKER),
    )
    code = {
        "python": "print('five')\n",
        "cpp": '#include <cstdio>\nint main() { puts("five"); }\n',
    }[language]
    result = attack(judge, problem, code, {Verdict.WA}, language)
    assert "checker" in result.detail
    assert judge_one(judge, problem, GOOD_STDIO["python"]).verdict is Verdict.AC


def test_a_checker_that_fails_on_the_reference_answer_too_is_the_judge_s_fault(judge: SampleJudge) -> None:
    broken = stdio_problem(
        "broken-checker",
        [("2 3\n", "5\n")],
        checker=Checker(CheckerKind.PROGRAM, code="raise SystemExit(7)\n"),
    )
    result = judge.judge(broken, sample(broken, GOOD_STDIO["python"]))
    assert result.verdict is Verdict.IE and "checker" in result.detail


# -- 2. text that crashes or hangs the judge --------------------------------------------------------


def test_lone_surrogates_in_messages_and_code_are_judged_and_stored(
    judge: SampleJudge, tmp_path: Path
) -> None:
    raising = attack(judge, ADD, "def add(a, b):\n    raise ValueError('\\ud800\\udfff' * 3)\n", {Verdict.RE})
    # The code is judged as the bytes `python3 main.py` would read (a lone surrogate is
    # invalid UTF-8, which CPython tolerates in a comment and refuses in a string).
    in_comment = judge.judge(ADD, sample(ADD, "def add(a, b):\n    return a + b  # \ud800\n"))
    assert in_comment.verdict is Verdict.AC
    in_code = attack(judge, ADD, "def add(a, b):\n    return a + b + len('\ud800')\n", {Verdict.CE})
    printed = attack(
        judge,
        SUM,
        "import sys\nsys.stdout.buffer.write(b'\\xed\\xa0\\x80\\xff')\nsys.stderr.buffer.write(b'\\xff\\xfe')\nraise SystemExit(3)\n",
        {Verdict.RE},
    )
    store = ResultsStore(tmp_path / "store")
    for result in (raising, in_comment, in_code, printed):
        store.add(result)
    store.finalize()
    details = pq.read_table(tmp_path / "store" / "tests.parquet").column("detail").to_pylist()
    assert len(details) == 12 and all(isinstance(d, str) for d in details)


# -- 3. judge resources spent by the program ------------------------------------------------------


def test_a_huge_returned_value_is_refused_by_its_budget(judge: SampleJudge) -> None:
    attack(judge, ADD, "def add(a, b):\n    return 'x' * (40 << 20)\n", {Verdict.OLE})


def test_a_sixty_megabyte_token_is_a_wrong_answer(judge: SampleJudge) -> None:
    for checker in (Checker(CheckerKind.TOKENS), Checker(CheckerKind.FLOAT), Checker(CheckerKind.EXACT)):
        problem = stdio_problem("one-token", [("2 3\n", "5\n")], time_limit_s=LIMIT_S, checker=checker)
        attack(judge, problem, "import sys\nsys.stdout.write('9' * (60 << 20))\n", {Verdict.WA})


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_a_hundred_thousand_files_in_scratch_are_contained(judge: SampleJudge, language: str) -> None:
    code = {
        "python": """
        import os
        made = 0
        try:
            for i in range(100000):
                open("f%d" % i, "w").close()
                made += 1
        except OSError:
            pass
        print(made)
        """,
        "cpp": """
        #include <cstdio>
        int main() {
            int made = 0;
            for (int i = 0; i < 100000; i++) {
                char name[32]; snprintf(name, sizeof name, "f%d", i);
                FILE* f = fopen(name, "w"); if (!f) break; fclose(f); made++;
            }
            printf("%d\\n", made);
        }
        """,
    }[language]
    result = attack(judge, SUM, code, {Verdict.WA}, language)
    made = int(result.tests[0].detail.split("got '")[1].split("'")[0])
    assert made < 100000  # the scratch has an inode budget


@pytest.mark.slow
def test_an_executable_over_the_size_limit_is_a_compile_error_and_is_not_cached(
    judge: SampleJudge, compile_cache: Path
) -> None:
    code = "char big[80 << 20] = {1};\nint main() { return big[12345]; }\n"
    result = judge.judge(SUM, sample(SUM, code, "cpp"))
    assert result.verdict is Verdict.CE and "MiB" in result.detail
    assert all(p.stat().st_size < (64 << 20) for p in (compile_cache / "compiled").rglob("*") if p.is_file())


def test_the_compile_cache_is_trimmed_least_recently_used_first(tmp_path: Path) -> None:
    from codefrontier.languages.cpp import _trim_cache

    for i in range(6):
        path = tmp_path / "ab" / f"{i}.bin"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"x" * 1000)
        os.utime(path, (1000 + i, 1000 + i))
    _trim_cache(tmp_path, budget=3500)
    assert sorted(p.name for p in (tmp_path / "ab").iterdir()) == ["3.bin", "4.bin", "5.bin"]


# -- 4. CPU time that escapes --------------------------------------------------------------------

# The children below work until their own CPU clock reads 2.5 s (2.5x the limit), not for a
# number of iterations: a fixed count took 0.6-1.4 s on machines of different speeds, and
# under the limit the test no longer tests anything.
BACKGROUND_WORK = {
    "python": """
    import os, time
    r, w = os.pipe()
    if os.fork() == 0:
        while time.process_time() < 2.5:
            pass
        os.write(w, b"1")
        time.sleep(30)  # stays alive: it dies with the run, its CPU must not
    os.close(w)
    os.read(r, 10)
    a, b = map(int, input().split())
    print(a + b)
    """,
    "cpp": """
    #include <cstdio>
    #include <ctime>
    #include <unistd.h>
    int main() {
        int fds[2]; pipe(fds);
        if (fork() == 0) {
            while (clock() < 2.5 * CLOCKS_PER_SEC) {}
            write(fds[1], "x", 1);
            sleep(30);
        }
        char c; read(fds[0], &c, 1);
        long a, b; scanf("%ld %ld", &a, &b); printf("%ld\\n", a + b);
    }
    """,
}


@needs_cgroup
@pytest.mark.parametrize("language", ["python", "cpp"])
def test_cpu_of_a_child_that_outlives_its_parent_is_counted(judge: SampleJudge, language: str) -> None:
    result = attack(judge, SUM, BACKGROUND_WORK[language], {Verdict.TLE}, language)
    assert result.tests[0].cpu_s >= LIMIT_S


@needs_cgroup
def test_cpu_of_a_child_in_a_function_call_is_counted(judge: SampleJudge) -> None:
    code = """
    import os, time
    def add(a, b):
        r, w = os.pipe()
        if os.fork() == 0:
            while time.process_time() < 2.5:  # the child's own CPU clock: 2.5x the limit
                pass
            os.write(w, b"x")
            os._exit(0)
        os.read(r, 1)  # the parent waits, using no CPU
        os.wait()
        return a + b
    """
    result = attack(judge, ADD, code, {Verdict.TLE})
    assert result.tests[0].cpu_s >= LIMIT_S


# -- 5. memory that is under-reported or self-labelled ----------------------------------------------------


@needs_cgroup
@pytest.mark.parametrize("language", ["python", "cpp"])
def test_resetting_the_peak_through_clear_refs_hides_nothing(judge: SampleJudge, language: str) -> None:
    problem = sum_problem("sum-256", time_limit_s=LIMIT_S * 3, memory_mb=256)
    code = {
        "python": """
        block = bytearray(200 << 20)
        for i in range(0, len(block), 4096):
            block[i] = 1
        del block
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        a, b = map(int, input().split())
        print(a + b)
        """,
        "cpp": """
        #include <cstdio>
        #include <cstdlib>
        #include <cstring>
        int main() {
            volatile char* block = (volatile char*)malloc(200 << 20);
            for (long i = 0; i < (200L << 20); i += 4096) block[i] = 1;  // volatile: not optimized away
            free((void*)block);
            FILE* f = fopen("/proc/self/clear_refs", "w"); if (f) { fputs("5", f); fclose(f); }
            long a, b; scanf("%ld %ld", &a, &b); printf("%ld\\n", a + b);
        }
        """,
    }[language]
    result = judge.judge(problem, sample(problem, textwrap.dedent(code), language))
    assert result.verdict is Verdict.AC
    assert min(t.rss_mb for t in result.tests) >= 190


@pytest.mark.parametrize(
    ("language", "code"),
    [
        ("python", "raise MemoryError\n"),
        ("python", "import sys\nprint('MemoryError', file=sys.stderr)\nsys.exit(1)\n"),
        (
            "cpp",
            "#include <cstdio>\n#include <cstdlib>\nint main() { fputs(\"terminate called after throwing an instance of 'std::bad_alloc'\\n\", stderr); abort(); }\n",
        ),
        ("cpp", "#include <new>\nint main() { throw std::bad_alloc(); }\n"),
    ],
)
def test_saying_out_of_memory_is_not_a_memory_limit(judge: SampleJudge, language: str, code: str) -> None:
    """MLE is the optimization class the frontier depends on: only the sandbox's measurement
    (the cgroup's OOM kill, a peak at the limit) may say it, never the program's words."""
    attack(judge, SUM, code, {Verdict.RE}, language)


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_really_running_out_of_memory_is_a_memory_limit(judge: SampleJudge, language: str) -> None:
    code = {
        "python": "x = [0] * (50 << 20)\nprint(len(x))\n",
        "cpp": "#include <cstring>\nstatic char big[400 << 20];\nint main() { memset(big, 1, sizeof big); return big[7] - 1; }\n",
    }[language]
    attack(judge, SUM, code, {Verdict.MLE}, language)


# -- 6. state carried between tests and samples ---------------------------------------------------------


def remember_problem() -> Problem:
    """Each test's answer is the previous test's input (8 hex digits, so that even a
    timestamp can carry one): only state carried across runs solves it."""
    inputs = [f"{int(token('')[:8], 16):08x}" for _ in range(4)]
    answers = ["none", *inputs[:-1]]
    return stdio_problem(
        "remember", [(i + "\n", a + "\n") for i, a in zip(inputs, answers, strict=True)], time_limit_s=LIMIT_S
    )


CARRIERS = {
    "scratch root xattr": """
    import os
    mine = input().strip()
    try:
        old = os.getxattr(".", "user.cf").decode()
    except OSError:
        old = "none"
    try:
        os.setxattr(".", "user.cf", mine.encode())
    except OSError:
        pass
    print(old)
    """,
    "scratch root timestamps": """
    import os
    mine = input().strip()
    print("%08x" % (int(os.stat(".").st_mtime) & 0xFFFFFFFF))
    try:
        os.utime(".", (int(mine, 16), int(mine, 16)))
    except OSError:
        pass
    """,
    "stdin xattr": """
    import os
    mine = input().strip()
    try:
        old = os.getxattr("/proc/self/fd/0", "user.cf").decode()
    except OSError:
        old = "none"
    try:
        os.setxattr("/proc/self/fd/0", "user.cf", mine.encode())
    except OSError:
        pass
    print(old)
    """,
    "stdout xattr": """
    import os
    mine = input().strip()
    try:
        old = os.getxattr("/proc/self/fd/1", "user.cf").decode()
    except OSError:
        old = "none"
    try:
        os.setxattr("/proc/self/fd/1", "user.cf", mine.encode())
    except OSError:
        pass
    print(old)
    """,
    "shared memory file": """
    import os
    mine = input().strip()
    try:
        old = open("/dev/shm/cf").read()
    except OSError:
        old = "none"
    try:
        open("/dev/shm/cf", "w").write(mine)
    except OSError:
        pass
    print(old)
    """,
    "a file in scratch": """
    mine = input().strip()
    try:
        old = open("/tmp/cf").read()
    except OSError:
        old = "none"
    open("/tmp/cf", "w").write(mine)
    print(old)
    """,
}


@pytest.mark.parametrize("carrier", list(CARRIERS))
def test_nothing_a_run_writes_reaches_the_next_run(judge: SampleJudge, carrier: str) -> None:
    problem = remember_problem()
    result = judge.judge(problem, sample(problem, textwrap.dedent(CARRIERS[carrier])))
    assert verdicts(result)[1:] == [Verdict.WA] * 3, [t.detail for t in result.tests]


def test_nothing_a_function_call_writes_on_its_files_reaches_another_sample(judge: SampleJudge) -> None:
    code = """
    import os
    def add(a, b):
        found = "none"
        for fd in range(3, 12):
            try:
                found = os.getxattr("/proc/self/fd/%d" % fd, "user.cf").decode()
                break
            except OSError:
                pass
        for fd in range(3, 12):
            try:
                os.setxattr("/proc/self/fd/%d" % fd, "user.cf", str(a + b).encode())
            except OSError:
                pass
        return int(found) if found != "none" else -1
    """
    first = judge.judge(ADD, sample(ADD, textwrap.dedent(code)))
    second = judge.judge(ADD, sample(ADD, textwrap.dedent(code)))
    assert first.verdict is Verdict.WA and second.verdict is Verdict.WA


# -- 8. honest programs judged as under python3 main.py --------------------------------------------------

HONEST = {
    "exit after printing": ("print(7)\nexit()\n", "x\n"),
    "quit with a status": ("print(7)\nquit(0)\n", "x\n"),
    "carriage returns are data": ("import sys\nprint(repr(sys.stdin.read()))\n", "1 2\r\n3\r\n"),
    "input keeps a carriage return": ("print(repr(input()))\n", "a b\r\n"),
    "lines of stdin": ("import sys\nprint([l for l in sys.stdin])\n", "a\nb\r\nc"),
    "open(0)": ("print(open(0).read().split())\n", "4 5\n6\n"),
    "__file__ and argv": (
        "import sys, os\nprint(os.path.basename(__file__), os.path.isabs(__file__), sys.argv, __name__)\n",
        "",
    ),
    "inspect.getsource": ("import inspect\ndef f(x):\n    return x + 1\nprint(inspect.getsource(f))\n", ""),
    "multiprocessing": (
        "from multiprocessing import Pool\ndef sq(x):\n    return x * x\nif __name__ == '__main__':\n    with Pool(2) as p:\n        print(p.map(sq, range(6)))\n",
        "",
    ),
}


@pytest.mark.parametrize("case", list(HONEST))
def test_a_python_program_behaves_as_under_python3_main_py(
    judge: SampleJudge, case: str, tmp_path: Path
) -> None:
    """The expected output is what `python3 main.py` prints on this machine, run in a
    directory with the program as main.py."""
    code, stdin = HONEST[case]
    (tmp_path / "main.py").write_text(code)
    local = subprocess.run(
        [sys.executable, "main.py"],
        cwd=tmp_path,
        input=stdin.encode(),
        capture_output=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
    )
    assert local.returncode == 0, local.stderr
    problem = stdio_problem(
        f"honest-{case}", [(stdin, local.stdout.decode())], time_limit_s=5, checker=Checker(CheckerKind.EXACT)
    )
    result = judge.judge(problem, sample(problem, code))
    assert result.verdict is Verdict.AC, result.detail


def test_invalid_utf8_input_fails_as_under_python3_main_py(judge: SampleJudge) -> None:
    problem = stdio_problem("bytes-in", [("\udcff\n", "x\n")], time_limit_s=LIMIT_S)
    problem.tests[0].input = b"\xff\xfe\n"
    result = judge.judge(problem, sample(problem, "print(input())\n"))
    assert result.verdict is Verdict.RE and "UnicodeDecodeError" in result.detail


def test_a_function_s_verdict_does_not_depend_on_the_mode(compile_cache: Path) -> None:
    """The solution prints a lot in every call: its output is nobody's concern, in either mode."""
    code = "def add(a, b):\n    print('x' * (8 << 20))\n    return a + b\n"
    got = {}
    for mode in Mode:
        worker = SampleJudge(JudgeConfig(mode=mode, output_limit_mb=16))
        try:
            got[mode] = verdicts(worker.judge(ADD, sample(ADD, code)))
        finally:
            worker.close()
    assert got[Mode.ALL] == [Verdict.AC] * 3 and got[Mode.FIRST_FAIL] == [Verdict.AC] * 3


@pytest.mark.parametrize("checker", [CheckerKind.EXACT, CheckerKind.TOKENS, CheckerKind.FLOAT])
def test_an_expected_nan_matches_a_returned_nan(judge: SampleJudge, checker: CheckerKind) -> None:
    problem = function_problem("nan", "f", [([1], math.nan), ([2], [1.0, math.nan])], time_limit_s=LIMIT_S)
    problem.checker = Checker(checker)
    code = "def f(x):\n    return float('nan') if x == 1 else [1.0, float('nan')]\n"
    assert verdicts(judge.judge(problem, sample(problem, code))) == [Verdict.AC, Verdict.AC]
    wrong = "def f(x):\n    return 0.0 if x == 1 else [1.0, 2.0]\n"
    assert verdicts(judge.judge(problem, sample(problem, wrong))) == [Verdict.WA, Verdict.WA]


# -- 9. what a run can see ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["python", "cpp"])
def test_a_run_sees_no_host_path_and_no_other_process(judge: SampleJudge, language: str) -> None:
    host_words = sorted(
        {str(Path(sys.prefix)), str(Path(__file__).parents[2]), "/root", "/home", "/sys/fs/cgroup"}
    )
    escape = stdio_problem("see", [("go\n", "ESCAPED\n")], time_limit_s=LIMIT_S)
    code = {
        "python": f"""
        import os
        words = {host_words!r}
        seen = []
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                seen.append(pid)
                try:
                    text = open("/proc/%s/cmdline" % pid, "rb").read().decode(errors="replace")
                except OSError:
                    continue
                if any(w in text for w in words):
                    print("ESCAPED")
        print("ESCAPED" if seen != ["1"] else "contained")
        """,
        "cpp": """
        #include <cstdio>
        #include <dirent.h>
        #include <cctype>
        int main() {
            int others = 0;
            DIR* d = opendir("/proc");
            while (dirent* e = readdir(d)) if (isdigit(e->d_name[0]) && std::string(e->d_name) != "1") others++;
            puts(others ? "ESCAPED" : "contained");
        }
        """.replace("#include <cctype>", "#include <cctype>\n#include <string>"),
    }[language]
    attack(judge, escape, code, {Verdict.WA}, language)


def test_doctor_reports_the_accounting_method() -> None:
    from codefrontier.judge.doctor import accounting

    method, why = accounting()
    assert method == ("cgroup" if MEASURED_BY_CGROUP else "process") and why
