"""The judge: samples in, verdicts and measured costs out (docs/verdicts.md).

    from codefrontier.judge import judge_samples, run_judge, JudgeConfig, Sample, Verdict

This is the judge's public API; the systems built on it (rewards, experiment, traces,
programs, scaling, synth, feedback) import from here, never from its modules. Names load
on first use, so that `codefrontier.judge.cli`, which every `codefrontier` command
imports, stays light.
"""

from __future__ import annotations

from codefrontier.lazy import lazy_exports

_EXPORTS = {
    "judge_samples": "api",
    "run_judge": "api",
    "judge_progress": "api",
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
    "samples_from_solutions": "samples",
    "JudgePool": "pool",
    "default_jobs": "pool",
    "PoolClosed": "pool",
    "QueueFull": "pool",
    "compare_output": "compare",
    "values_equal": "compare",
}

__getattr__, __all__ = lazy_exports(__name__, _EXPORTS)
