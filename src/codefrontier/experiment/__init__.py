"""The end-to-end frontier experiment: merge -> sample -> judge -> report, every stage
cached under one directory with a manifest (docs/sampling.md, "Experiments").

    from codefrontier.experiment import run_experiment, check_experiment, load_experiment

It sits above every other package and uses their public APIs; nothing imports it.
Names load on first use, so that `codefrontier.experiment.cli` stays light.
"""

from __future__ import annotations

from codefrontier.lazy import lazy_exports

_EXPORTS = {
    "run_experiment": "run",
    "check_experiment": "run",
    "ExperimentRun": "run",
    "load_experiment": "config",
    "Experiment": "config",
    "PolicySpec": "config",
}

__getattr__, __all__ = lazy_exports(__name__, _EXPORTS)
