"""The host's side of running workspaces in the sandbox: compile a submission, run one
test branch with pytest, or run the fuzzer's cases on an executable.

Each step is one fresh `Sandbox.run_exec` of the base Python interpreter on
`workspace_harness.py` (see its header for what runs inside and the trust rules). What
goes in: the harness, `job.json`, the step's inputs as files in the scratch directory
(the workspace) and, for branches, pytest with its pure-Python dependencies as one zip
on sys.path (the sandbox hides site-packages). What comes back: three memory files the
harness writes (the report, the JUnit XML or workspace tar, the coverage data).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import zipfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from codefrontier.errors import CodefrontierError, InternalJudgeError
from codefrontier.programs.files import sha256_bytes, write_bytes_atomic
from codefrontier.sandbox import Limits, RunResult, Sandbox, memfd_from_bytes, read_memfd

HARNESS_SOURCE = Path(__file__).with_name("workspace_harness.py")
CASE_HELPER_SOURCE = Path(__file__).with_name("case_helper.py")
# pytest and what it imports; pytest-timeout where installed (ProgramBench's run.sh use it).
PYTEST_DISTRIBUTIONS = ("pytest", "pluggy", "iniconfig", "packaging", "pygments", "pytest-timeout")
REPORT_FD, DATA_FD, EXTRA_FD = 5, 6, 7


@dataclass
class StepLimits:
    """Limits of one sandboxed step (a compile, or one branch's pytest run)."""

    wall_s: float = 900.0
    memory_mb: float | None = 2048
    nproc: int = 64
    nofile: int = 256
    output_mb: int = 64

    def limits(self) -> Limits:
        return Limits(
            cpu_s=self.wall_s,  # the harness's own CPU; the wall clock is what stops a step
            wall_s=self.wall_s,
            memory_mb=self.memory_mb,
            output_bytes=self.output_mb << 20,
            nproc=self.nproc,
            nofile=self.nofile,
        )


@dataclass
class StepRun:
    """What one sandboxed step did: the harness's report and the files it handed back."""

    run: RunResult
    report: dict[str, Any]
    data: bytes = b""
    extra: bytes = b""

    @property
    def stdout_tail(self) -> str:
        return self.run.stdout[-20000:].decode(errors="replace")

    def failure(self) -> str | None:
        """Why the step produced no usable report (None when it did)."""
        if self.run.killed != "none":
            return f"the step was stopped after {self.run.wall_s:.0f} s ({self.run.killed} limit)"
        if "harness_error" in self.report:
            return f"the harness failed: {self.report['harness_error']}"
        if not self.report:
            detail = self.run.stderr[-2000:].decode(errors="replace").strip()
            return f"the step ended ({self.run.status} {self.run.exit_code or self.run.signal}) without a report: {detail}"
        return None


_BUNDLE_LOCK = threading.Lock()
_BUNDLE: bytes | None = None


def pytest_bundle() -> bytes:
    """A zip of pytest and its pure-Python dependencies, with bytecode compiled for the
    sandbox's interpreter (unchecked hash-based .pyc: nothing is compiled per run).
    Built once from the installed distributions and cached by their versions."""
    global _BUNDLE
    with _BUNDLE_LOCK:
        if _BUNDLE is not None:
            return _BUNDLE
        from codefrontier.native import cache_dir

        dists = []
        for name in PYTEST_DISTRIBUTIONS:
            try:
                dists.append(metadata.distribution(name))
            except metadata.PackageNotFoundError:
                if name != "pytest-timeout":
                    raise CodefrontierError(
                        f"{name} is not installed: the programs harness ships it into the sandbox; pip install pytest"
                    ) from None
        key = sha256_bytes(
            repr([(d.metadata["Name"], d.version) for d in dists]).encode() + sys.version.encode()
        )[:16]
        path = cache_dir() / f"programs-pytest-{key}.zip"
        if not path.exists():
            write_bytes_atomic(path, _build_bundle(dists))
        _BUNDLE = path.read_bytes()
        return _BUNDLE


def _build_bundle(dists: list[metadata.Distribution]) -> bytes:
    import importlib._bootstrap_external as bootstrap
    import importlib.util
    import io

    buffer = io.BytesIO()
    stamp = (2020, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for dist in dists:
            for file in dist.files or []:
                parts = file.parts
                if ".." in parts or "__pycache__" in parts or file.suffix in (".pyc", ".so"):
                    continue
                source = Path(str(dist.locate_file(file)))
                if not source.is_file():
                    continue
                arcname = file.as_posix()
                data = source.read_bytes()
                zf.writestr(zipfile.ZipInfo(arcname, stamp), data)
                if arcname.endswith(".py"):
                    try:
                        code = compile(data, arcname, "exec", dont_inherit=True)
                    except SyntaxError:
                        continue
                    pyc = bootstrap._code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
                    zf.writestr(zipfile.ZipInfo(arcname + "c", stamp), bytes(pyc))
    return buffer.getvalue()


@dataclass
class ProgramRunner:
    """One sandbox worker for the programs harness (used by one thread at a time)."""

    isolation: str = "auto"
    tmpfs_mb: int = 1024
    sandbox: Sandbox | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.sandbox = Sandbox(self.isolation, tmpfs_mb=self.tmpfs_mb)

    @property
    def level(self) -> str:
        assert self.sandbox is not None
        return self.sandbox.level

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None

    def __enter__(self) -> ProgramRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- steps ------------------------------------------------------------------------
    def compile(self, submission_tar: bytes, limits: StepLimits, *, seed_git: bool = True) -> StepRun:
        """Extract the submission and run its compile.sh; `data` is the workspace after it."""
        job = {"mode": "compile", "timeout_s": max(1.0, limits.wall_s - 30), "seed_git": seed_git}
        return self._step(job, {"submission.tar": submission_tar}, limits)

    def run_branch(
        self,
        workspace_tar: bytes,
        executable: bytes,
        tests_tar: bytes,
        limits: StepLimits,
        *,
        pytest_args: list[str] | None = None,
        env: dict[str, str] | None = None,
        gcov: bool = False,
    ) -> StepRun:
        """Run one branch's tests against the executable; `data` is the JUnit XML."""
        job = {
            "mode": "branch",
            "executable_sha256": sha256_bytes(executable),
            "pytest_args": pytest_args,
            "env": env or {},
            "gcov": gcov,
        }
        files = {
            "workspace.tar": workspace_tar,
            "tests.tar": tests_tar,
            ".cf-executable": executable,
            "pytest.zip": pytest_bundle(),
        }
        return self._step(job, files, limits)

    def observe(
        self,
        executable: bytes | None,
        cases: list[dict[str, Any]],
        repeat: int,
        limits: StepLimits,
        *,
        workspace_tar: bytes | None = None,
        flat: bool = False,
    ) -> StepRun:
        """Run each case `repeat` times with the tests' own helper (or, `flat`, once in the
        workspace root as the rebuild loop's tool does); report["observations"]. The
        workspace is empty but for the executable unless `workspace_tar` is given."""
        from codefrontier.programs.files import TarBuilder

        job = {
            "mode": "observe",
            "cases": cases,
            "repeat": repeat,
            "flat": flat,
            "budget_s": max(1.0, limits.wall_s - 20),
        }
        files = {
            "workspace.tar": workspace_tar if workspace_tar is not None else TarBuilder().getvalue(),
            "case_helper.py": CASE_HELPER_SOURCE.read_bytes(),
        }
        if executable is not None:
            files[".cf-executable"] = executable
        return self._step(job, files, limits)

    def _step(self, job: dict[str, Any], inputs: dict[str, bytes], limits: StepLimits) -> StepRun:
        assert self.sandbox is not None
        inputs = {"harness.py": HARNESS_SOURCE.read_bytes(), "job.json": json.dumps(job).encode(), **inputs}
        for attempt in (1, 2):
            fds = {name: memfd_from_bytes(data, name) for name, data in inputs.items()}
            outs = [os.memfd_create(name, os.MFD_CLOEXEC) for name in ("report", "data", "extra")]
            try:
                run = self.sandbox.run_exec(
                    [self.sandbox.python_path, "-I", "-B", "harness.py"],
                    limits.limits(),
                    files=fds,
                    out_fds={REPORT_FD: outs[0], DATA_FD: outs[1], EXTRA_FD: outs[2]},
                )
                raw = read_memfd(outs[0])
                try:
                    report = json.loads(raw) if raw else {}
                except json.JSONDecodeError:
                    report = {"harness_error": "the report is not JSON"}
                return StepRun(
                    run, report if isinstance(report, dict) else {}, read_memfd(outs[1]), read_memfd(outs[2])
                )
            except InternalJudgeError:
                if attempt == 2:
                    raise
                self.sandbox.restart()  # the sandbox's fault: once more on a fresh worker
            finally:
                for fd in [*fds.values(), *outs]:
                    os.close(fd)
        raise AssertionError("unreachable")
