"""Checkpoint interpolation and extrapolation in weight space, a whole sweep in one pass.

    from codefrontier.merge import merge_sweep, merge_task_arithmetic, inspect_merge

The API needs the `merge` extra (torch). It is imported on first use, so that
`codefrontier.merge.cli`, which every `codefrontier` command loads, stays light.
See docs/merge.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codefrontier.merge.checks import CheckpointMismatchError
    from codefrontier.merge.inspection import InspectReport, TensorDrift, inspect_merge
    from codefrontier.merge.progress import ProgressCallback
    from codefrontier.merge.stream import FileDigest
    from codefrontier.merge.sweep import (
        InputRecord,
        MergedCheckpoint,
        MergeResult,
        merge_sweep,
        merge_task_arithmetic,
    )

_EXPORTS = {
    "merge_sweep": "sweep",
    "merge_task_arithmetic": "sweep",
    "MergeResult": "sweep",
    "MergedCheckpoint": "sweep",
    "InputRecord": "sweep",
    "FileDigest": "stream",
    "inspect_merge": "inspection",
    "InspectReport": "inspection",
    "TensorDrift": "inspection",
    "CheckpointMismatchError": "checks",
    "ProgressCallback": "progress",
}

__all__ = [
    "CheckpointMismatchError",
    "FileDigest",
    "InputRecord",
    "InspectReport",
    "MergeResult",
    "MergedCheckpoint",
    "ProgressCallback",
    "TensorDrift",
    "inspect_merge",
    "merge_sweep",
    "merge_task_arithmetic",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
