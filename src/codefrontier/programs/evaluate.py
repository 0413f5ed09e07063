"""Evaluate submissions against tasks: ProgramBench's harness, in codefrontier's sandbox.

For each (task, submission):

1. a source submission (a folder, .zip or .tar[.gz] with `compile.sh`) is read on the
   host without running anything: files whose SHA-256 is in the task's
   `eval_clean_hashes` (the reference binary) are dropped (`remove_hashed_files`), and so
   is any shipped `./executable` (`clear_stale_executable`); it is then compiled in a fresh
   sandbox run (`compile`: no network, time, memory, process and disk limits). A compile
   that fails or is stopped makes every test `not_run` with `compile_failed`; a compile
   without `./executable` gives `copy_executable_failed`. The executable's hash is taken
   by the host from the workspace the compile handed back.
   `--gold` and `--dummy` submissions are an executable already (no compile step).
2. each active branch runs in its own fresh sandbox run: the post-compile workspace, the
   branch's files, the executable restored from the host's copy and its hash checked, and
   pytest with a JUnit report; missing tests become `not_run`.
3. the record goes to `OUT/<iid>/<iid>.eval.json` and a row per test to the results store
   (`OUT/samples.parquet`, `OUT/tests.parquet`: `codefrontier report OUT` opens it);
   `OUT/summary.json` holds every task's score and the headline.

A rerun on the same OUT keeps every task whose record is complete (`force` redoes them).
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codefrontier.errors import ConfigError, InputError
from codefrontier.programs.files import (
    TarBuilder,
    read_archive,
    read_tar_file,
    sha256_bytes,
    write_bytes_atomic,
)
from codefrontier.programs.junit import ReportError, check_branch
from codefrontier.programs.record import EvalRecord, eval_json_path
from codefrontier.programs.runner import ProgramRunner, StepLimits, StepRun
from codefrontier.programs.scoring import aggregate, task_score
from codefrontier.programs.tasks import Task

DUMMY_EXECUTABLE = b"#!/bin/sh\n# the dummy: prints nothing and exits 0\nexit 0\n"


@dataclass(frozen=True)
class Submission:
    """What is evaluated: source with a compile.sh, or an executable as it is."""

    label: str  # the policy name in the results store
    path: Path | None = None  # source submission (folder or archive)
    executable: bytes | None = None  # --gold / --dummy
    solution_branch: str = "submission"

    @classmethod
    def from_path(cls, path: str | Path, label: str | None = None) -> Submission:
        path = Path(path)
        if not path.exists():
            raise InputError("submission not found", path=path)
        return cls(label or path.stem.removesuffix(".tar"), path=path)

    @classmethod
    def gold(cls, task: Task) -> Submission:
        reference = task.reference_path()
        if reference is None:
            raise InputError(
                "the task has no reference executable (the real benchmark's binaries are in its Docker images)",
                path=task.directory / "task.yaml",
                field="reference",
            )
        return cls("gold", executable=reference.read_bytes(), solution_branch="gold")

    @classmethod
    def dummy(cls) -> Submission:
        return cls("dummy", executable=DUMMY_EXECUTABLE, solution_branch="dummy")


@dataclass
class EvalSettings:
    jobs: int | None = None
    isolation: str = "auto"
    tmpfs_mb: int = 1024
    compile_limits: StepLimits = field(default_factory=lambda: StepLimits(wall_s=900, output_mb=512))
    branch_limits: StepLimits = field(default_factory=lambda: StepLimits(wall_s=900))
    force: bool = False
    seed_git: bool = True


@dataclass
class Built:
    """A submission ready for its branches: the workspace and the executable (or why not)."""

    record: EvalRecord
    workspace_tar: bytes = b""
    executable: bytes = b""

    @property
    def ok(self) -> bool:
        return self.record.error_code is None


class RunnerPool:
    """Sandbox workers handed to threads, started on first demand."""

    def __init__(self, settings: EvalSettings, size: int) -> None:
        self.settings = settings
        self.size = size
        self._idle: queue.Queue[ProgramRunner] = queue.Queue()
        self._all: list[ProgramRunner] = []
        self._lock = threading.Lock()

    @contextmanager
    def lease(self) -> Iterator[ProgramRunner]:
        try:
            runner = self._idle.get_nowait()
        except queue.Empty:
            with self._lock:
                make = len(self._all) < self.size
            if make:
                runner = ProgramRunner(self.settings.isolation, self.settings.tmpfs_mb)
                with self._lock:
                    self._all.append(runner)
            else:
                runner = self._idle.get()
        try:
            yield runner
        finally:
            self._idle.put(runner)

    @property
    def level(self) -> str | None:
        return self._all[0].level if self._all else None

    def close(self) -> None:
        for runner in self._all:
            runner.close()
        self._all.clear()


# -- preparing and compiling ----------------------------------------------------------------


def prepare_source(path: Path, task: Task, record: EvalRecord) -> bytes:
    """The submission as a tar for the sandbox, without the reference binary and without a
    prebuilt ./executable (logged as the original's `remove_hashed_files` and
    `clear_stale_executable` steps)."""
    members = read_archive(path)
    clean = set(task.eval_clean_hashes)
    removed, builder = [], TarBuilder()
    for name, kind, data, mode in members:
        if name.strip("/") in ("", "."):
            continue
        if kind == "file" and isinstance(data, bytes) and sha256_bytes(data) in clean:
            removed.append(name)
            continue
        if name.strip("/") in ("executable", "./executable"):
            continue
        if kind == "dir":
            builder.add_dir(name)
        elif kind == "symlink":
            builder.add_symlink(name, str(data))
        else:
            builder.add_bytes(
                name, data if isinstance(data, bytes) else b"", 0o755 if mode & 0o111 else 0o644
            )
    if clean:
        record.log.append(
            _host_step(
                "remove_hashed_files",
                "drop files whose sha256 is in eval_clean_hashes",
                "".join(f"removed '{n}'\n" for n in removed),
            )
        )
    record.log.append(_host_step("clear_stale_executable", "rm -f ./executable", ""))
    if "compile.sh" not in builder.names:
        raise InputError("the submission has no compile.sh at its top level", path=path)
    return builder.getvalue()


def _host_step(name: str, command: str, output: str, returncode: int = 0) -> dict[str, Any]:
    return {
        "step": name,
        "command": command,
        "wall_time": 0.0,
        "output": output,
        "returncode": returncode,
        "exception_info": "",
    }


def build(task: Task, submission: Submission, runner: ProgramRunner, settings: EvalSettings) -> Built:
    record = EvalRecord(solution_branch=submission.solution_branch, test_branches=task.active_branches)
    if submission.executable is not None:
        builder = TarBuilder()
        builder.add_bytes("executable", submission.executable, 0o755)
        record.executable_hash = sha256_bytes(submission.executable)
        return Built(record, builder.getvalue(), submission.executable)
    assert submission.path is not None
    try:
        tar = prepare_source(submission.path, task, record)
    except InputError as exc:
        return _failed(record, task, "compile_failed", exc.message)
    step = runner.compile(tar, settings.compile_limits, seed_git=settings.seed_git)
    record.log.extend(step.report.get("steps", []))
    if step.report.get("error_code"):
        return _failed(record, task, step.report["error_code"], step.report.get("error_details") or "")
    problem = step.failure()
    if problem is not None:
        return _failed(record, task, "compile_failed", problem)
    executable = read_tar_file(step.data, "executable")
    if executable is None:
        return _failed(
            record,
            task,
            "copy_executable_failed",
            "./executable is not a file of the workspace (a link out of it?)",
        )
    record.executable_hash = sha256_bytes(executable)
    return Built(record, step.data, executable)


def _failed(record: EvalRecord, task: Task, code: str, details: str) -> Built:
    record.error_code, record.error_details = code, details
    for branch in task.active_branches:
        record.inject_not_run(branch, task.branches[branch].tests, code)
    return Built(record)


# -- branches -------------------------------------------------------------------------------


def branch_tar(task: Task, branch: str) -> bytes | None:
    directory = task.branch_dir(branch)
    if directory is None:
        return None
    builder = TarBuilder()
    builder.add_tree(directory)
    return builder.getvalue()


def run_branch(
    task: Task, built: Built, branch: str, runner: ProgramRunner, settings: EvalSettings
) -> dict[str, Any]:
    """One branch's outcomes, warnings, log and errors (merged into the record by the caller)."""
    out: dict[str, Any] = {"branch": branch, "outcomes": [], "warnings": [], "log": [], "errors": []}
    expected = task.branches[branch].tests
    tests = branch_tar(task, branch)
    if tests is None:
        out["errors"].append(
            ("no_test_files", f"the task ships no files for branch {branch} (tests/{branch}/)")
        )
        return out
    step: StepRun = runner.run_branch(built.workspace_tar, built.executable, tests, settings.branch_limits)
    out["log"].extend(step.report.get("steps", []))
    if step.report.get("error_code"):
        out["errors"].append((step.report["error_code"], step.report.get("error_details", "")))
        return out
    xml = step.data.decode(errors="replace")
    out["log"].append({**_host_step("results_read", "read the JUnit report", xml), "branch": branch})
    if not xml.strip():
        out["errors"].append(
            (
                "results_read_failed",
                step.failure() or "pytest wrote no JUnit report\n" + step.stdout_tail[-2000:],
            )
        )
        return out
    try:
        outcomes, warnings = check_branch(
            xml, branch, expected, ignored=task.ignored_tests, branch_ignored=branch in task.ignored_branches
        )  # no task id in the warnings: the package's fixture records "Branch <b>: ..."
    except ReportError as exc:
        out["errors"].append((exc.code, exc.details))
        return out
    out["outcomes"], out["warnings"] = outcomes, warnings
    return out


