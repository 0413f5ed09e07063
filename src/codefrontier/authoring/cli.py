"""Sub-command `validate` of the `codefrontier` command: the problem setter's checks."""

from __future__ import annotations

import argparse
import sys
import time

from codefrontier.problems.cli import add_problem_arguments


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    validate = subparsers.add_parser(
        "validate",
        help="problem-setter checks: references AC, wrong solutions get their tags, nested tiers, limits",
        description="Judge every known solution and check: references are AC on every test; known-wrong "
        "solutions get their tagged verdict; every tagged verdict holds on a machine 2x slower and 2x faster "
        "(margins from each test's measured CPU time and peak memory; docs/authoring.md); naive-TLE solutions "
        "pass the lowest level and fail a higher one; tests are distinct; generators are deterministic. "
        "A solution with a failed check is judged again (up to 3 runs, the machine's speed measured again "
        "before each) and keeps the checks most runs gave. Prints a table with the margins, then each failed "
        "check on a line of its own, and exits 1 on any violation.",
    )
    add_problem_arguments(validate)
    validate.add_argument("--jobs", type=int, default=None, help="worker sandboxes (default: one per core)")
    validate.add_argument("--only", nargs="+", metavar="ID", help="validate only these problems")
    validate.add_argument(
        "--isolation",
        default="auto",
        choices=("auto", "full", "namespaces", "rlimits"),
        help="sandbox isolation level (default: the strongest available; see `codefrontier doctor`)",
    )
    validate.set_defaults(func=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from codefrontier.authoring.validate import validate
    from codefrontier.errors import ConfigError
    from codefrontier.problems.registry import resolve_problems

    name, problems = resolve_problems(args.benchmark, args.problems)
    if args.only:
        wanted = set(args.only)
        unknown = wanted - {p.id for p in problems}
        if unknown:
            raise ConfigError(f"--only: no such problem(s) in {name}: {', '.join(sorted(unknown))}")
        problems = [p for p in problems if p.id in wanted]
    start = time.monotonic()
    validation = validate(problems, jobs=args.jobs, isolation=args.isolation, progress=sys.stderr.isatty())
    checks = validation.checks
    elapsed = time.monotonic() - start
    console = Console()
    table = Table("problem", "check", "result", "detail", title=f"validate {name}")
    for check in checks:
        table.add_row(
            escape(check.problem_id),
            escape(check.check),
            "[green]ok[/green]" if check.ok else "[red]FAIL[/red]",
            escape(check.detail),  # a detail quotes programs' output: text, never markup
        )
    console.print(table)
    console.print(validation.speed.describe())
    if rechecks := validation.describe_rechecks():
        console.print(rechecks)
    tightest = validation.tightest_margins()
    if tightest:
        console.print("tightest margins: " + "; ".join(tightest))
    failed = validation.failed
    for check in failed:  # again below the table, where a long report ends
        console.print(
            f"[red]FAIL[/red] {escape(check.problem_id)}: {escape(check.check)}: {escape(check.detail)}",
            highlight=False,
            soft_wrap=True,  # one line a failure, for grep and CI logs
        )
    tests = sum(len(p.tests) for p in problems)
    console.print(
        f"{len(problems)} problems, {tests} tests, {len(checks)} checks, {len(failed)} failed, {elapsed:.0f} s"
    )
    return 1 if failed else 0
