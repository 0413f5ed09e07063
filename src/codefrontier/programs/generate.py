"""A task from a reference executable: fuzz it, write the suite, validate, measure coverage.

`make_task` writes a task directory in ProgramBench's format (docs/programs.md):
task.yaml (with `reference`/`reference_source` and `documentation`), the documentation,
`tests/<branch>/eval/...` and tests.json with the validation's ignore reasons, plus
`generation.json` (what the fuzzer found, kept and dropped, and the line coverage).
The branch is named by a digest of the reference and the seed, as ProgramBench names
branches by a 12-digit hex id. Rerunning with the same reference and seed rewrites the
same suite.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codefrontier.errors import InputError
from codefrontier.programs.files import sha256_bytes, write_bytes_atomic
from codefrontier.programs.fuzz import FuzzConfig, fuzz, write_suite
from codefrontier.programs.runner import ProgramRunner
from codefrontier.programs.tasks import Branch, Task, load_task, save_task
from codefrontier.programs.validate import validate_task


@dataclass
class Generated:
    task: Task
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def valid_tests(self) -> int:
        return self.task.n_active


def make_task(
    out: str | Path,
    runner: ProgramRunner,
    *,
    reference: Path | None = None,
    reference_source: Path | None = None,
    doc: Path | None = None,
    config: FuzzConfig | None = None,
    runs: int = 3,
    language: str = "c",
    name: str | None = None,
    coverage: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Generated:
    """Write (or rewrite) the task directory `out` for one reference.

    Give `reference` (an executable, copied into the task) or `reference_source` (a C
    source, copied in and built on use)."""
    config = config or FuzzConfig()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    fields: dict[str, Any] = {}
    if reference_source is not None:
        target = out / "reference" / reference_source.name
        if reference_source.resolve() != target.resolve():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(reference_source, target)
        fields["reference_source"] = f"reference/{reference_source.name}"
    elif reference is not None:
        if not reference.is_file():
            raise InputError("the reference executable does not exist", path=reference)
        target = out / "reference" / "executable"
        if reference.resolve() != target.resolve():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(reference, target)
            target.chmod(0o755)
        fields["reference"] = "reference/executable"
    else:
        raise InputError("give a reference executable or its C source")
    doc_text = ""
    if doc is not None:
        if not doc.is_file():
            raise InputError("the documentation file does not exist", path=doc)
        doc_target = out / "docs" / doc.name
        if doc.resolve() != doc_target.resolve():
            doc_target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(doc, doc_target)
        fields["documentation"] = f"docs/{doc.name}"
        doc_text = doc_target.read_text(errors="replace")
    program = name or out.name
    task = Task(
        id=out.name,
        repository=f"local/{program}",
        commit="",
        language=language,
        branches={},
        directory=out,
        difficulty="easy",
        name=program,
        **fields,
    )
    executable = task.reference_path()
    assert executable is not None
    gold = executable.read_bytes()
    digest = sha256_bytes(gold)
    task.commit = digest[:40]
    task.eval_clean_hashes = [digest]  # a submission may not ship the reference itself
    if progress:
        progress("fuzzing")
    chosen, fuzz_report = fuzz(
        gold, doc_text, config, runner, progress=lambda d, t: progress and progress(f"observed {d}/{t}")
    )
    if not chosen:
        raise InputError("fuzzing kept no test: the reference's behavior was never stable", path=executable)
    branch = sha256_bytes(f"{digest}:{config.seed}:{config.tests}".encode())[:12]
    tests_dir = out / "tests"
    if tests_dir.exists():
        shutil.rmtree(tests_dir)  # one branch per generation: the old suite goes
    names = write_suite(tests_dir / branch, chosen, program, config.seed)
    task.branches = {branch: Branch(branch, names)}
    save_task(task)
    if progress:
        progress("validating")
    validations = validate_task(task, runner, runs=runs, progress=progress)
    task = load_task(out)
    report: dict[str, Any] = {
        "fuzz": fuzz_report.to_json(),
        "validation": {
            v.branch: {
                "valid": len(v.valid),
                "ignored": {n: r["id"] for n, r in v.reasons.items()},
                "runs": runs,
            }
            for v in validations
        },
        "active_tests": task.n_active,
    }
    if coverage and reference_source is not None:
        from codefrontier.programs.linecov import gcov_available, line_coverage

        if gcov_available():
            if progress:
                progress("coverage")
            report["coverage"] = line_coverage(
                task, task.resolve(task.reference_source or ""), runner
            ).to_json()
    write_bytes_atomic(
        out / "generation.json", (json.dumps(report, indent=2, sort_keys=True) + "\n").encode()
    )
    return Generated(task, report)