def merge_branch(record: EvalRecord, task: Task, result: dict[str, Any]) -> None:
    branch = result["branch"]
    record.log.extend(result["log"])
    if result["errors"]:
        for code, details in result["errors"]:
            record.add_branch_error(branch, code, details)
        record.inject_not_run(branch, task.branches[branch].tests, result["errors"][0][0])
        return
    record.test_results.extend(result["outcomes"])
    record.warnings.extend(result["warnings"])


# -- a run ----------------------------------------------------------------------------------


def record_complete(path: Path, task: Task) -> EvalRecord | None:
    """The record at `path` if it covers every active branch without a branch error."""
    if not path.exists():
        return None
    try:
        record = EvalRecord.load(path)
    except InputError:
        return None
    if set(task.active_branches) - set(record.test_branches) or record.test_branch_errors:
        return None
    return record


@dataclass
class TaskResult:
    task: Task
    submission: Submission
    record: EvalRecord
    score: float
    reused: bool = False


def evaluate(
    pairs: list[tuple[Task, Submission]],
    out: str | Path,
    settings: EvalSettings | None = None,
    *,
    benchmark: str = "programs",
    n_total: int | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> list[TaskResult]:
    """Evaluate every (task, submission) pair into OUT; returns the per-task results.
    `progress(what, units)` is called as compiles and branches finish."""
    from codefrontier.judge import default_jobs

    settings = settings or EvalSettings()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    seen = set()
    for task, submission in pairs:
        key = (task.id, submission.label)
        if key in seen:
            raise ConfigError(f"task {task.id} is given twice for submission {submission.label!r}")
        seen.add(key)
    results: list[TaskResult] = []
    todo: list[tuple[Task, Submission]] = []
    for task, submission in pairs:
        path = _record_path(out, task, submission, pairs)
        existing = None if settings.force else record_complete(path, task)
        if existing is not None:
            results.append(TaskResult(task, submission, existing, task_score(existing, task), reused=True))
            if progress:
                progress(task.id, 1 + len(task.active_branches))
        else:
            todo.append((task, submission))
    jobs = settings.jobs or default_jobs()
    pool = RunnerPool(settings, jobs)
    store = _open_store(out)
    try:
        with ThreadPoolExecutor(jobs, thread_name_prefix="cf-programs") as executor:

            def do_build(pair: tuple[Task, Submission]) -> Built:
                with pool.lease() as runner:
                    built = build(pair[0], pair[1], runner, settings)
                if progress:
                    progress(pair[0].id, 1 + (0 if built.ok else len(pair[0].active_branches)))
                return built

            builts = list(executor.map(do_build, todo))
            units = [
                (i, b)
                for i, (pair, built) in enumerate(zip(todo, builts, strict=True))
                if built.ok
                for b in pair[0].active_branches
            ]

            def do_branch(unit: tuple[int, str]) -> dict[str, Any]:
                i, branch = unit
                with pool.lease() as runner:
                    result = run_branch(todo[i][0], builts[i], branch, runner, settings)
                if progress:
                    progress(todo[i][0].id, 1)
                return result

            branch_results = list(executor.map(do_branch, units))
        for (i, _), result in zip(units, branch_results, strict=True):
            merge_branch(builts[i].record, todo[i][0], result)
        provenance = _provenance(settings, pool.level, benchmark)
        store.write_provenance(provenance)
        for (task, submission), built in zip(todo, builts, strict=True):
            record = built.record
            write_bytes_atomic(_record_path(out, task, submission, pairs), record.dumps().encode())
            result = TaskResult(task, submission, record, task_score(record, task))
            store.add(_sample_result(result, benchmark))
            results.append(result)
    finally:
        store.finalize()
        pool.close()
    results.sort(key=lambda r: (r.submission.label, r.task.id))
    write_summary(out, results, n_total)
    return results


def _record_path(out: Path, task: Task, submission: Submission, pairs: list[tuple[Task, Submission]]) -> Path:
    """`OUT/<iid>/<iid>.eval.json`; with several submissions in one run, under OUT/<label>/."""
    labels = {s.label for _, s in pairs}
    root = out / submission.label if len(labels) > 1 else out
    return eval_json_path(root, task.id)


def _open_store(out: Path) -> Any:
    from codefrontier.store.results import ResultsStore

    return ResultsStore(out)


def _provenance(settings: EvalSettings, level: str | None, benchmark: str) -> dict[str, Any]:
    from codefrontier import __version__

    return {
        "kind": "programs",
        "benchmark": benchmark,
        "codefrontier": __version__,
        "isolation": level,
        "compile_limits": settings.compile_limits.__dict__,
        "branch_limits": settings.branch_limits.__dict__,
        "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


# ProgramBench statuses as verdicts for the shared results store (the status itself is kept
# in `detail`): passed is AC; a failed assertion WA; anything else stops the test from
# running to its assertions, which the store calls RE (CE when the compile failed).
_VERDICT = {
    "passed": "AC",
    "failure": "WA",
    "error": "RE",
    "skipped": "WA",
    "system_error": "RE",
    "not_run": "RE",
}


def _sample_result(result: TaskResult, benchmark: str) -> Any:
    from codefrontier.judge import SampleResult, TestResult, Verdict, failure_class, sample_verdict

    kept = result.record.for_branches(result.task.active_branches).without_ignored(result.task.ignored_tests)
    tests = []
    compile_failed = result.record.error_code is not None
    for i, t in enumerate(kept.test_results):
        verdict = "CE" if compile_failed else _VERDICT[t.status]
        tests.append(
            TestResult(
                test_id=t.full_name,
                test_index=i,
                size=i,
                tier=None,
                verdict=Verdict(verdict),
                wall_s=float(t.extra.get("time") or 0.0),
                detail=t.status + (f": {t.extra['error_code']}" if "error_code" in t.extra else ""),
            )
        )
    verdicts = [t.verdict for t in tests] or [Verdict.CE if compile_failed else Verdict.RE]
    return SampleResult(
        benchmark=benchmark,
        problem_id=result.task.id,
        policy=result.submission.label,
        sample=0,
        language=result.task.language,
        verdict=sample_verdict(verdicts),
        failure_class=failure_class(verdicts),
        tests=tests,
        tests_total=len(tests),
        highest_level=1.0 if result.score >= 1.0 else 0.0,
        highest_tier=None,
        difficulty=result.task.difficulty,
        code_sha256=result.record.executable_hash or "",
        policy_meta={"score": result.score, "error_code": result.record.error_code},
        detail=result.record.error_code or "",
    )


def write_summary(out: Path, results: list[TaskResult], n_total: int | None) -> dict[str, Any]:
    """OUT/summary.json: per submission, every task's score and the headline."""
    by_label: dict[str, dict[str, float]] = {}
    for r in results:
        by_label.setdefault(r.submission.label, {})[r.task.id] = r.score
    summary = {}
    for label, scores in by_label.items():
        total = max(n_total or 0, len(scores))
        summary[label] = {
            "headline": aggregate(scores, total).as_dict(),
            "scores": dict(sorted(scores.items())),
        }
    write_bytes_atomic(out / "summary.json", (json.dumps(summary, indent=2) + "\n").encode())
    return summary
