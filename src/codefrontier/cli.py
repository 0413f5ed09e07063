"""The one `codefrontier` command. A thin layer over the Python API: each sub-command
lives beside the code it drives, in a `register(subparsers)` function that adds its
parser and sets `func` (a callable taking the parsed arguments and returning an exit
code)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from codefrontier import __version__
from codefrontier.errors import CodefrontierError

# Modules that contribute sub-commands, in the order `--help` lists them.
COMMAND_MODULES = [
    "codefrontier.demo",  # demo (the main job)
    "codefrontier.judge.cli",  # judge, doctor
    "codefrontier.problems.cli",  # export
    "codefrontier.authoring.cli",  # validate
    "codefrontier.problems.importers.cli",  # import
    "codefrontier.rewards.cli",  # serve, reward
    "codefrontier.merge.cli",  # merge
    "codefrontier.analysis.cli",  # report, summary
    "codefrontier.sampling.cli",  # sample, fim
    "codefrontier.experiment.cli",  # experiment
    "codefrontier.feedback.cli",  # feedback-data
    "codefrontier.longcontext.cli",  # key-retrieval
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codefrontier",
        description="Judge model-written programs, compute rewards, sweep checkpoints in weight space, "
        "and place every checkpoint on the correctness-efficiency frontier.",
    )
    parser.add_argument("--version", action="version", version=f"codefrontier {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that part is not built yet
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CodefrontierError as exc:
        print(f"codefrontier {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"codefrontier {args.command}: interrupted; finished results are kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
