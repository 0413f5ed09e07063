"""The harness that runs INSIDE the sandbox, one fresh run per step (never imported by the host).

Started by `codefrontier.programs.runner` as `python -I -B harness.py` in the run's scratch
directory (the workspace), with `job.json` and its input files copied in and three
memory files from the host on descriptors 5, 6 and 7 (written through /proc/self/fd/N).
Standard library only; pytest comes in as `pytest.zip` on sys.path.

Modes (job["mode"]):
  compile  extract submission.tar, seed a git repository (as ProgramBench does), run
           compile.sh under a time limit, then hand back the whole workspace as a tar
           (fd 6) and the steps (fd 5).
  branch   extract workspace.tar and the branch's tests.tar, restore ./executable and
           check its SHA-256, run the branch's pytest command in this process with the
           JUnit report going to fd 6; with job["gcov"], the .gcda files the run wrote
           are handed back as a tar on fd 7.
  observe  run ./executable on the fuzzer's cases (job["cases"]) `repeat` times each
           with the same helper the generated tests use, and hand back what it did.

Trust: everything else in this run (compile.sh, the executable under test) is hostile.
The harness is PID 1 of the run's PID namespace, marks itself non-dumpable and keeps its
output descriptors close-on-exec, so no other process can reach them; before it writes
anything it kills every other process of the run, so nothing can change a report after
the fact. The host checks what it can itself (the executable's hash, from the tar).
"""

import base64
import ctypes
import hashlib
import io
import json
import os
import shlex
import signal
import subprocess
import sys
import tarfile
import time

REPORT_FD, DATA_FD, EXTRA_FD = 5, 6, 7
OUTPUT_TAIL = 20000
STEPS = []


def main():
    for fd in (REPORT_FD, DATA_FD, EXTRA_FD):
        try:
            os.set_inheritable(fd, False)
        except OSError:
            pass
    try:
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: /proc/1/fd is closed to others
    except OSError:
        pass
    with open("job.json", encoding="utf-8") as fh:
        job = json.load(fh)
    os.unlink("job.json")
    report = {"mode": job["mode"], "steps": STEPS}
    try:
        if job["mode"] == "compile":
            report.update(compile_step(job))
        elif job["mode"] == "branch":
            report.update(branch_step(job))
        elif job["mode"] == "observe":
            report.update(observe_step(job))
        else:
            report["error"] = "unknown mode"
    except Exception as exc:  # the harness's own failure: reported, never a pass
        kill_others()
        report["harness_error"] = f"{type(exc).__name__}: {exc}"
    write_fd(REPORT_FD, json.dumps(report).encode())


# -- plumbing ---------------------------------------------------------------------------


def write_fd(fd, data):
    with open(f"/proc/self/fd/{fd}", "wb") as fh:
        fh.write(data)


