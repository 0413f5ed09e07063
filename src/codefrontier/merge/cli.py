"""`codefrontier merge`: a thin layer over `codefrontier.merge` (imported only when the
command runs, so other commands do not load torch).

The flags that say how outputs are written are generated from `MergeSettings`' fields;
`--method` offers every registered method (`codefrontier.merge.methods`)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from codefrontier.errors import ConfigError
from codefrontier.merge.methods import PairMethod, TaskVectorMethod, method_class, method_names
from codefrontier.merge.settings import MergeSettings

if TYPE_CHECKING:
    from codefrontier.merge.inspection import InspectReport

EXAMPLES = """\
examples:
  # interpolate (0..1) and extrapolate (<0, >1) between two checkpoints, one pass for all alphas
  codefrontier merge --low ckpt/sft --high ckpt/rl --alpha -0.5 0 0.25 0.5 0.75 1 1.25 1.5 --out sweeps/sft-rl

  # task arithmetic: base + 0.5 (T1 - base) + 0.5 (T2 - base), and a second output with lambdas 1 1
  codefrontier merge --base ckpt/base --task ckpt/code --task ckpt/math --lambda 0.5 0.5 --lambda 1 1 --out sweeps/ta

  # how much of high - low survives rounding to bfloat16 at each alpha (writes nothing)
  codefrontier merge --inspect --low ckpt/sft --high ckpt/rl --alpha 0.5 1 1.5 --out-dtype bfloat16
