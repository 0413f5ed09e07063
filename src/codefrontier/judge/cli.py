"""Sub-commands `judge` and `doctor` of the `codefrontier` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codefrontier.judge.config import JudgeConfig
from codefrontier.judge.samples import CompletionMode, load_samples, samples_from_solutions
from codefrontier.problems.cli import add_problem_arguments, add_subset_arguments
from codefrontier.problems.registry import resolve_problems, select_problems
from codefrontier.sandbox.isolation import LEVELS


def add_judge_arguments(
    parser: argparse.ArgumentParser, *, ray: bool = False, exclude: tuple[str, ...] = ("mode", "level")
) -> None:
    """--jobs (and --ray where a command can judge on a Ray cluster), then every judge
    setting as JudgeConfig declares it (judge/config.py), but those in `exclude`."""
    parser.add_argument("--jobs", type=int, default=None, help="worker sandboxes (default: one per core)")
    if ray:
        parser.add_argument(
            "--ray",
            metavar="auto|ADDRESS",
            help="judge on a Ray cluster (auto: the one this machine belongs to); needs codefrontier[ray]",
        )
    JudgeConfig.add_arguments(parser, exclude=exclude)


def config_from_args(args: argparse.Namespace, **overrides: object) -> JudgeConfig:
    from codefrontier.errors import ConfigError

    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        raise ConfigError(f"--jobs must be at least 1, got {args.jobs}")
    return JudgeConfig.from_args(args, **overrides)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    judge = subparsers.add_parser(
        "judge",
        help="judge samples against a benchmark's hidden tests into a results store",
        description="Run every sample against its problem's tests in the sandbox and write OUT/samples.parquet, "
        "OUT/tests.parquet and OUT/provenance.json. Re-running the same command resumes; Ctrl-C keeps every "
        "finished result.",
    )
    add_problem_arguments(judge)
    add_subset_arguments(judge)
    source = judge.add_mutually_exclusive_group(required=True)
    source.add_argument("--samples", type=Path, metavar="FILE", help="samples JSONL (docs/formats.md)")
    source.add_argument(
        "--solutions",
        action="store_true",
        help="judge the benchmark's own solutions instead, one policy per tag (reference, tle, wa, ...)",
    )
    judge.add_argument("--out", type=Path, required=True, metavar="DIR", help="results store directory")
    judge.add_argument(
        "--completion-mode",
        choices=[m.value for m in CompletionMode],
        default="full",
        help="full: `code`/`completion` is the whole program; append: a `completion` continues the prompt",
    )
    judge.add_argument("--k", type=int, nargs="+", default=[1], help="pass@k columns of the final summary")
    judge.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_judge_arguments(judge, ray=True, exclude=())
    judge.set_defaults(func=run_judge_command)

    doctor = subparsers.add_parser(
        "doctor",
        help="say which isolation level is active and check each protection",
        description="Detect the strongest isolation this machine allows, then run probe programs in the sandbox "
        "and report each protection that holds or fails.",
    )
    doctor.add_argument(
        "--isolation",
        choices=("auto", *LEVELS),
        default="auto",
        help="probe this level instead of the strongest available one",
    )
    doctor.set_defaults(func=run_doctor)


def run_judge_command(args: argparse.Namespace) -> int:
    from codefrontier.judge.api import file_digest, run_judge

    config = config_from_args(args)
    benchmark, problems = resolve_problems(args.benchmark, args.problems)
    by_id = {p.id: p for p in problems}  # every sample is checked against the whole benchmark
    problems = select_problems(problems, args.problem_ids, args.limit, benchmark=benchmark)
    inputs: dict[str, object] = {}
    if args.problems is not None:
        inputs["problems_file"] = str(args.problems)
        inputs["problems_sha256"] = file_digest(args.problems)
    if args.solutions:
        samples = samples_from_solutions(problems)
        inputs["samples"] = "the benchmark's own solutions"
    else:
        samples = load_samples(
            args.samples,
            by_id,
            mode=CompletionMode(args.completion_mode),
            max_code_bytes=config.max_code_bytes,
        )
        inputs["samples_file"] = str(args.samples)
        inputs["samples_sha256"] = file_digest(args.samples)
    if args.problem_ids or args.limit is not None:
        chosen = {p.id for p in problems}
        samples = [s for s in samples if s.problem_id in chosen]
        inputs["problem_subset"] = sorted(chosen)
    pool = None
    if args.ray:
        from codefrontier.judge.ray_pool import ray_pool

        pool = ray_pool(config, args.jobs, address=args.ray)
    try:
        report = run_judge(
            problems,
            samples,
            args.out,
            benchmark=benchmark,
            config=config,
            jobs=args.jobs,
            progress=not args.no_progress and sys.stderr.isatty(),
            inputs=inputs,
            command=sys.argv,
            pool=pool,
        )
    finally:
        if pool is not None:
            pool.close()
    print(
        f"judged {report.judged} samples ({report.skipped} already in {args.out}); isolation: {report.isolation}"
        + (
            f"; {report.internal_errors} internal errors (IE, not charged to samples)"
            if report.internal_errors
            else ""
        )
    )
    args.summarize = [args.out]  # the command line prints the store's summary after (cli.py)
    return 0


def run_doctor(args: argparse.Namespace) -> int:
    from codefrontier.judge.doctor import run_checks

    return run_checks(args.isolation)
