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
    "JudgeConfig": "runner",
    "Mode": "runner",
    "SampleJudge": "runner",
    "Sample": "samples",
    "CompletionMode": "samples",
    "extract_program": "samples",
    "load_samples": "samples",
    "sample_from_json": "samples",
    "samples_from_solutions": "samples",
    "SampleResult": "results",
    "TestResult": "results",
    "Verdict": "verdicts",
    "FailureClass": "verdicts",
    "failure_class": "verdicts",
    "sample_verdict": "verdicts",
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
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
