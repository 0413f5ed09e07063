# --- codefrontier programs: case helper (copied verbatim into every generated test file) ---
# Runs ./executable from the workspace root, as ProgramBench's tests do: argv[0] is
# "./executable", input files live in cases/<case id>/ (named by the test, so paths in
# the output are the same on every run), and the environment is fixed. `normalize` is
# what a test applies to outputs the fuzzer saw vary between runs of the reference.
import os as _os
import re as _re
import shutil as _shutil
import subprocess as _subprocess
from dataclasses import dataclass as _dataclass

_PASS_ENV = ("GCOV_PREFIX", "GCOV_PREFIX_STRIP")  # coverage runs of an instrumented reference
_TIME_RULES = [
    (
        _re.compile(rb"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"),
        b"<DATETIME>",
    ),
    (
        _re.compile(
            rb"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2}(?: [A-Z]{3,4})? \d{4}\b"
        ),
        b"<DATETIME>",
    ),
    (_re.compile(rb"\b\d{4}-\d{2}-\d{2}\b"), b"<DATE>"),
    (_re.compile(rb"\b\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\b"), b"<TIME>"),
    (_re.compile(rb"\b1[5-9]\d{8}(?:\.\d+)?\b"), b"<EPOCH>"),
]


@_dataclass
class CaseResult:
    code: object  # the exit status, -N for signal N, or "timeout"
    stdout: bytes
    stderr: bytes
    files: dict  # files the run created or changed in its case directory: name -> bytes
    pid: int


def _snapshot(root):
    found = {}
    for base, _dirs, names in _os.walk(root):
        for name in names:
            path = _os.path.join(base, name)
            if _os.path.islink(path) or not _os.path.isfile(path):
                continue
            try:
                with open(path, "rb") as fh:
                    found[_os.path.relpath(path, root)] = fh.read(1 << 20)
            except OSError:
                continue
    return found


def run_case(case_id, argv, stdin=b"", files=None, env=None, timeout=10.0):
    case_dir = _os.path.join("cases", case_id)
    _shutil.rmtree(case_dir, ignore_errors=True)
    _os.makedirs(case_dir)
    for name, data in (files or {}).items():
        path = _os.path.join(case_dir, name)
        _os.makedirs(_os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
    before = _snapshot(case_dir)
    run_env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": case_dir, "TZ": "UTC"}
    run_env.update({k: _os.environ[k] for k in _PASS_ENV if k in _os.environ})
    run_env.update(env or {})
    proc = _subprocess.Popen(
        ["./executable", *argv],
        stdin=_subprocess.PIPE,
        stdout=_subprocess.PIPE,
        stderr=_subprocess.PIPE,
        env=run_env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
        code = proc.returncode
    except _subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        code = "timeout"
    after = _snapshot(case_dir)
    written = {name: data for name, data in after.items() if before.get(name) != data}
    _shutil.rmtree(case_dir, ignore_errors=True)
    return CaseResult(code, out, err, written, proc.pid)


def normalize(data, result, rules):
    """Replace what varies between runs: "pid" (the run's process id), "time" (dates,
    clock times, epoch seconds)."""
    if "pid" in rules:
        data = _re.sub(rb"\b%d\b" % result.pid, b"<PID>", data)
    if "time" in rules:
        for pattern, replacement in _TIME_RULES:
            data = pattern.sub(replacement, data)
    return data


# --- end of case helper ---
