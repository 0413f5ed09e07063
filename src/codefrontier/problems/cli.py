"""Sub-command `export` of the `codefrontier` command, and the --benchmark/--problems
arguments every command that reads problems shares."""

from __future__ import annotations

import argparse
from pathlib import Path

from codefrontier.problems.registry import BENCHMARKS


def add_problem_arguments(parser: argparse.ArgumentParser) -> None:
    """--benchmark NAME | --problems FILE, shared by every command that reads problems."""
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--benchmark", metavar="NAME", help=f"a named benchmark: {', '.join(sorted(BENCHMARKS))}"
    )
    group.add_argument("--problems", type=Path, metavar="FILE", help="problems in the native JSONL format")


def add_subset_arguments(parser: argparse.ArgumentParser) -> None:
    """--problem-ids ID... and --limit N: run on a subset (`registry.select_problems`)."""
    parser.add_argument("--problem-ids", nargs="+", metavar="ID", help="only these problems, in this order")
    parser.add_argument(
        "--limit", type=int, metavar="N", help="only the first N problems (after --problem-ids)"
    )


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = subparsers.add_parser(
        "export",
        help="write a benchmark in the native JSONL format, with its known solutions",
        description="Write every problem of a benchmark (tests, limits, checker, and its solutions as "
        "{name, language, code, expected}) as native JSONL, to inspect, edit and re-judge.",
    )
    add_problem_arguments(export)
    export.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="output .jsonl (or .jsonl.gz)"
    )
    export.add_argument("--no-solutions", action="store_true", help="leave the solutions out")
    export.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    from codefrontier.problems.io import save_problems
    from codefrontier.problems.registry import resolve_problems

    name, problems = resolve_problems(args.benchmark, args.problems)
    count = save_problems(args.out, problems, with_solutions=not args.no_solutions)
    solutions = 0 if args.no_solutions else sum(len(p.solutions) for p in problems)
    print(
        f"wrote {count} problems of {name} ({sum(len(p.tests) for p in problems)} tests, {solutions} solutions) to {args.out}"
    )
    return 0
