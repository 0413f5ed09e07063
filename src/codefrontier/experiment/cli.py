"""Sub-command `experiment` (run, check) of the `codefrontier` command (docs/sampling.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codefrontier.errors import ConfigError
from codefrontier.sampling.cli import _failed, _show_warnings


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    experiment = subparsers.add_parser(
        "experiment",
        help="run a whole frontier experiment from one file: merge, sample, judge, report",
        description="Experiments are described by a TOML file (docs/sampling.md).",
    )
    actions = experiment.add_subparsers(dest="action", metavar="ACTION", required=True)
    run = actions.add_parser(
        "run",
        help="run or resume an experiment",
        description="Merge the checkpoints, sample every policy, judge every sample and write the report, "
        "under one directory with a manifest. Every stage is cached: a second run of a finished experiment "
        "does no work.",
    )
    check = actions.add_parser(
        "check",
        help="check an experiment file, its paths and endpoints; do nothing else",
        description="Load EXP.toml and check every key (errors name the file, line and key), that its "
        "input paths exist and that its endpoints answer; run no stage.",
    )
    for parser in (run, check):
        parser.add_argument("file", type=Path, metavar="EXP.toml")
        parser.add_argument("--out", type=Path, metavar="DIR", help="experiment directory (overrides `out`)")
    run.add_argument("--jobs", type=int, default=None, help="worker sandboxes (overrides [judge] jobs)")
    for parser in (run, check):
        parser.add_argument(
            "--engine",
            choices=("auto", "transformers", "vllm"),
            help="sample the checkpoints with this engine (overrides [sampling] engine)",
        )
    run.add_argument(
        "--problem-ids", nargs="+", metavar="ID", help="evaluate only these problems this run (quick runs)"
    )
    run.add_argument("--limit", type=int, metavar="N", help="evaluate only the first N problems this run")
    run.add_argument("--no-progress", action="store_true", help="no progress bars")
    run.set_defaults(func=run_experiment_command)
    check.set_defaults(func=check_experiment_command)


def run_experiment_command(args: argparse.Namespace) -> int:
    from codefrontier.experiment.run import run_experiment

    _show_warnings()
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    run = run_experiment(
        args.file,
        out=args.out,
        progress=not args.no_progress and sys.stderr.isatty(),
        jobs=args.jobs,
        command=sys.argv,
        engine=args.engine,
        problem_ids=args.problem_ids,
        limit=args.limit,
    )
    did = ", ".join(run.did) if run.did else "nothing (every stage was already done)"
    print(f"experiment {run.out}: did {did} in {run.seconds:.1f} s ({run.cpu_seconds:.1f} s CPU)")
    if run.report is not None:
        print(f"report: {run.report}")
    if run.failed_samples:
        return _failed(
            run.errors, f"codefrontier experiment: {run.failed_samples} samples could not be drawn"
        )
    return 0


def check_experiment_command(args: argparse.Namespace) -> int:
    from codefrontier.experiment.run import check_experiment

    exp = check_experiment(args.file, out=args.out, engine=args.engine)
    merged = len(exp.merge.alphas or exp.merge.lambdas) if exp.merge else 0
    print(
        f"{args.file}: ok: {merged} merged and {len(exp.policies)} other policies, "
        f"{exp.sampling.n} {exp.sampling.setting.setting.value} samples per problem, into {exp.out}"
    )
    return 0
