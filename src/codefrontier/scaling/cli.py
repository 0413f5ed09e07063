"""Sub-command `scale` of the `codefrontier` command: `scale run`, `scale check`,
`scale report` (docs/scaling.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codefrontier.errors import ConfigError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    scale = subparsers.add_parser(
        "scale",
        help="test-time scaling for agentic coding: rollouts, summaries, tournament voting, parallel-distill-refine",
        description="Draw agent rollouts per task, summarize them, select with Recursive Tournament Voting, refine "
        "with Parallel-Distill-Refine, and compare with best-of-N, majority vote, random-K and single-summary "
        "refinement and the pass@N oracle, judged on the hidden tests at equal compute (docs/scaling.md).",
    )
    actions = scale.add_subparsers(dest="action", metavar="ACTION", required=True)
    run = actions.add_parser(
        "run",
        help="run or resume a scaling experiment",
        description="Run every method of EXP.toml into one directory. Every rollout, summary, vote and verdict is "
        "cached: a rerun (after a kill, or with more methods) pays only for what is missing.",
    )
    check = actions.add_parser("check", help="check a scaling experiment file and its endpoints; run nothing")
    for parser in (run, check):
        parser.add_argument("file", type=Path, metavar="EXP.toml")
        parser.add_argument("--out", type=Path, metavar="DIR", help="run directory (overrides `out`)")
    run.add_argument("--jobs", type=int, default=None, help="worker sandboxes (overrides [sandbox] jobs)")
    run.add_argument(
        "--retry-failed",
        action="store_true",
        help="draw again the rollouts, and ask again the summaries, recorded as failed because the endpoint "
        "failed after every retry",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.set_defaults(func=run_command)
    check.set_defaults(func=check_command)
    report = actions.add_parser(
        "report",
        help="print a run's methods at their cost and write its HTML report",
        description="Print every method's solve rate, tokens by role, calls, wall time and sandbox CPU, the "
        "equal-cost comparison and the warnings of a scaling run; write the HTML report of its results store "
        "(with the solve-rate-vs-tokens figure) into DIR/report.",
    )
    report.add_argument("dir", type=Path, metavar="DIR", help="a scaling run directory")
    report.add_argument("--out", type=Path, help="report directory (default: DIR/report)")
    report.add_argument("--no-html", action="store_true", help="print the summary only")
    report.set_defaults(func=report_command)


def run_command(args: argparse.Namespace) -> int:
    from codefrontier.scaling.report import read_summary, summary_text
    from codefrontier.scaling.run import run_scaling

    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    run = run_scaling(
        args.file,
        out=args.out,
        progress=not args.no_progress and sys.stderr.isatty(),
        jobs=args.jobs,
        retry_failed=args.retry_failed,
        command=sys.argv,
    )
    counts = run.counts()
    paid = ", ".join(
        f"{v} {k.replace('_', ' ')}" for k, v in counts.items() if k not in ("tasks", "reused") and v
    )
    print(
        f"scaling {run.out}: {run.tasks} tasks; paid for {paid or 'nothing new'}; "
        f"{run.reused} records reused from the caches; {run.seconds:.1f} s"
    )
    print(summary_text(read_summary(run.out)))
    if run.failed_rollouts:
        for error in run.errors:
            print(f"  {error}", file=sys.stderr)
        print(
            f"codefrontier scale: {run.failed_rollouts} rollouts failed after every retry (recorded as failed); "
            "`codefrontier scale run --retry-failed` draws them again",
            file=sys.stderr,
        )
        return 1
    return 0


def check_command(args: argparse.Namespace) -> int:
    from codefrontier.scaling.run import check_scaling

    exp, problems = check_scaling(args.file, out=args.out)
    s = exp.scaling
    print(
        f"{args.file}: ok: {len(problems)} tasks, methods {', '.join(exp.methods)}; N={s.n}, K={s.k}, "
        f"rounds={s.rounds}, G={s.group_size}, V={s.votes}; {exp.pool} first-round rollouts per task; into {exp.run_dir}"
    )
    return 0


def report_command(args: argparse.Namespace) -> int:
    from codefrontier.scaling.report import report_scaling

    text, index = report_scaling(args.dir, out=args.out, html=not args.no_html)
    print(text)
    if index is not None:
        print(f"report: {index}")
    return 0
