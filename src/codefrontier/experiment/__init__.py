"""The end-to-end frontier experiment: merge -> sample -> judge -> report, every stage
cached under one directory with a manifest (docs/sampling.md, "Experiments").

    from codefrontier.experiment import run_experiment, check_experiment, load_experiment

It sits above every other package and uses their public APIs; nothing imports it.
Names load on first use, so that `codefrontier.experiment.cli` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "run_experiment": "run",
    "check_experiment": "run",
    "ExperimentRun": "run",
    "load_experiment": "config",
    "Experiment": "config",
    "PolicySpec": "config",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'codefrontier.experiment' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
