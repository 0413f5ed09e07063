"""Checkpoint interpolation and extrapolation in weight space, a whole sweep in one pass.

    from codefrontier.merge import merge_sweep, merge_task_arithmetic, inspect_merge
    from codefrontier.merge import merge, MergeSettings, Interpolation   # any registered method

The API needs the `merge` extra (torch). It is imported on first use, so that
`codefrontier.merge.cli`, which every `codefrontier` command loads, stays light.
See docs/merge.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from codefrontier.lazy import lazy_exports
from codefrontier.merge import methods  # light (no torch): the registry and its methods

if TYPE_CHECKING:
    from codefrontier.merge.checks import CheckpointMismatchError
    from codefrontier.merge.engine import MergeOverflowError
    from codefrontier.merge.inspection import InspectReport, TensorDrift, inspect_merge
    from codefrontier.merge.progress import ProgressCallback
    from codefrontier.merge.settings import MergeSettings
    from codefrontier.merge.stream import FileDigest
    from codefrontier.merge.sweep import (
        InputRecord,
        MergedCheckpoint,
        MergeResult,
        merge,
        merge_sweep,
        merge_task_arithmetic,
    )

_EXPORTS = {
    "merge": "sweep",
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
    "MergeOverflowError": "engine",
    "ProgressCallback": "progress",
    "MergeSettings": "settings",
} | dict.fromkeys(methods.__all__, "methods")

__all__ = [
    "CheckpointMismatchError",
    "FileDigest",
    "InputRecord",
    "InspectReport",
    "MergeOverflowError",
    "MergeResult",
    "MergeSettings",
    "MergedCheckpoint",
    "ProgressCallback",
    "TensorDrift",
    "inspect_merge",
    "merge",
    "merge_sweep",
    "merge_task_arithmetic",
    *methods.__all__,
]

__getattr__, _ = lazy_exports(__name__, _EXPORTS)