def kill_others():
    """Kill every other process of this run and reap them (none can touch a report after)."""
    if os.getpid() == 1:
        try:
            os.kill(-1, signal.SIGKILL)  # as PID 1 of the namespace: everyone but us
        except ProcessLookupError:
            pass
    else:  # no PID namespace (isolation level rlimits): our session only
        sid = os.getsid(0)
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) != os.getpid():
                try:
                    if os.getsid(int(entry)) == sid:
                        os.kill(int(entry), signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
    flags = 0 if os.getpid() == 1 else os.WNOHANG  # as PID 1 every other process is dying now
    while True:
        try:
            pid, _ = os.waitpid(-1, flags)
        except ChildProcessError:
            return
        except InterruptedError:
            continue
        if pid == 0:
            return


def step(name, command, returncode, output="", wall_time=0.0, **extra):
    entry = {
        "step": name,
        "command": command,
        "wall_time": wall_time,
        "output": output[-OUTPUT_TAIL:],
        "returncode": returncode,
        "exception_info": "",
    }
    entry.update(extra)
    STEPS.append(entry)
    return entry


def shell(name, command, timeout):
    """Run a shell command in its own session; on timeout kill it (and everything it started)."""
    start = time.monotonic()
    proc = subprocess.Popen(
        ["/bin/bash", "-c", command],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    timed_out = False
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_others()
        out = b""
        try:
            out = proc.stdout.read() if proc.stdout else b""
        except (OSError, ValueError):
            pass
    rc = proc.returncode if proc.returncode is not None and not timed_out else -1
    text = out.decode(errors="replace")
    if timed_out:
        text += f"\n[codefrontier: killed after {timeout:g} s]"
    return step(name, command, rc, text, time.monotonic() - start, timed_out=timed_out)


def extract(name, dest="."):
    with tarfile.open(name) as tf:
        tf.extractall(dest, filter="tar")
    os.unlink(name)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# -- compile ----------------------------------------------------------------------------


def compile_step(job):
    extract("submission.tar")
    if job.get("seed_git", True) and not os.path.isdir(".git") and os.path.exists("/usr/bin/git"):
        shell(
            "seed_git",
            "export GIT_CONFIG_NOSYSTEM=1; GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' GIT_COMMITTER_DATE='2000-01-01T00:00:00Z' "
            "git -c init.defaultBranch=gold init -q && git -c user.email=gold@local -c user.name=gold "
            "-c commit.gpgsign=false add -A && GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' "
            "GIT_COMMITTER_DATE='2000-01-01T00:00:00Z' git -c user.email=gold@local -c user.name=gold "
            "-c commit.gpgsign=false commit -q --allow-empty -m gold",
            timeout=60,
        )
    compiled = shell("compile", "chmod +x ./compile.sh && ./compile.sh", timeout=float(job["timeout_s"]))
    kill_others()  # compile.sh may have left processes: none may outlive it
    if compiled["returncode"] != 0:
        return {"error_code": "compile_failed", "error_details": compiled["output"].strip()[-4000:]}
    if not os.path.isfile("executable"):
        step("copy_executable", "test -f ./executable", 1, "no ./executable after compile.sh")
        return {
            "error_code": "copy_executable_failed",
            "error_details": "compile.sh did not produce ./executable",
        }
    digest = sha256("executable")
    step("hash_executable", "sha256sum ./executable", 0, f"{digest}  ./executable\n")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name in sorted(os.listdir(".")):
            if name not in ("harness.py",):
                tf.add(name, recursive=True)
    write_fd(DATA_FD, buffer.getvalue())
    return {"executable_hash": digest}


# -- branch -----------------------------------------------------------------------------

_DROP_WITH_VALUE = {
    "-n",
    "--numprocesses",
    "--dist",
    "--max-worker-restart",
    "--reruns",
    "--reruns-delay",
    "-p",
}
_DROP_PREFIXES = (
    "--numprocesses=",
    "--dist=",
    "--max-worker-restart=",
    "--reruns=",
    "--reruns-delay=",
    "--junitxml=",
    "--junit-xml=",
    "--junitprefix=",
    "--junit-prefix=",
)


def pytest_args_from_run_sh(text):
    """The arguments of the branch's `python3 -m pytest ...` line, with what needs plugins
    this sandbox does not have (xdist, rerunfailures) and the report path taken out."""
    for line in text.splitlines():
        if "pytest" not in line or line.lstrip().startswith(("#", "pip")):
            continue
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            continue
        if "pytest" not in words and "py.test" not in words:
            continue
        start = words.index("pytest" if "pytest" in words else "py.test") + 1
        args = []
        for word in words[start:]:
            if word in ("||", "&&", ";", "|"):
                break
            args.append(word)
        return clean_args(args)
    return None


def clean_args(args):
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in _DROP_WITH_VALUE or arg in ("--junitxml", "--junit-xml"):
            skip = True
            continue
        if arg.startswith(_DROP_PREFIXES) or (arg.startswith("-n") and arg[2:].isdigit()) or arg == "-nauto":
            continue
        if arg.startswith("-p") and len(arg) > 2:
            continue
        out.append(arg.replace("--timeout-method=thread", "--timeout-method=signal"))
    return out


def branch_step(job):
    extract("workspace.tar")
    extract("tests.tar")
    start = time.monotonic()
    # restore: the executable the compile step produced, from the host's copy, and check it
    if os.path.lexists("executable"):
        os.unlink("executable")
    os.rename(".cf-executable", "executable")
    os.chmod("executable", 0o755)
    step("restore_executable", "restore ./executable", 0, "", time.monotonic() - start)
    digest = sha256("executable")
    step("verify_executable_hash", "sha256sum ./executable", 0, f"{digest}  ./executable\n")
    if digest != job["executable_sha256"]:
        return {
            "error_code": "executable_hash_mismatch",
            "error_details": f"expected {job['executable_sha256']}, got {digest}",
        }
    for stale in ("eval/results.xml", "results.xml"):
        if os.path.lexists(stale):
            os.unlink(stale)
    step("clean_stale_results", "rm -f eval/results.xml results.xml", 0)
    args = job.get("pytest_args")
    if args is None and os.path.isfile("eval/run.sh"):
        with open("eval/run.sh", encoding="utf-8", errors="replace") as fh:
            args = pytest_args_from_run_sh(fh.read())
    if args is None:
        args = ["eval/tests/", "-v"] if os.path.isdir("eval/tests") else ["-v"]
    for key, value in (job.get("env") or {}).items():
        os.environ[key] = value
    gcov_dir = os.path.abspath(".gcov")
    if job.get("gcov"):  # an instrumented build writes its counts here (all directories stripped)
        os.environ["GCOV_PREFIX"], os.environ["GCOV_PREFIX_STRIP"] = gcov_dir, "99"
    sys.path.insert(0, os.path.abspath("pytest.zip"))
    sys.dont_write_bytecode = True
    import pytest

    class KillStrays:
        @pytest.hookimpl(tryfirst=True)
        def pytest_sessionfinish(self, session, exitstatus):
            kill_others()  # before the JUnit plugin writes its report

    argv = [*args, f"--junitxml=/proc/self/fd/{DATA_FD}", "-p", "no:cacheprovider"]
    start = time.monotonic()
    try:
        rc = int(pytest.main(argv, plugins=[KillStrays()]))
    except SystemExit as exc:  # a test or conftest that exits the interpreter
        rc = exc.code if isinstance(exc.code, int) else 1
    kill_others()
    step("run_tests", "python3 -m pytest " + shlex.join(argv), rc, "", time.monotonic() - start)
    result = {"pytest_exit_code": rc}
    if job.get("gcov"):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tf:
            for base, _dirs, names in os.walk(gcov_dir):
                for name in names:
                    if name.endswith(".gcda"):
                        path = os.path.join(base, name)
                        tf.add(path, arcname=os.path.relpath(path, gcov_dir))
        write_fd(EXTRA_FD, buffer.getvalue())
    return result


# -- observe ----------------------------------------------------------------------------


def observe_step(job):
    extract("workspace.tar")
    if os.path.exists(".cf-executable"):
        if os.path.lexists("executable"):
            os.unlink("executable")
        os.rename(".cf-executable", "executable")
    os.chmod("executable", 0o755)
    if job.get("flat"):
        return {"observations": [flat_run(case) for case in job["cases"]]}
    namespace = {"__name__": "case_helper"}
    with open("case_helper.py", encoding="utf-8") as fh:
        exec(compile(fh.read(), "case_helper.py", "exec"), namespace)
    run_case = namespace["run_case"]
    observations = []
    deadline = time.monotonic() + float(job.get("budget_s", 600))
    for case in job["cases"]:
        runs = []
        for _ in range(int(job.get("repeat", 2))):
            if time.monotonic() > deadline:
                break
            files = {k: base64.b64decode(v) for k, v in (case.get("files") or {}).items()}
            start = time.monotonic()
            r = run_case(
                case["id"],
                case["argv"],
                base64.b64decode(case.get("stdin", "")),
                files,
                case.get("env"),
                float(case.get("timeout", 10)),
            )
            runs.append(
                {
                    "code": r.code,
                    "stdout": base64.b64encode(r.stdout).decode(),
                    "stderr": base64.b64encode(r.stderr).decode(),
                    "files": {k: base64.b64encode(v).decode() for k, v in r.files.items()},
                    "pid": r.pid,
                    "wall_s": time.monotonic() - start,
                }
            )
            kill_others()
        observations.append({"id": case["id"], "runs": runs})
    return {"observations": observations}


def flat_run(case):
    """One probe as the rebuild loop's tool runs the reference: its files in the working
    directory, ./executable called with its arguments and standard input."""
    written = []
    for name, data in (case.get("files") or {}).items():
        if "/" in name or name in ("executable", "harness.py"):
            continue
        with open(name, "wb") as fh:
            fh.write(base64.b64decode(data))
        written.append(name)
    proc = subprocess.Popen(
        ["./executable", *case["argv"]],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(
            base64.b64decode(case.get("stdin", "")), timeout=float(case.get("timeout", 10))
        )
        code = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        code = "timeout"
    kill_others()
    for name in written:
        if os.path.lexists(name):
            os.unlink(name)
    return {
        "id": case["id"],
        "runs": [
            {
                "code": code,
                "stdout": base64.b64encode(out[: 1 << 20]).decode(),
                "stderr": base64.b64encode(err[: 1 << 20]).decode(),
                "files": {},
                "pid": proc.pid,
            }
        ],
    }


if __name__ == "__main__":
    main()
