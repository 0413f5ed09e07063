"""Sub-commands `synth generate|chains|filter` and `curriculum show` (docs/synth.md)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from codefrontier.errors import ConfigError

ENVIRONMENT_NAMES = ("induction", "abduction", "deduction", "fuzzing")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from codefrontier.synth.settings import LoopSettings, RunLimits

    synth = subparsers.add_parser(
        "synth",
        help="generate synthetic problems with a teacher and a student, filter them, build stepping stones",
        description="Synthetic problems for code RL (docs/synth.md).",
    )
    actions = synth.add_subparsers(dest="action", metavar="ACTION", required=True)

    generate = actions.add_parser(
        "generate",
        help="run the multi-turn teacher-student loop over seeds",
        description="For each seed the teacher writes a problem, the student attempts it M times, and the teacher "
        "sees the pass rate and is asked for a harder or easier variant, for T turns. Writes OUT/problems.jsonl "
        "(native format), OUT/samples.jsonl, OUT/turns.jsonl and OUT/summary.json; re-running the same command "
        "resumes and pays for no model answer twice.",
    )
    generate.add_argument("--env", required=True, choices=ENVIRONMENT_NAMES, help="execution environment")
    _add_models(generate)
    seeds = generate.add_mutually_exclusive_group()
    seeds.add_argument(
        "--seeds", type=Path, metavar="STORE", help="a results store: its solved problems are seeds"
    )
    seeds.add_argument(
        "--corpus",
        type=Path,
        metavar="DIR",
        help="a folder of Python code to draw 25-50-line snippets from (default: the standard library's source)",
    )
    generate.add_argument("--n", type=int, default=100, help="seeds (default 100)")
    LoopSettings.add_arguments(generate)
    RunLimits.add_arguments(generate)
    _add_judging(generate)
    generate.add_argument("--out", type=Path, required=True, metavar="DIR", help="run directory (resumable)")
    generate.set_defaults(func=run_generate)

    chains = actions.add_parser(
        "chains",
        help="build stepping-stone chains top-down from generated hard problems, and their matched baseline",
        description="For every hard problem of FILE the teacher writes a medium, then an easy variant of the same "
        "core task, each measured with M student attempts (retried up to --tries times when it misses its bin). "
        "Writes OUT/chains.jsonl, OUT/chains.json and OUT/baseline.jsonl (disjoint easy/medium/hard sets with the "
        "chains' pass-rate histograms); resumable.",
    )
    chains.add_argument(
        "--problems", type=Path, required=True, metavar="FILE", help="problems.jsonl of a generate run"
    )
    _add_models(chains)
    chains.add_argument(
        "--bins", choices=("narrow", "broad"), default="narrow", help="difficulty bins (default narrow)"
    )
    chains.add_argument("--tries", type=int, default=2, help="teacher tries per variant (default 2)")
    chains.add_argument("--n", type=int, default=None, help="at most this many chains")
    LoopSettings.add_arguments(chains, exclude=("turns",))
    RunLimits.add_arguments(chains)
    _add_judging(chains)
    chains.add_argument("--out", type=Path, required=True, metavar="DIR", help="output directory (resumable)")
    chains.set_defaults(func=run_chains)

    filt = actions.add_parser(
        "filter",
        help="keep viable problems (0.01 < p < 0.97), drop exact and AST duplicates, assign bins",
        description="Reads problems written by `synth generate` (or several runs' files) and writes the viable, "
        "deduplicated ones with their bins; prints the yield of viable problems per turn.",
    )
    filt.add_argument("problems", type=Path, nargs="+", metavar="FILE", help="problems.jsonl files")
    filt.add_argument("--low", type=float, default=0.01, help="keep pass rates above this (default 0.01)")
    filt.add_argument("--high", type=float, default=0.97, help="keep pass rates below this (default 0.97)")
    filt.add_argument(
        "--bins", choices=("narrow", "broad"), default="narrow", help="difficulty bins (default narrow)"
    )
    filt.add_argument("--keep-duplicates", action="store_true", help="do not deduplicate")
    filt.add_argument("--out", type=Path, required=True, metavar="FILE", help="the filtered problems")
    filt.set_defaults(func=run_filter)

    curriculum = subparsers.add_parser(
        "curriculum",
        help="curriculum schedules: show one's phases and plot its weights over training steps",
        description="Schedules are named (uniform, soft, hard, classic, reverse, medium-easy) or TOML files "
        "(docs/synth.md, 'Curricula').",
    )
    cactions = curriculum.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = cactions.add_parser("show", help="print a schedule's phases and plot its weights")
    show.add_argument("schedule", metavar="SCHEDULE", help="a named schedule or a .toml file")
    show.add_argument(
        "--out", type=Path, help="the plot (default: SCHEDULE.png beside the file, or NAME.png)"
    )
    show.add_argument(
        "--steps", type=int, help="plot up to this step (default: 1.25 x the last phase's start)"
    )
    show.set_defaults(func=run_curriculum_show)


def _add_models(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--teacher", required=True, metavar="URL_OR_PATH", help="teacher model: server URL or checkpoint"
    )
    parser.add_argument(
        "--student",
        required=True,
        metavar="URL_OR_PATH",
        help="student model (may be the teacher's, in another mode)",
    )
    parser.add_argument("--teacher-model-name", help="HTTP: the teacher's served model name")
    parser.add_argument("--student-model-name", help="HTTP: the student's served model name")
    parser.add_argument("--api-key", help="HTTP: API key (default: $OPENAI_API_KEY)")
    parser.add_argument("--max-in-flight", type=int, default=32, help="HTTP: requests in flight per model")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="HTTP: seconds per request (default 600)"
    )
    parser.add_argument(
        "--max-retries", type=int, default=6, help="HTTP: retries of 429/5xx/timeouts (default 6)"
    )


def _add_judging(parser: argparse.ArgumentParser) -> None:
    from codefrontier.sandbox import LEVELS

    parser.add_argument("--jobs", type=int, default=None, help="judge sandboxes (default: one per core)")
    parser.add_argument(
        "--isolation",
        choices=("auto", *LEVELS),
        default="auto",
        help="sandbox isolation level (default auto)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _backends(args: argparse.Namespace) -> tuple[Any, Any]:
    from codefrontier.sampling import open_backend

    def make(model: str, name: str | None) -> Any:
        return open_backend(
            model,
            model_name=name,
            api_key=args.api_key or os.environ.get("OPENAI_API_KEY"),
            max_in_flight=args.max_in_flight,
            timeout_s=args.timeout,
            max_retries=args.max_retries,
        )

    teacher = make(args.teacher, args.teacher_model_name)
    same = args.student == args.teacher and args.student_model_name == args.teacher_model_name
    return teacher, teacher if same else make(args.student, args.student_model_name)


def run_generate(args: argparse.Namespace) -> int:
    from codefrontier.synth.envs import get_environment
    from codefrontier.synth.generate import generate
    from codefrontier.synth.seeds import default_corpus, snippet_seeds, solved_seeds
    from codefrontier.synth.settings import LoopSettings, RunLimits

    if args.n < 1:
        raise ConfigError("--n must be at least 1")
    settings = LoopSettings.from_args(args)
    limits = RunLimits.from_args(args)
    if args.seeds is not None:
        seeds = solved_seeds(args.seeds, args.n)
        source = {"kind": "store", "path": str(args.seeds.resolve())}
    else:
        seeds = snippet_seeds(args.corpus, args.n, settings.seed)
        source = {
            "kind": "corpus",
            "path": str((args.corpus or default_corpus()).resolve()),
            "seed": settings.seed,
        }
    teacher, student = _backends(args)
    report = generate(
        env=get_environment(args.env),
        teacher=teacher,
        student=student,
        seeds=seeds,
        seed_source=source,
        out=args.out,
        settings=settings,
        limits=limits,
        jobs=args.jobs,
        isolation=args.isolation,
        progress=not args.no_progress and sys.stderr.isatty(),
    )
    tokens = {role: usage.total_tokens for role, usage in report.costs.items()}
    print(
        f"{args.out}: {report.turns_played} turns played ({report.turns_done_before} already done), "
        f"{report.problems} problems, {report.viable} viable and unique; tokens this run: "
        + ", ".join(f"{role} {n:,}" for role, n in tokens.items())
    )
    print(f"problems: {args.out / 'problems.jsonl'}  summary: {args.out / 'summary.json'}")
    return _errors(report.errors)


def run_chains(args: argparse.Namespace) -> int:
    from codefrontier.synth.bins import bin_set
    from codefrontier.synth.chains import build_chains
    from codefrontier.synth.output import load_tasks
    from codefrontier.synth.settings import LoopSettings, RunLimits

    if args.tries < 1:
        raise ConfigError("--tries must be at least 1")
    settings = LoopSettings.from_args(args)
    limits = RunLimits.from_args(args)
    tasks = load_tasks(args.problems)
    teacher, student = _backends(args)
    report = build_chains(
        tasks=tasks,
        teacher=teacher,
        student=student,
        out=args.out,
        settings=settings,
        limits=limits,
        bins=bin_set(args.bins),
        tries=args.tries,
        limit=args.n,
        jobs=args.jobs,
        isolation=args.isolation,
        seed=settings.seed,
    )
    print(
        f"{args.out}: {report.chains} chains, {report.complete} complete; matched baseline "
        + ", ".join(f"{role} {n}" for role, n in report.baseline.items())
        + (f" (unmatched: {report.unmatched})" if any(report.unmatched.values()) else "")
    )
    return _errors(report.errors)


def run_filter(args: argparse.Namespace) -> int:
    from codefrontier.synth.bins import bin_of, bin_set
    from codefrontier.synth.dedup import dedup
    from codefrontier.synth.filtering import ViableRange, yield_by_turn
    from codefrontier.synth.output import load_tasks, write_problems

    viable = ViableRange(args.low, args.high)
    bins = bin_set(args.bins)
    tasks = [t for path in args.problems for t in load_tasks(path)]
    ids = [t.id for t in tasks]
    if len(set(ids)) < len(ids):
        raise ConfigError(
            "the files share problem ids; filter runs with different --out directories separately"
        )
    kept = [t for t in tasks if viable.holds(t.meta.get("pass_rate"))]
    dropped = {"exact": 0, "ast": 0}
    if not args.keep_duplicates:
        kept, dropped = dedup(kept, lambda t: t)
    for task in kept:
        task.meta["bin"] = bin_of(task.meta.get("pass_rate"), bins)
    write_problems(args.out, kept)
    rows = [
        {"turn": t.meta.get("turn", 0), "task_id": t.id, "pass_rate": t.meta.get("pass_rate")} for t in tasks
    ]
    print(
        f"{args.out}: kept {len(kept)} of {len(tasks)} problems ({viable.low} < p < {viable.high}; "
        f"duplicates dropped: {dropped['exact']} exact, {dropped['ast']} after AST normalization)"
    )
    counts: dict[str, int] = {}
    for task in kept:
        counts[task.meta["bin"] or "none"] = counts.get(task.meta["bin"] or "none", 0) + 1
    print("bins: " + ", ".join(f"{name} {n}" for name, n in sorted(counts.items())))
    for row in yield_by_turn(rows, viable, {t.id for t in kept}):
        print(f"turn {row['turn']}: {row['viable_unique']} viable and unique of {row['answers']} problems")
    return 0


def run_curriculum_show(args: argparse.Namespace) -> int:
    from codefrontier.synth.curriculum import load_schedule, plot_schedule

    schedule = load_schedule(args.schedule)
    print(f"schedule {schedule.name}: bins {', '.join(schedule.bins)}")
    for phase in schedule.phases:
        weights = schedule.weights_at(phase.start)
        print(f"  from step {phase.start:>7}: " + "  ".join(f"{k} {v:.2f}" for k, v in weights.items()))
    source = Path(args.schedule)
    out = args.out or (
        source.with_suffix(".png") if source.suffix == ".toml" else Path(f"{schedule.name}.png")
    )
    plot_schedule(schedule, out, steps=args.steps)
    print(f"plot: {out}")
    return 0


def _errors(errors: list[str]) -> int:
    if not errors:
        return 0
    for error in errors[:20]:
        print(f"  {error}", file=sys.stderr)
    print(
        f"{len(errors)} conversations could not finish in this run; run the same command again to continue",
        file=sys.stderr,
    )
    return 1
