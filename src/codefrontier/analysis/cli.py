"""Sub-commands `report` and `summary` of the `codefrontier` command."""

from __future__ import annotations

import argparse
from pathlib import Path

from codefrontier.analysis.analyze import SELECTIONS, Options
from codefrontier.analysis.summary import BY_CHOICES, print_summary


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `report` and `summary` sub-commands."""
    report = subparsers.add_parser(
        "report",
        help="write an HTML report with plots and CSVs from results stores",
        description="Read one or more results stores (the --out directories of `codefrontier judge`) and write "
        "index.html, PNG plots and CSV tables: the correctness-efficiency frontier, failure classes, pass@k, "
        "complementarity and ensembles at a matched sample budget.",
    )
    report.add_argument("stores", nargs="+", type=Path, metavar="OUT", help="results store directories")
    report.add_argument(
        "--out", type=Path, default=Path("report"), help="report directory (default: report/)"
    )
    report.add_argument(
        "--k", type=int, nargs="+", dest="ks", metavar="K", help="k values of the pass@k table"
    )
    report.add_argument(
        "--budget",
        type=int,
        nargs="+",
        dest="budgets",
        metavar="K",
        help="total sample budgets for ensembles",
    )
    report.add_argument(
        "--selection",
        choices=SELECTIONS,
        default="crossfit",
        help="how the best split and best single policy are chosen for the headline gains (default: crossfit)",
    )
    _bucket_arguments(report)
    report.add_argument(
        "--complementarity-k",
        type=int,
        help="k at which a policy solves a problem (default: the largest estimable)",
    )
    report.add_argument(
        "--threshold", type=float, default=0.5, help="a problem is solved when pass@k >= this (default 0.5)"
    )
    report.add_argument("--bootstrap", type=int, default=1000, dest="resamples", help="bootstrap resamples")
    report.add_argument(
        "--seed", type=int, default=0, help="seed of the bootstrap and of the cross-fit halves"
    )
    report.add_argument("--title", help="title of the report page")
    report.set_defaults(func=run_report)

    summary = subparsers.add_parser(
        "summary",
        help="print pass rates, verdict counts and failure classes per policy",
        description="Print a table of judged samples, IE exclusions, failure-class rates, pass@k and verdict "
        "counts from one or more results stores.",
    )
    summary.add_argument("stores", nargs="+", type=Path, metavar="OUT", help="results store directories")
    summary.add_argument(
        "--k", type=int, nargs="+", default=[1], metavar="K", help="pass@k columns (default: 1)"
    )
    summary.add_argument(
        "--by", choices=BY_CHOICES, default="policy", help="rows per policy, problem or bucket"
    )
    _bucket_arguments(summary)
    summary.set_defaults(func=run_summary)


def _bucket_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reference",
        metavar="POLICY",
        help="policy whose solve rate defines difficulty buckets when the stores have no difficulty column "
        "(default: the mean over all policies)",
    )
    parser.add_argument(
        "--buckets", type=int, default=3, help="number of quantile difficulty buckets (default 3)"
    )


def run_report(args: argparse.Namespace) -> int:
    from codefrontier.analysis.report import write_report  # matplotlib loads only when a report is drawn

    options = Options(
        ks=tuple(args.ks) if args.ks else None,
        budgets=tuple(args.budgets) if args.budgets else None,
        selection=args.selection,
        reference=args.reference,
        buckets=args.buckets,
        complementarity_k=args.complementarity_k,
        threshold=args.threshold,
        resamples=args.resamples,
        seed=args.seed,
    )
    index = write_report(args.stores, args.out, options, title=args.title)
    print(f"report written: {index}")
    return 0


def run_summary(args: argparse.Namespace) -> int:
    print_summary(args.stores, k=args.k, by=args.by, reference=args.reference, buckets=args.buckets)
    return 0
