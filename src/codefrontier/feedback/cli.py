"""Sub-command `feedback-data generate` of the `codefrontier` command (docs/feedback.md)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from codefrontier.errors import ConfigError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from codefrontier.sandbox.isolation import LEVELS

    data = subparsers.add_parser("feedback-data", help="execution-feedback SFT data (docs/feedback.md)")
    commands = data.add_subparsers(dest="feedback_command", metavar="COMMAND", required=True)
    gen = commands.add_parser(
        "generate",
        help="dialogs in which a model's solution is checked (parser, ruff, its unit tests, the problem's "
        "tests) and revised from the feedback; the ones that finally pass become SFT records",
        description="For each task the model writes a solution with its reasoning in comments and unit tests; "
        "every answer is checked by the parser, ruff, the model's tests run in the sandbox and the problem's "
        "own tests; failures go back in a revision prompt, up to --rounds answers. OUT/sft.jsonl holds the "
        "dialogs that finally pass; OUT/stats.json the shares solved at the first try, fixed and dropped, and "
        "the tokens. Re-running the same command resumes.",
    )
    gen.add_argument(
        "--model", required=True, metavar="URL_OR_PATH", help="server URL or checkpoint directory"
    )
    source = gen.add_mutually_exclusive_group(required=True)
    source.add_argument("--benchmark", metavar="NAME", help="a named benchmark (its statements and tests)")
    source.add_argument("--problems", type=Path, metavar="FILE", help="problems in the native JSONL format")
    source.add_argument(
        "--snippets",
        type=Path,
        metavar="DIR",
        help="Python files: the model writes a problem from a random snippet of each",
    )
    gen.add_argument(
        "--snippets-per-file", type=int, default=1, help="snippets drawn from each file (default 1)"
    )
    gen.add_argument("--language", default="python", help="the solution's language (python)")
    gen.add_argument(
        "--rounds", type=int, default=3, help="answers per dialog: the first and the revisions (default 3)"
    )
    gen.add_argument("--out", type=Path, required=True, metavar="DIR", help="output directory")
    gen.add_argument("--temperature", type=float, default=0.8)
    gen.add_argument("--max-tokens", type=int, default=2048)
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--limit", type=int, help="only the first N tasks")
    gen.add_argument("--model-name", help="HTTP: the served model's name")
    gen.add_argument("--api-key", help="HTTP: API key (default: $OPENAI_API_KEY)")
    gen.add_argument("--engine", choices=("auto", "http", "transformers", "vllm"), default="auto")
    gen.add_argument("--jobs", type=int, help="sandboxes running tests (default: cores, at most 8)")
    gen.add_argument("--isolation", choices=("auto", *LEVELS), default="auto")
    gen.add_argument("--no-progress", action="store_true")
    gen.set_defaults(func=run_generate)


def run_generate(args: argparse.Namespace) -> int:
    from codefrontier.feedback.loop import LoopSettings
    from codefrontier.feedback.pipeline import generate
    from codefrontier.feedback.sources import problem_items, snippet_items
    from codefrontier.judge import JudgeConfig
    from codefrontier.problems.registry import resolve_problems
    from codefrontier.sampling.backends import open_backend

    if args.language != "python":
        raise ConfigError(
            f"--language {args.language}: the feedback pipeline writes and lints Python solutions only"
        )
    if args.rounds < 1:
        raise ConfigError("--rounds must be at least 1")
    if args.snippets is not None:
        items = snippet_items(args.snippets, args.snippets_per_file, args.seed)
        source = f"snippets:{args.snippets}"
    else:
        name, problems = resolve_problems(args.benchmark, args.problems)
        items = problem_items(problems)
        source = f"benchmark:{name}"
    if args.limit is not None:
        items = items[: args.limit]
    backend = open_backend(
        args.model,
        engine=args.engine,
        model_name=args.model_name,
        api_key=args.api_key or os.environ.get("OPENAI_API_KEY"),
    )
    settings = LoopSettings(
        rounds=args.rounds, temperature=args.temperature, max_tokens=args.max_tokens, seed=args.seed
    )
    report = generate(
        items,
        backend,
        args.out,
        settings,
        judge_config=JudgeConfig(isolation=args.isolation),
        jobs=args.jobs,
        progress=not args.no_progress and sys.stderr.isatty(),
        meta={"source": source},
    )
    stats = report.stats
    shares = stats["shares"]
    print(
        f"{report.done} dialogs this run ({report.skipped} already in {args.out}); of {stats['dialogs']}: "
        f"solved at the first try {shares['first_try']:.0%}, fixed by feedback {shares['fixed']:.0%}, "
        f"dropped {shares['dropped']:.0%}; {stats['tokens']['total_tokens']:,} tokens"
    )
    print(f"SFT records: {args.out / 'sft.jsonl'} ({stats['kept']})")
    if report.failed:
        print(
            f"codefrontier feedback-data: {report.failed} snippets could not be turned into problems; run again to retry",
            file=sys.stderr,
        )
        return 1
    return 0
