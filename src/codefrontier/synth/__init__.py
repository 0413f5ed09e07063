"""Synthetic problems and curricula for code RL (docs/synth.md).

    from codefrontier.synth import ENVIRONMENTS, SynthTask, Grader, generate, Schedule, CurriculumSampler

Four execution environments (induction, abduction, deduction, fuzzing) grade student
answers through the judge; a teacher's answer is parsed and its `f` run in the sandbox;
a multi-turn loop steers the teacher towards problems the student solves 35-65% of the
time; filters, bins, stepping-stone chains and curricula turn the result into training
data in the native problems format. Names load on first use.
"""

from __future__ import annotations

from codefrontier.lazy import lazy_exports

_EXPORTS = {
    "ENVIRONMENTS": "envs",
    "Environment": "envs",
    "Answer": "envs",
    "get_environment": "envs",
    "SynthTask": "task",
    "Draft": "task",
    "Reason": "task",
    "Rejection": "task",
    "TeacherRules": "teacher",
    "parse_teacher_answer": "teacher",
    "ProgramRunner": "execution",
    "RunLimits": "settings",
    "Grader": "grading",
    "AttemptResult": "grading",
    "pass_rate": "grading",
    "Seed": "seeds",
    "snippet_seeds": "seeds",
    "solved_seeds": "seeds",
    "default_corpus": "seeds",
    "Instruction": "progression",
    "Progression": "progression",
    "LoopSettings": "settings",
    "TurnEngine": "loop",
    "Journal": "journal",
    "TurnRecord": "journal",
    "generate": "generate",
    "GenerateReport": "generate",
    "ViableRange": "filtering",
    "yield_by_turn": "filtering",
    "dedup": "dedup",
    "ast_key": "dedup",
    "exact_key": "dedup",
    "Bin": "bins",
    "NARROW": "bins",
    "BROAD": "bins",
    "bin_of": "bins",
    "bin_set": "bins",
    "build_chains": "chains",
    "matched_baseline": "chains",
    "Schedule": "curriculum",
    "SCHEDULES": "curriculum",
    "load_schedule": "curriculum",
    "CurriculumSampler": "curriculum",
    "CurriculumDataset": "curriculum",
    "grpo_advantages": "curriculum",
    "SynthReward": "rewards",
    "load_tasks": "output",
    "task_problem": "output",
}

__getattr__, __all__ = lazy_exports(__name__, _EXPORTS)