"""

# The method each set of inputs means when --method is not given.
DEFAULT_PAIR_METHOD = "interpolation"
DEFAULT_TASK_METHOD = "task_arithmetic"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "merge",
        help="interpolate, extrapolate or add task vectors of checkpoints (a whole sweep in one pass)",
        description="Write theta(alpha) = (1 - alpha) * theta_low + alpha * theta_high for every --alpha,\n"
        "or theta_base + sum_i lambda_i * (theta_task_i - theta_base) for every --lambda vector,\n"
        "as Hugging Face safetensors checkpoints under --out, reading each input tensor once.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--method",
        choices=method_names(),
        help=f"the merge method (default: {DEFAULT_PAIR_METHOD} for --low/--high, "
        f"{DEFAULT_TASK_METHOD} for --base/--task)",
    )
    pair = parser.add_argument_group(
        "interpolation and extrapolation (two checkpoints, one output per alpha)"
    )
    pair.add_argument("--low", metavar="DIR", help="checkpoint at alpha 0 (side files are copied from it)")
    pair.add_argument("--high", metavar="DIR", help="checkpoint at alpha 1")
    pair.add_argument(
        "--alpha", nargs="+", type=float, metavar="A", help="one output per value, e.g. -0.5 0 0.5 1 1.5"
    )
    tasks = parser.add_argument_group(
        "task arithmetic (a base and task checkpoints, one output per --lambda)"
    )
    tasks.add_argument(
        "--base", metavar="DIR", help="the shared starting point (side files are copied from it)"
    )
    tasks.add_argument(
        "--task", action="append", metavar="DIR", help="a fine-tuned checkpoint; repeat for several"
    )
    tasks.add_argument(
        "--lambda",
        dest="lambdas",
        action="append",
        nargs="+",
        type=float,
        metavar="L",
        help="one value per --task; repeat --lambda for more outputs",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--out", metavar="DIR", help="directory that receives one checkpoint per alpha or lambda vector"
    )
    MergeSettings.add_arguments(output)
    inspect = parser.add_argument_group("inspection")
    inspect.add_argument(
        "--inspect",
        action="store_true",
        help="report how high differs from low and what rounding loses; write nothing",
    )
    inspect.add_argument("--json", action="store_true", help="with --inspect: print the report as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    _require_merge_extra()
    settings = MergeSettings.from_args(args)  # the class checks every value
    if args.inspect:
        return _inspect(args, settings)
    from codefrontier.merge.sweep import merge

    pair = args.low is not None or args.high is not None or args.alpha is not None
    tasks = args.base is not None or args.task is not None or args.lambdas is not None
    if pair == tasks:
        raise ConfigError("give either --low, --high and --alpha, or --base, --task and --lambda")
    if args.out is None:
        raise ConfigError("--out DIR is required")
    cls = method_class(args.method or (DEFAULT_PAIR_METHOD if pair else DEFAULT_TASK_METHOD))
    if pair:
        if not issubclass(cls, PairMethod):
            raise ConfigError(f"--method {cls.name} takes --base, --task and --lambda, not --low and --high")
        _require(args, "low", "high", "alpha")
        method, inputs = cls(args.alpha), [args.low, args.high]
    else:
        if not issubclass(cls, TaskVectorMethod):
            raise ConfigError(f"--method {cls.name} takes --low, --high and --alpha, not --base and --task")
        _require(args, "base", "task", "lambdas")
        method, inputs = cls(args.lambdas, len(args.task)), [args.base, *args.task]
    result = merge(method, inputs, args.out, settings)
    for warning in result.warnings:
        print(f"codefrontier merge: warning: {warning}", file=sys.stderr)
    for output in result.outputs:
        note = f"  (= {output.copied_from}, bit for bit)" if output.copied_from else ""
        print(f"{output.path}{note}")
    print(result.summary())
    return 0


def _inspect(args: argparse.Namespace, settings: MergeSettings) -> int:
    from codefrontier.merge.inspection import DEFAULT_INSPECT_ALPHAS, inspect_merge

    if args.low is None or args.high is None:
        raise ConfigError("--inspect needs --low and --high")
    if args.base is not None or args.task is not None or args.lambdas is not None or args.out is not None:
        raise ConfigError(
            "--inspect compares --low and --high and writes nothing: drop --base, --task, --lambda, --out"
        )
    if args.method not in (None, DEFAULT_PAIR_METHOD):
        raise ConfigError(f"--inspect measures {DEFAULT_PAIR_METHOD}: drop --method {args.method}")
    alphas = args.alpha if args.alpha is not None else DEFAULT_INSPECT_ALPHAS
    report = inspect_merge(
        args.low, args.high, alphas, out_dtype=settings.out_dtype, progress=settings.progress
    )
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print_report(report)
    return 0


def _require(args: argparse.Namespace, *names: str) -> None:
    missing = [n for n in names if getattr(args, n) is None]
    if missing:
        flags = ", ".join("--lambda" if n == "lambdas" else f"--{n}" for n in missing)
        raise ConfigError(f"missing {flags}")


def _require_merge_extra() -> None:
    for module in ("torch", "numpy"):
        try:
            __import__(module)
        except ModuleNotFoundError as exc:
            raise ConfigError(
                f"codefrontier merge needs {module}: pip install 'codefrontier[merge]'"
            ) from exc


def print_report(report: InspectReport) -> None:
    """The inspection as a table: one row per tensor, a total row, then a one-line verdict."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    dtype = report.out_dtype or "the input dtype"
    table = Table(title=f"high - low, and changes lost in {dtype}", title_justify="left")
    table.add_column("tensor", no_wrap=True)
    table.add_column("shape")
    table.add_column("‖Δ‖", justify="right")
    table.add_column("‖Δ‖/‖low‖", justify="right")
    table.add_column("changed", justify="right")
    for alpha in report.alphas:
        table.add_column(f"lost α={alpha:g}", justify="right")
    for t in report.tensors:
        table.add_row(
            escape(t.name),  # a checkpoint's tensor names: text, never markup
            "x".join(map(str, t.shape)),
            f"{t.diff_norm:.3g}",
            f"{t.relative_change:.2e}",
            _percent(t.changed / t.numel if t.numel else None),
            *(_percent(t.lost_fraction(a)) for a in report.alphas),
        )
    relative = report.diff_norm / report.low_norm if report.low_norm else 0.0
    table.add_section()
    table.add_row(
        "total",
        f"{report.numel:,}",
        f"{report.diff_norm:.3g}",
        f"{relative:.2e}",
        _percent(report.changed / report.numel if report.numel else None),
        *(_percent(report.lost_fraction(a)) for a in report.alphas),
    )
    console = Console()
    if not console.is_terminal:  # piped or captured: keep every row on one line
        console = Console(width=240)
    console.print(table)
    worst = [(a, f) for a in report.alphas if (f := report.lost_fraction(a)) is not None]
    if worst:
        alpha, fraction = max(worst, key=lambda item: item[1])
        console.print(
            f"At alpha {alpha:g}, {fraction:.1%} of the {report.changed:,} changed elements round back to low "
            f"in {dtype}."
        )


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"
