"""Rebuild a program from its executable: ProgramBench's tasks, harness and scoring in
codefrontier's sandbox, and behavioral test generation by fuzzing (docs/programs.md).

    from codefrontier.programs import load_tasks, evaluate, Submission, task_score

Names load on first use, so that `codefrontier.programs.cli` stays light.
"""

from __future__ import annotations

from codefrontier.lazy import lazy_exports

_EXPORTS = {
    "Task": "tasks",
    "Branch": "tasks",
    "IgnoredTest": "tasks",
    "IGNORE_REASONS": "tasks",
    "load_tasks": "tasks",
    "load_task": "tasks",
    "find_task": "tasks",
    "save_task": "tasks",
    "TestOutcome": "junit",
    "parse_junit": "junit",
    "check_branch": "junit",
    "ReportError": "junit",
    "EvalRecord": "record",
    "task_score": "scoring",
    "aggregate": "scoring",
    "Headline": "scoring",
    "Submission": "evaluate",
    "EvalSettings": "evaluate",
    "evaluate": "evaluate",
    "TaskResult": "evaluate",
    "ProgramRunner": "runner",
    "StepLimits": "runner",
    "parse_help": "helptext",
    "CommandSpec": "helptext",
    "FuzzConfig": "settings",
    "fuzz": "fuzz",
    "make_task": "generate",
    "validate_task": "validate",
    "classify": "validate",
    "line_coverage": "linecov",
    "structure_metrics": "metrics",
    "StructureMetrics": "metrics",
    "rebuild": "solve",
    "ReferenceTool": "solve",
    "parse_files": "solve",
}

__getattr__, __all__ = lazy_exports(__name__, _EXPORTS)
