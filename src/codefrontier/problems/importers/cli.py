"""`codefrontier import FORMAT PATH --out FILE`: convert a dataset to native JSONL."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codefrontier.contracts import Problem
from codefrontier.problems.importers import IMPORTERS, ImportRun
from codefrontier.problems.io import save_problems

SUMMARY_REASONS = 3  # skipped records named in the summary line; all are listed as warnings


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def register(subparsers: Any) -> None:
    """Add the `import` sub-command."""
    formats = ", ".join(f"{f.name} ({f.title})" for f in IMPORTERS.values())
    parser = subparsers.add_parser(
        "import",
        help="convert a dataset in its published format to native problems (JSONL)",
        description=f"Convert a dataset in its published format to native problems. Formats: {formats}. "
        "PATH is a JSONL, JSON-array or Parquet file (optionally gzipped), or a directory of them "
        "(read in name order). See docs/importers.md.",
    )
    parser.add_argument("format", metavar="FORMAT", choices=sorted(IMPORTERS), help="dataset format")
    parser.add_argument("path", metavar="PATH", type=Path, help="dataset file or directory")
    parser.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="FILE",
        help="native JSONL to write (.jsonl or .jsonl.gz), written atomically",
    )
    parser.add_argument(
        "--on-error",
        choices=("stop", "skip"),
        default="stop",
        help="on a record that cannot be converted: stop with an error naming it (default), "
        "or skip it with a warning and go on",
    )
    parser.add_argument("--limit", type=_positive_int, metavar="N", help="stop after converting N problems")
    parser.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    run = ImportRun(args.format, args.path, on_error=args.on_error, limit=args.limit)
    save_problems(args.out, _with_progress(run))  # atomic: a failed run leaves no (partial) output file
    for where, reason in run.skipped:
        print(f"codefrontier import: warning: skipped {where}: {reason}", file=sys.stderr)
    print(summary_line(run, args.path, args.out))
    return 0


def _with_progress(run: ImportRun) -> Iterator[Problem]:
    """The run's problems, with a live count on stderr when it is a terminal (a large
    dataset takes minutes to convert)."""
    if not sys.stderr.isatty():
        yield from run
        return
    from rich.console import Console
    from rich.markup import escape

    where = escape(str(run.path))
    with Console(stderr=True, highlight=False).status(f"importing {where}") as status:
        for problem in run:
            status.update(
                f"importing {where}: {run.converted} problems ({run.tests} tests), "
                f"{len(run.skipped)} records skipped"
            )
            yield problem


def summary_line(run: ImportRun, path: Path, out: Path) -> str:
    text = f"imported {run.converted} {run.format.name} problems ({run.tests} tests) from {path} to {out}"
    text += f"; skipped {len(run.skipped)} records"
    if run.skipped:
        shown = "; ".join(f"{where}: {reason}" for where, reason in run.skipped[:SUMMARY_REASONS])
        more = len(run.skipped) - SUMMARY_REASONS
        text += f" ({shown}{f'; and {more} more, listed above' if more > 0 else ''})"
    if run.limit is not None and run.converted >= run.limit:
        text += f"; stopped at --limit {run.limit}"
    return text
