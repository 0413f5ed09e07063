"""Test-time scaling for agentic coding (docs/scaling.md): rollouts of the agent setting,
structured summaries, Recursive Tournament Voting, agentic Parallel-Distill-Refine and
the baselines it must beat, with compute accounting, a simulation with exact
probabilities, and the `codefrontier scale` commands.

    from codefrontier.scaling import rtv, pdr, run_scaling, exact_selection_accuracy

Modules, one per concept: `rollouts`, `summaries`, `tournament` (RTV), `refinement` (PDR), `baselines`, `oracle`,
`accounting`, `simulation`, `pipeline`, `records` (the caches), `config` (the experiment
file), `run`, `outputs`, `plot`, `report`, `cli`. Names load on first use, so that
`codefrontier --help` stays fast.
"""

from __future__ import annotations

from codefrontier.lazy import lazy_exports

_EXPORTS = {
    "Rollout": "rollouts",
    "RefinementContext": "rollouts",
    "EpisodeAgent": "rollouts",
    "CachedAgent": "rollouts",
    "Summary": "summaries",
    "parse_summary": "summaries",
    "SummaryInvalid": "summaries",
    "fit": "summaries",
    "count_tokens": "summaries",
    "ModelSummarizer": "summaries",
    "DeterministicSummarizer": "summaries",
    "CachedSummarizer": "summaries",
    "rtv": "tournament",
    "Candidate": "tournament",
    "Ballot": "tournament",
    "Answer": "tournament",
    "Bracket": "tournament",
    "parse_final": "tournament",
    "ModelJudge": "tournament",
    "CachedJudge": "tournament",
    "pdr": "refinement",
    "PDRResult": "refinement",
    "Tournament": "refinement",
    "refinement_context": "refinement",
    "Pick": "baselines",
    "best_of_n": "baselines",
    "majority_vote": "baselines",
    "oracle_pick": "baselines",
    "Majority": "baselines",
    "InputWriter": "baselines",
    "JudgeOracle": "oracle",
    "OracleVerdict": "oracle",
    "Cost": "accounting",
    "Ledger": "accounting",
    "Point": "accounting",
    "ROLES": "accounting",
    "equal_cost": "accounting",
    "solve_rate_at": "accounting",
    "SimulatedAgent": "simulation",
    "SimulatedSummarizer": "simulation",
    "SimulatedJudge": "simulation",
    "SimulatedOracle": "simulation",
    "simulated_tasks": "simulation",
    "exact_selection_accuracy": "simulation",
    "measure_selection_accuracy": "simulation",
    "group_win_probability": "simulation",
    "Plan": "pipeline",
    "scale_task": "pipeline",
    "score": "pipeline",
    "points": "pipeline",
    "RecordCache": "records",
    "load_scaling_experiment": "config",
    "ScalingExperiment": "config",
    "run_scaling": "run",
    "check_scaling": "run",
    "ScalingRun": "run",
    "report_scaling": "report",
}

__getattr__, __all__ = lazy_exports(__name__, _EXPORTS)
