"""Real stdin: every usual way of reading it sees the whole test input, whatever its shape,
and keeps doing so when many samples read the same input one after another on one worker."""

from __future__ import annotations

import hashlib
import os
import random

import pytest
from judge_kit import judge_one, stdio_problem, verdicts

from codefrontier.contracts import Problem, Verdict
from codefrontier.judge.runner import SampleJudge
from codefrontier.sandbox.worker import Limits, memfd_from_bytes


def big_input() -> str:
    rng = random.Random(0)
    lines = [f"{rng.randrange(10**6)} {rng.randrange(10**6)}" for _ in range(380_000)]
    text = "\n".join(lines) + "\n"
    assert len(text) > 5_000_000
    return text


INPUTS = {
    "trailing newline": "1 2\n3 4\n",
    "no trailing newline": "1 2\n3 40",
    "CRLF": "1 2\r\n3 4\r\n-5 6\r\n",
    "empty": "",
    "5 MB": big_input(),
}


def count_and_sum(text: str) -> str:
    tokens = text.split()
    return f"{len(tokens)} {sum(map(int, tokens))}\n"


def exact_bytes(text: str) -> str:
    data = text.encode()
    return f"{len(data)} {hashlib.sha256(data).hexdigest()}\n"


TOKEN_PROBLEM = stdio_problem(
    "stdin-tokens", [(text, count_and_sum(text)) for text in INPUTS.values()], time_limit_s=5.0, memory_mb=512
)
BYTES_PROBLEM = stdio_problem(
    "stdin-bytes", [(text, exact_bytes(text)) for text in INPUTS.values()], time_limit_s=5.0, memory_mb=512
)

PRINT_TOTAL = "\nprint(count, total)\n"
TOKEN_READERS = {
    "input()": """
count = total = 0
while True:
    try:
        line = input()
    except EOFError:
        break
    for tok in line.split():
        count += 1
        total += int(tok)
""",
    "sys.stdin.read()": """
import sys
tokens = sys.stdin.read().split()
count, total = len(tokens), sum(map(int, tokens))
""",
    "for line in sys.stdin": """
import sys
count = total = 0
for line in sys.stdin:
    for tok in line.split():
        count += 1
        total += int(tok)
""",
    "sys.stdin.buffer.readline()": """
import sys
count = total = 0
while True:
    line = sys.stdin.buffer.readline()
    if not line:
        break
    for tok in line.split():
        count += 1
        total += int(tok)
""",
    "open(0).read()": """
tokens = open(0).read().split()
count, total = len(tokens), sum(map(int, tokens))
""",
    "sys.stdin.buffer.read()": """
import sys
tokens = sys.stdin.buffer.read().split()
count, total = len(tokens), sum(map(int, tokens))
""",
}
CPP_TOKEN_READER = """
#include <iostream>
int main() {
    std::ios::sync_with_stdio(false);
    long long x, count = 0, total = 0;
    while (std::cin >> x) { count++; total += x; }
    std::cout << count << " " << total << "\\n";
}"""

BYTES_READERS = {
    "sys.stdin.buffer.read()": "import sys\ndata = sys.stdin.buffer.read()\n",
    "open(0, 'rb').read()": "data = open(0, 'rb').read()\n",
    "os.read(0, ...) until end": """
import os
chunks = []
while True:
    chunk = os.read(0, 1 << 16)
    if not chunk:
        break
    chunks.append(chunk)
data = b"".join(chunks)
""",
}
PRINT_DIGEST = "import hashlib\nprint(len(data), hashlib.sha256(data).hexdigest())\n"


def all_accepted(judge: SampleJudge, problem: Problem, code: str, language: str = "python") -> list[Verdict]:
    result = judge_one(judge, problem, code, language)
    assert not any(t.detail for t in result.tests), [t.detail for t in result.tests]
    return verdicts(result)


@pytest.mark.parametrize("reader", list(TOKEN_READERS))
def test_every_way_of_reading_stdin_sees_the_whole_input(judge: SampleJudge, reader: str) -> None:
    code = TOKEN_READERS[reader] + PRINT_TOTAL
    assert all_accepted(judge, TOKEN_PROBLEM, code) == [Verdict.AC] * len(INPUTS)


def test_cpp_reads_the_whole_input(judge: SampleJudge) -> None:
    assert all_accepted(judge, TOKEN_PROBLEM, CPP_TOKEN_READER, "cpp") == [Verdict.AC] * len(INPUTS)


@pytest.mark.parametrize("reader", list(BYTES_READERS))
def test_binary_reads_get_the_input_byte_for_byte(judge: SampleJudge, reader: str) -> None:
    code = BYTES_READERS[reader] + PRINT_DIGEST
    assert all_accepted(judge, BYTES_PROBLEM, code) == [Verdict.AC] * len(INPUTS)


def test_same_input_is_read_afresh_by_every_sample_in_a_row(judge: SampleJudge) -> None:
    """The worker keeps each test input in one sealed memory file; every run must read it
    from the start, whatever the previous run did with its own descriptor."""
    partial_reader = "import sys\nsys.stdin.readline()\nprint(0, 0)\n"  # stops after one line
    for reader in TOKEN_READERS.values():
        judge_one(judge, TOKEN_PROBLEM, partial_reader)
        assert all_accepted(judge, TOKEN_PROBLEM, reader + PRINT_TOTAL) == [Verdict.AC] * len(INPUTS)


def test_every_run_gets_its_own_random_state(judge: SampleJudge) -> None:
    """Runs are forked from one warm interpreter; a fresh interpreter seeds `random` from
    the OS, and so must every forked run, or all samples would draw the same numbers."""
    program = memfd_from_bytes(b"import random\nprint(random.getrandbits(64), random.random())\n")
    try:
        draws = []
        for _ in range(4):
            os.lseek(program, 0, os.SEEK_SET)
            result = judge.sandbox.run_python(program, None, Limits(cpu_s=1.0, wall_s=5.0, memory_mb=128))
            assert result.exit_code == 0, result
            draws.append(result.stdout)
    finally:
        os.close(program)
    assert len(set(draws)) == len(draws), draws
