"""Sub-command `key-retrieval` of the `codefrontier` command."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from codefrontier.errors import ConfigError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = subparsers.add_parser(
        "key-retrieval",
        help="Code Llama's long-context key retrieval: a depth x length heat map of exact matches",
        description="Generate Python files of each --lengths (tokens) with `f_k()` returning an integer at each "
        "--depths (0 = start, 1 = end), prompt the model with the file and `assert f_k() ==`, score the integer "
        "it writes by exact match, and write OUT/results.jsonl, OUT/heatmap.png, OUT/heatmap.csv and "
        "OUT/report.md. Re-running the same command resumes.",
    )
    cmd.add_argument(
        "--model", required=True, metavar="URL_OR_PATH", help="server URL or checkpoint directory"
    )
    cmd.add_argument(
        "--lengths", type=int, nargs="+", default=[1000, 4000, 16000], help="file lengths in tokens"
    )
    cmd.add_argument(
        "--depths", type=float, nargs="+", default=[0.0, 0.25, 0.5, 0.75, 1.0], help="depths of f_k"
    )
    cmd.add_argument("--trials", type=int, default=3, help="files per cell (default 3)")
    cmd.add_argument("--seed", type=int, default=0)
    cmd.add_argument("--tokenizer", metavar="DIR", help="count lengths with this tokenizer (a local model uses its own; "
                     "without one, 4 characters count as a token)")  # fmt: skip
    cmd.add_argument("--out", type=Path, required=True, metavar="DIR")
    cmd.add_argument("--model-name", help="HTTP: the served model's name")
    cmd.add_argument("--engine", choices=("auto", "http", "transformers", "vllm"), default="auto")
    cmd.set_defaults(func=run_key_retrieval)


def run_key_retrieval(args: argparse.Namespace) -> int:
    from codefrontier.longcontext import grid, run_grid
    from codefrontier.sampling.backends import open_backend

    if any(not 0 <= d <= 1 for d in args.depths):
        raise ConfigError("--depths must be between 0 and 1")
    if any(n < 50 for n in args.lengths) or args.trials < 1:
        raise ConfigError("--lengths must be at least 50 tokens and --trials at least 1")
    backend = open_backend(args.model, engine=args.engine, model_name=args.model_name,
                           api_key=os.environ.get("OPENAI_API_KEY"))  # fmt: skip
    tokenizer_dir = args.tokenizer or (args.model if Path(args.model).is_dir() else None)
    count = None
    if tokenizer_dir is not None:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
        count = lambda text: len(tokenizer.encode(text, add_special_tokens=False))  # noqa: E731
    cases = grid(args.lengths, args.depths, args.trials, seed=args.seed, count_tokens=count)
    meta = {
        "model": backend.model or args.model,
        "lengths_in": "tokens" if count else "tokens (4 characters each, estimated)",
    }
    report = run_grid(cases, backend, args.out, meta=meta)
    print(
        f"asked {report.asked} cases ({report.skipped} already in {args.out}); heat map: {args.out / 'heatmap.png'}"
    )
    print((args.out / "report.md").read_text())
    if report.failed:
        print(f"codefrontier key-retrieval: {report.failed} requests failed; run again to retry")
        return 1
    return 0
