"""Validating a task's tests against its reference and a dummy (docs/programs.md, "Validation").

Each branch runs on the reference `runs` times and once on the dummy executable (prints
nothing, exits 0), every run a fresh sandbox run. Per test, with its statuses on the
reference:

* never passed: `gold_fail`;
* passed in some runs and not in others: `gold_flaky` (the statuses are kept, as the
  package records them: `{"id": "gold_flaky", "extra": {"statuses": [...]}}`);
* present in the JUnit report in some runs only: `outcome_dependent_presence`;
* passed on every run of the reference and also on the dummy: `dummy_pass`.

A branch whose reference runs produced no report at all is ignored (`ignore_reason`).
The task's tests.json is rewritten with these ignore reasons; a test ignored before for
a reason validation does not decide (`ignored_manual`, `slow_or_hang`, ...) stays ignored.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from codefrontier.programs.evaluate import DUMMY_EXECUTABLE, branch_tar
from codefrontier.programs.files import TarBuilder
from codefrontier.programs.junit import ReportError, parse_junit
from codefrontier.programs.runner import ProgramRunner, StepLimits
from codefrontier.programs.tasks import Branch, IgnoredTest, Task, save_task

DECIDED = {"gold_fail", "gold_flaky", "dummy_pass", "outcome_dependent_presence"}


@dataclass
class BranchValidation:
    branch: str
    gold: list[dict[str, str]] = field(default_factory=list)  # per run: test -> status
    dummy: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, dict] = field(default_factory=dict)  # test -> reason record
    error: str = ""

    @property
    def valid(self) -> list[str]:
        names = set().union(*self.gold) if self.gold else set()
        return sorted(n for n in names if n not in self.reasons)


def classify(name: str, gold_runs: list[dict[str, str]], dummy: dict[str, str]) -> dict | None:
    """The ignore reason for one test (None: the test is valid)."""
    statuses = [run.get(name, "not_run") for run in gold_runs]
    present = [name in run for run in gold_runs]
    if any(present) and not all(present):
        return {"id": "outcome_dependent_presence", "extra": {"statuses": statuses}}
    if not any(s == "passed" for s in statuses):
        return {"id": "gold_fail", "extra": {"statuses": statuses}}
    if not all(s == "passed" for s in statuses):
        return {"id": "gold_flaky", "extra": {"statuses": statuses}}
    if dummy.get(name) == "passed":
        return {"id": "dummy_pass"}
    return None


def _statuses(xml: str, branch: str) -> dict[str, str] | None:
    try:
        return {t.name: t.status for t in parse_junit(xml, branch)}
    except ReportError:
        return None


def validate_task(
    task: Task,
    runner: ProgramRunner,
    *,
    runs: int = 3,
    limits: StepLimits | None = None,
    write: bool = True,
    progress: Callable[[str], None] | None = None,
) -> list[BranchValidation]:
    """Validate every branch of `task` (its reference must exist) and rewrite tests.json."""
    limits = limits or StepLimits(wall_s=900)
    reference = task.reference_path()
    if reference is None:
        from codefrontier.errors import InputError

        raise InputError(
            "the task has no reference executable to validate against",
            path=task.directory / "task.yaml",
            field="reference",
        )
    gold = reference.read_bytes()
    results = []
    for name, branch in task.branches.items():
        tests = branch_tar(task, name)
        if tests is None:
            continue
        validation = BranchValidation(name)
        for executable, label, count in ((gold, "gold", runs), (DUMMY_EXECUTABLE, "dummy", 1)):
            workspace = TarBuilder()
            workspace.add_bytes("executable", executable, 0o755)
            for _ in range(count):
                step = runner.run_branch(workspace.getvalue(), executable, tests, limits)
                statuses = _statuses(step.data.decode(errors="replace"), name)
                if progress:
                    progress(f"{name} {label}")
                if label == "dummy":
                    validation.dummy = statuses or {}
                elif statuses is None:
                    validation.error = step.failure() or "no JUnit report"
                else:
                    validation.gold.append(statuses)
        if not validation.gold:
            branch.ignored, branch.ignore_reason = True, f"gold_fail: {validation.error}"
        else:
            names = list(branch.tests) or sorted(set().union(*validation.gold))
            for test in names:
                reason = classify(test, validation.gold, validation.dummy)
                if reason is not None:
                    reason.setdefault("timestamp", int(time.time()))
                    reason.setdefault("user", "codefrontier")
                    validation.reasons[test] = reason
            _apply(branch, validation)
        results.append(validation)
    if write:
        save_task(task)
    return results


def _apply(branch: Branch, validation: BranchValidation) -> None:
    kept = [t for t in branch.ignored_tests if not set(t.reason_ids) & DECIDED]
    kept_names = {t.name for t in kept}
    for name, reason in validation.reasons.items():
        if name not in kept_names:
            kept.append(IgnoredTest(name, (reason,)))
    order = {n: i for i, n in enumerate(branch.tests)}
    branch.ignored_tests = sorted(kept, key=lambda t: order.get(t.name, len(order)))
