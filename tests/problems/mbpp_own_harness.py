"""MBPP's own harness logic, as a program run in the sandbox (stdlib only).

Reads MBPP records (JSON Lines) on stdin. For each, in a fresh child process stopped
after LIMIT_S seconds of CPU (the 3 s of the usual MBPP harnesses), execs the record's
`code`, then its `test_setup_code`, then each assert of `test_list`, all in one
namespace, as MBPP's harness does. Prints one JSON line per record:
``{"task_id", "passed", "error", "cpu_s"}``.
"""

import json
import os
import resource
import sys

LIMIT_S = 3


def run_record(record: dict) -> None:
    """In the child: the record's code, setup and asserts in one namespace."""
    resource.setrlimit(resource.RLIMIT_CPU, (LIMIT_S, LIMIT_S + 1))
    namespace = {"__name__": "__main__"}
    exec(compile(record["code"], "code.py", "exec"), namespace)
    exec(compile(record["test_setup_code"], "setup.py", "exec"), namespace)
    for test in record["test_list"]:
        exec(compile(test, "test.py", "exec"), namespace)


def judge(record: dict) -> dict:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the child ends below
            run_record(record)
            message = ""
        except BaseException as exc:
            message = f"{type(exc).__name__}: {exc}"[:300] or type(exc).__name__
        os.write(write_end, message.encode("utf-8", "replace") or b"ok")
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        said = pipe.read()
    _, status, usage = os.wait4(pid, 0)
    cpu_s = usage.ru_utime + usage.ru_stime
    if said == b"ok" and status == 0:
        error = ""
    elif said:
        error = said.decode("utf-8", "replace")
    else:
        error = f"the process ended (wait status {status}) after {cpu_s:.2f} s of CPU"
    return {"task_id": record["task_id"], "passed": not error, "error": error, "cpu_s": round(cpu_s, 3)}


def main() -> None:
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(judge(json.loads(line))), flush=True)


main()
