"""The judge: samples in, verdicts and measured costs out (docs/verdicts.md).

    from codefrontier.judge import judge_samples, run_judge, JudgeConfig, Sample, Verdict

This is the judge's public API; the systems built on it (rewards, experiment, traces,
programs, scaling, synth, feedback) import from here, never from its modules. Names load
on first use, so that `codefrontier.judge.cli`, which every `codefrontier` command
imports, stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "judge_samples": "api",
    "run_judge": "api",
    "RunReport": "api",
    "JudgeConfig": "config",
    "Mode": "config",
    "SampleJudge": "runner",
    "Sample": "codefrontier.contracts",
    "CompletionMode": "samples",
    "extract_program": "samples",
    "extract_for_problem": "samples",
    "Extraction": "samples",
    "load_samples": "samples",
    "sample_from_json": "samples",
    "SampleResult": "codefrontier.contracts",
    "TestResult": "codefrontier.contracts",
    "Verdict": "codefrontier.contracts",
    "FailureClass": "codefrontier.contracts",
    "failure_class": "codefrontier.contracts",
    "sample_verdict": "codefrontier.contracts",
    "JudgePool": "pool",
    "default_jobs": "pool",
    "PoolClosed": "pool",
    "QueueFull": "pool",
    "compare_output": "compare",
    "values_equal": "compare",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'codefrontier.judge' has no attribute {name!r}")
    path = module if module.startswith("codefrontier.") else f"{__name__}.{module}"
    value = getattr(importlib.import_module(path), name)
    globals()[name] = value
    return value
