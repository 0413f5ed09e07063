"""`codefrontier demo`: the main job on the bundled default, end to end.

Judges a benchmark's known solutions as separate policies (the bundled benchmark: each
problem's reference and its known-wrong solutions, tagged TLE, WA, MLE, RE; HumanEval:
the canonical solutions and mutants of them), prints pass rates, failure classes and the
highest coverage level per policy, and writes the frontier report.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codefrontier.contracts import Problem, Sample
from codefrontier.judge.samples import samples_from_solutions


def humaneval_samples(problems: list[Problem]) -> list[Sample]:
    """HumanEval's canonical solutions plus the shipped mutants (one policy per operator)."""
    from codefrontier.problems.humaneval_mutants import load_mutants

    samples = samples_from_solutions(problems)
    for sample in samples:
        sample.policy = "canonical"
    for mutant in load_mutants():
        samples.append(
            Sample(
                mutant["problem_id"],
                f"mutant-{mutant['operator']}",
                0,
                "python",
                mutant["code"],
                policy_meta={"mutation": mutant["operator"]},
            )
        )
    return samples


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    demo = subparsers.add_parser(
        "demo",
        help="the main job: judge a benchmark's known solutions as policies, summarize, write the report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--benchmark", default="bundled", choices=("bundled", "humaneval"))
    demo.add_argument("--out", type=Path, default=Path("demo-out"), help="results and report go here")
    demo.add_argument("--jobs", type=int, default=None, help="worker sandboxes (default: one per core)")
    demo.set_defaults(func=run_demo)


def levels_table(store: Path) -> str:
    """Per policy: the mean highest coverage level passed and how often each tier was the highest."""
    import duckdb
    from rich.console import Console
    from rich.table import Table

    rows = duckdb.sql(
        f"""
        SELECT policy, count(*) AS samples, avg(highest_level) AS mean_level,
               string_agg(DISTINCT coalesce(highest_tier, '-'), ' ') AS tiers,
               mode(coalesce(highest_tier, 'none')) AS typical_tier
        FROM read_parquet('{store / "samples.parquet"}') WHERE failure_class != 'internal'
        GROUP BY policy ORDER BY policy
        """
    ).fetchall()
    table = Table(
        "policy", "samples", "mean highest level", "most common highest tier", title="coverage levels"
    )
    for policy, samples, mean_level, _, typical in rows:
        table.add_row(policy, str(samples), f"{100 * mean_level:.1f}%", typical)
    console = Console(width=100, record=True)
    with console.capture() as capture:
        console.print(table)
    return capture.get()


def run_demo(args: argparse.Namespace) -> int:
    from codefrontier.analysis import print_summary, write_report
    from codefrontier.judge.api import run_judge
    from codefrontier.problems.registry import load_benchmark

    problems = load_benchmark(args.benchmark)
    samples = (
        humaneval_samples(problems) if args.benchmark == "humaneval" else samples_from_solutions(problems)
    )
    store = args.out / "results"
    print(f"judging {len(samples)} known solutions of {len(problems)} {args.benchmark} problems into {store}")
    report = run_judge(
        problems,
        samples,
        store,
        benchmark=args.benchmark,
        jobs=args.jobs,
        progress=sys.stderr.isatty(),
        inputs={
            "samples": "the benchmark's known solutions"
            + (" and mutants" if args.benchmark == "humaneval" else "")
        },
        command=sys.argv,
    )
    print(f"judged {report.judged} samples ({report.skipped} already done); isolation: {report.isolation}")
    print_summary([store])
    print(levels_table(store))
    index = write_report([store], args.out / "report", title=f"codefrontier demo: {args.benchmark}")
    print(f"report: {index.resolve()}")
    return 0
