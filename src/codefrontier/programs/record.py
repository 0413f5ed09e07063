"""The per-task evaluation record, `<iid>/<iid>.eval.json`, in ProgramBench's format.

Fields, in the original's order: `test_results` (every outcome, ignored tests included),
`error_code` / `error_details` (a failure before any branch ran: `compile_failed`,
`copy_executable_failed`, ...), `log` (the steps run, each {step, command, wall_time,
output, returncode, exception_info}, `results_read` steps also carry `branch` and the
raw JUnit XML as `output`), `solution_branch`, `test_branches`, `test_branch_errors`
({branch: [{error_code, error_details}]}), `executable_hash`, `warnings`.

`score` here is the original's `EvaluationResult.score` (passed over every outcome kept);
the leaderboard's per-task score, with ignored branches and tests struck out, is
`scoring.task_score`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codefrontier.errors import InputError
from codefrontier.programs.junit import STATUSES, TestOutcome


@dataclass
class EvalRecord:
    test_results: list[TestOutcome] = field(default_factory=list)
    error_code: str | None = None
    error_details: str | None = None
    log: list[dict[str, Any]] = field(default_factory=list)
    solution_branch: str | None = None
    test_branches: list[str] = field(default_factory=list)
    test_branch_errors: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    executable_hash: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def n_resolved(self) -> int:
        return sum(t.passed for t in self.test_results)

    @property
    def score(self) -> float:
        return self.n_resolved / len(self.test_results) if self.test_results else 0.0

    def add_branch_error(self, branch: str, code: str, details: str = "") -> None:
        self.test_branch_errors.setdefault(branch, []).append({"error_code": code, "error_details": details})

    def inject_not_run(self, branch: str, tests: list[str], code: str) -> None:
        """Every test of the branch as `not_run` with `code` (the original's _inject_not_run)."""
        if not tests:
            if branch not in self.test_branch_errors:
                self.add_branch_error(
                    branch,
                    "no_expected_test_list",
                    f"No expected test list for branch {branch}, cannot inject not_run results",
                )
            return
        self.test_results.extend(TestOutcome(n, branch, "not_run", {"error_code": code}) for n in tests)

    def for_branches(self, branches: list[str]) -> EvalRecord:
        if sorted(self.test_branches) == sorted(branches):
            return self
        keep = set(branches)
        return EvalRecord(
            test_results=[t for t in self.test_results if t.branch in keep],
            error_code=self.error_code,
            error_details=self.error_details,
            log=self.log,
            solution_branch=self.solution_branch,
            test_branches=list(branches),
            test_branch_errors={b: e for b, e in self.test_branch_errors.items() if b in keep},
            executable_hash=self.executable_hash,
            warnings=self.warnings,
        )

    def without_ignored(self, ignored: set[str]) -> EvalRecord:
        if not ignored:
            return self
        return EvalRecord(
            test_results=[t for t in self.test_results if t.full_name not in ignored],
            error_code=self.error_code,
            error_details=self.error_details,
            log=self.log,
            solution_branch=self.solution_branch,
            test_branches=self.test_branches,
            test_branch_errors=self.test_branch_errors,
            executable_hash=self.executable_hash,
            warnings=self.warnings,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "test_results": [t.to_json() for t in self.test_results],
            "error_code": self.error_code,
            "error_details": self.error_details,
            "log": self.log,
            "solution_branch": self.solution_branch,
            "test_branches": self.test_branches,
            "test_branch_errors": self.test_branch_errors,
            "executable_hash": self.executable_hash,
            "warnings": self.warnings,
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, obj: dict[str, Any], path: Path | None = None) -> EvalRecord:
        if not isinstance(obj, dict) or not isinstance(obj.get("test_results", []), list):
            raise InputError("not an eval.json record (no `test_results` list)", path=path)
        outcomes = []
        for i, t in enumerate(obj.get("test_results", [])):
            if (
                not isinstance(t, dict)
                or not isinstance(t.get("name"), str)
                or t.get("status") not in STATUSES
            ):
                raise InputError("must have a name and a known status", path=path, field=f"test_results[{i}]")
            outcomes.append(TestOutcome.from_json(t))
        return cls(
            test_results=outcomes,
            error_code=obj.get("error_code"),
            error_details=obj.get("error_details"),
            log=list(obj.get("log") or []),
            solution_branch=obj.get("solution_branch"),
            test_branches=list(obj.get("test_branches") or []),
            test_branch_errors={b: list(e) for b, e in (obj.get("test_branch_errors") or {}).items()},
            executable_hash=obj.get("executable_hash"),
            warnings=list(obj.get("warnings") or []),
        )

    @classmethod
    def load(cls, path: str | Path) -> EvalRecord:
        path = Path(path)
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError("file not found", path=path) from None
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON ({exc.msg})", path=path, line=exc.lineno) from None
        return cls.from_json(obj, path)


def eval_json_path(out_dir: str | Path, task_id: str) -> Path:
    return Path(out_dir) / task_id / f"{task_id}.eval.json"
