"""The one `codefrontier` command. A thin layer over the Python API: each sub-command
lives beside the code it drives, in a `register(subparsers)` function that adds its
parser and sets `func` (a callable taking the parsed arguments and returning an exit
code).

Start-up: only the module of the command being run is imported. `codefrontier --help`
lists every command from `COMMANDS` (name, module, one-line help) without importing any
of them; a test checks that table against what each module registers. A module listed in
COMMAND_MODULES but not yet in COMMANDS is imported and registered as before (slower, but
never missing)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

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
    "codefrontier.programs.cli",  # programs tasks|fuzz|validate|eval|solve
    "codefrontier.synth.cli",  # synth, curriculum
    "codefrontier.traces.cli",  # trace, debug, traces, cruxeval
    "codefrontier.scaling.cli",  # scale
    "codefrontier.feedback.cli",  # feedback-data
    "codefrontier.longcontext.cli",  # key-retrieval
]


# Every command: the module that registers it and its one-line help, as that module says
# it (tests/core/test_cli_startup.py checks both), in the order `--help` lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": (
        "codefrontier.demo",
        "the main job: the frontier experiment on a real small model (--quick: judge known solutions)",
    ),
    "judge": (
        "codefrontier.judge.cli",
        "judge samples against a benchmark's hidden tests into a results store",
    ),
    "doctor": (
        "codefrontier.judge.cli",
        "say which isolation level is active and check each protection",
    ),
    "export": (
        "codefrontier.problems.cli",
        "write a benchmark in the native JSONL format, with its known solutions",
    ),
    "validate": (
        "codefrontier.authoring.cli",
        "problem-setter checks: references AC, wrong solutions get their tags, nested tiers, limits",
    ),
    "import": (
        "codefrontier.problems.importers.cli",
        "convert a dataset in its published format to native problems (JSONL)",
    ),
    "serve": (
        "codefrontier.rewards.cli",
        "serve judging and rewards over HTTP (FastAPI), for RL trainers and many clients",
    ),
    "reward": (
        "codefrontier.rewards.cli",
        "compute rewards for a samples file (locally or on a running service)",
    ),
    "merge": (
        "codefrontier.merge.cli",
        "interpolate, extrapolate or add task vectors of checkpoints (a whole sweep in one pass)",
    ),
    "report": (
        "codefrontier.analysis.cli",
        "write an HTML report with plots and CSVs from results stores",
    ),
    "summary": (
        "codefrontier.analysis.cli",
        "print pass rates, verdict counts and failure classes per policy",
    ),
    "sample": (
        "codefrontier.sampling.cli",
        "draw samples from a model (server URL or checkpoint) in one inference setting",
    ),
    "fim": (
        "codefrontier.sampling.cli",
        "fill-in-the-middle training data (docs/infilling.md)",
    ),
    "experiment": (
        "codefrontier.experiment.cli",
        "run a whole frontier experiment from one file: merge, sample, judge, report",
    ),
    "programs": (
        "codefrontier.programs.cli",
        "rebuild-a-program tasks (ProgramBench): list, fuzz tests from a reference, validate, evaluate, solve",
    ),
    "synth": (
        "codefrontier.synth.cli",
        "generate synthetic problems with a teacher and a student, filter them, build stepping stones",
    ),
    "curriculum": (
        "codefrontier.synth.cli",
        "curriculum schedules: show one's phases and plot its weights over training steps",
    ),
    "trace": (
        "codefrontier.traces.cli",
        "trace one call of a Python program in the sandbox (CWM format or JSON)",
    ),
    "debug": (
        "codefrontier.traces.cli",
        "an interactive debugger whose every answer comes from real execution or a model",
    ),
    "traces": (
        "codefrontier.traces.cli",
        "debugger-action datasets: build, evaluate",
    ),
    "cruxeval": (
        "codefrontier.traces.cli",
        "CruxEval: score, generate, predict with a debugger",
    ),
    "scale": (
        "codefrontier.scaling.cli",
        "test-time scaling for agentic coding: rollouts, summaries, tournament voting, parallel-distill-refine",
    ),
    "feedback-data": (
        "codefrontier.feedback.cli",
        "execution-feedback SFT data (docs/feedback.md)",
    ),
    "key-retrieval": (
        "codefrontier.longcontext.cli",
        "Code Llama's long-context key retrieval: a depth x length heat map of exact matches",
    ),
}


def _chosen_command(argv: Sequence[str]) -> str | None:
    """The command named on the command line (the top level has only flags without values)."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def build_parser(argv: Sequence[str] | None = None, *, every_module: bool = False) -> argparse.ArgumentParser:
    """The parser for `argv`: the chosen command's module registers its real parser; every
    other known command gets a placeholder that carries its help line (`every_module`
    registers them all for real)."""
    parser = argparse.ArgumentParser(
        prog="codefrontier",
        description="Judge model-written programs, compute rewards, sweep checkpoints in weight space, "
        "and place every checkpoint on the correctness-efficiency frontier.",
    )
    parser.add_argument("--version", action=_VersionAction)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = _chosen_command(sys.argv[1:] if argv is None else argv)
    chosen_module = COMMANDS.get(chosen or "", ("", ""))[0]
    known = {module for module, _ in COMMANDS.values()}
    for name in COMMAND_MODULES:
        if name in known and name != chosen_module and not every_module:
            for command, (module, help_line) in COMMANDS.items():
                if module == name:
                    subparsers.add_parser(command, help=help_line, add_help=False)
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that part is not built yet
                continue
            raise
        module.register(subparsers)
    return parser


class _VersionAction(argparse.Action):
    """`--version`, looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from codefrontier import __version__

        print(f"codefrontier {__version__}")
        parser.exit()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    from codefrontier.errors import CodefrontierError  # after parsing: `--help` never needs it

    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        status = int(args.func(args) or 0)
        if getattr(args, "summarize", None):
            # Composition is this module's job: a command that wrote results stores asks for
            # their summary, and the analysis layer prints it (the judge never imports it).
            from codefrontier.analysis.summary import print_summary

            print_summary(args.summarize, k=getattr(args, "k", [1]))
        return status
    except CodefrontierError as exc:
        print(f"codefrontier {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"codefrontier {args.command}: interrupted; finished results are kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
