"""One CruxEval check, run in the sandbox as CruxEval's harness runs it (standard library only).

The job on stdin: ``{"program": "{code}\\nassert {output} == {g}", "nonce": ..., "timeout": 3}``.
What happens is what `evaluation/utils_execute.py:unsafe_execute` of
facebookresearch/cruxeval does in its fresh process: a temporary working directory, the
same `reliability_guard` (destructive functions set to None), output swallowed, stdin
unreadable, the program exec'd in an empty globals dict under a real-time alarm of
`timeout` seconds; the result is ``passed``, ``timed out`` or ``failed: {exception}``.
It goes to the stdout this process started with, tagged with the nonce, one JSON line.
With ``{"batch": [{"program", "nonce"}, ...], "timeout"}`` each check runs in its own
fresh fork (batch.py, which the host sends in front of this file).
"""

import builtins
import contextlib
import faulthandler
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

# Imported here, once per batch, not in each check's fork (reliability_guard needs them).


class TimeoutException(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds):
    def signal_handler(signum, frame):
        raise TimeoutException("Timed out!")

    signal.setitimer(signal.ITIMER_REAL, seconds)
    signal.signal(signal.SIGALRM, signal_handler)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


class WriteOnlyStringIO(io.StringIO):
    def read(self, *args, **kwargs):
        raise OSError

    def readline(self, *args, **kwargs):
        raise OSError

    def readlines(self, *args, **kwargs):
        raise OSError

    def readable(self, *args, **kwargs):
        return False


class redirect_stdin(contextlib._RedirectStream):  # type: ignore
    _stream = "stdin"


@contextlib.contextmanager
def swallow_io():
    stream = WriteOnlyStringIO()
    with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream), redirect_stdin(stream):
        yield


def reliability_guard():
    """The same functions disabled as in CruxEval's harness (maximum_memory_bytes=None)."""
    faulthandler.disable()
    builtins.exit = None
    builtins.quit = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for name in (
        "kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork",
        "forkpty", "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod",
        "fchown", "chmod", "chown", "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir",
    ):  # fmt: skip
        setattr(os, name, None)
    shutil.rmtree = None
    shutil.move = None
    shutil.chown = None
    subprocess.Popen = None
    builtins.help = None
    for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[name] = None


def run_check(job):
    """One check; its JSON line goes to fd 1. Never returns."""
    out = os.dup(1)
    write = os.write
    dumps = json.dumps
    nonce = job.pop("nonce")
    program, timeout = job["program"], float(job["timeout"])
    del job
    dirname = tempfile.mkdtemp()
    os.chdir(dirname)
    reliability_guard()
    try:
        exec_globals = {}
        with swallow_io(), time_limit(timeout):
            exec(program, exec_globals)
        result = "passed"
    except TimeoutException:
        result = "timed out"
    except BaseException as e:
        try:
            result = f"failed: {e}"[:2000]
        except BaseException:
            result = "failed: (an exception whose str() fails)"
    write(out, (dumps({"nonce": nonce, "result": result}) + "\n").encode())
    os._exit(0)


def main():
    job = json.loads(sys.stdin.read())
    if "batch" in job:
        timeout = float(job["timeout"])
        for one in job["batch"]:
            one["timeout"] = timeout
        # the original's p.join(timeout=timeout + 1) is the wall-clock backstop
        run_batch(job["batch"], run_check, timeout + 1, timeout + 1)  # noqa: F821 - batch.py
    else:
        run_check(job)


if __name__ == "__main__":
    main()
