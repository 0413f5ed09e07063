"""Sub-command `sample` of the `codefrontier` command (docs/sampling.md)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any

from codefrontier.errors import ConfigError

SETTINGS = ("reasoning", "tools", "agent")
ORDERS = ("psm", "spm")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from codefrontier.problems.cli import add_problem_arguments, add_subset_arguments
    from codefrontier.sandbox.isolation import LEVELS

    sample = subparsers.add_parser(
        "sample",
        help="draw samples from a model (server URL or checkpoint) in one inference setting",
        description="Draw N samples per problem from a model behind an OpenAI-compatible server or from a "
        "checkpoint directory, in the reasoning, tools or agent setting. Samples are appended to OUT in the "
        "judge's input format (trajectories beside it, OUT minus .jsonl plus .trajectories.jsonl); "
        "re-running the same command resumes.",
    )
    sample.add_argument(
        "--model", required=True, metavar="URL_OR_PATH", help="server URL or checkpoint directory"
    )
    add_problem_arguments(sample)
    add_subset_arguments(sample)
    sample.add_argument("--n", type=int, default=16, help="samples per problem (default 16)")
    sample.add_argument("--setting", choices=SETTINGS, default="reasoning", help="inference setting")
    sample.add_argument("--temperature", type=float, default=0.8, help="sampling temperature (default 0.8)")
    sample.add_argument("--top-p", type=float, default=1.0, help="nucleus sampling (default 1)")
    sample.add_argument("--max-tokens", type=int, default=2048, help="tokens per completion (default 2048)")
    sample.add_argument("--seed", type=int, default=0, help="base seed; each sample's seed derives from it")
    sample.add_argument(
        "--language", default="python", help="the language programs are asked in (python, cpp)"
    )
    sample.add_argument(
        "--max-tool-calls", type=int, default=8, help="tools setting: calls per sample (default 8)"
    )
    sample.add_argument(
        "--max-turns", type=int, default=4, help="agent setting: submissions per sample (default 4)"
    )
    sample.add_argument(
        "--tool-format",
        choices=("openai", "llama3.1"),
        default="openai",
        help="tools setting: openai (the chat API's tool calls) or llama3.1 (raw completions in the Llama 3.1 "
        "format: <|python_tag|> code runs in the sandbox, its output comes back as an ipython message)",
    )
    infill = sample.add_argument_group("infilling (docs/infilling.md)")
    infill.add_argument(
        "--infill",
        action="store_true",
        help="draw middles for a fill-in-the-middle benchmark (humaneval-infilling-*) as raw completions",
    )
    infill.add_argument(
        "--order", choices=ORDERS, default="psm", help="prefix-suffix-middle or suffix-prefix-middle"
    )
    infill.add_argument(
        "--format", dest="infill_format", choices=("code-llama", "starcoder"), default="code-llama",
        help="the sentinels: Code Llama's <PRE>/<SUF>/<MID>/<EOT> or StarCoder's <fim_*>",
    )  # fmt: skip
    infill.add_argument(
        "--tokenizer",
        metavar="DIR",
        help="server models: send token-level prompts built with this tokenizer (a local model uses its own)",
    )
    sample.add_argument("--out", type=Path, required=True, metavar="FILE", help="samples JSONL to append to")
    sample.add_argument("--policy", help="policy name recorded with each sample (default: the model's name)")
    sample.add_argument(
        "--policy-meta", metavar="JSON", help="policy_meta of each sample, e.g. '{\"alpha\": 0.5}'"
    )
    backend = sample.add_argument_group("backend")
    backend.add_argument(
        "--engine",
        choices=("auto", "http", "transformers", "vllm"),
        default="auto",
        help="how to run the model (auto: http for a URL; for a checkpoint vllm where it can run, "
        "else transformers)",
    )
    backend.add_argument("--model-name", help="HTTP: the served model's name (default: the only one served)")
    backend.add_argument("--api-key", help="HTTP: API key (default: $OPENAI_API_KEY)")
    backend.add_argument(
        "--max-in-flight", type=int, default=32, help="HTTP: requests in flight (default 32)"
    )
    backend.add_argument(
        "--timeout", type=float, default=600.0, help="HTTP: seconds per request (default 600)"
    )
    backend.add_argument(
        "--max-retries", type=int, default=6, help="HTTP: retries of 429/5xx/timeouts (default 6)"
    )
    backend.add_argument("--batch-size", type=int, help="local: prompts per generate (default 16; vLLM 256)")
    backend.add_argument("--device", help="transformers: cpu, cuda, ... (default: cuda if present)")
    backend.add_argument("--dtype", help="local: float32, bfloat16, float16 (default: auto)")
    sandbox = sample.add_argument_group("sandbox (tools and agent settings)")
    sandbox.add_argument(
        "--jobs", type=int, default=None, help="sandboxes running code (default: cores, at most 8)"
    )
    sandbox.add_argument(
        "--isolation",
        choices=("auto", *LEVELS),
        default="auto",
        help="sandbox isolation level (default: the strongest available; see `codefrontier doctor`)",
    )
    sandbox.add_argument("--time-scale", type=float, default=1.0, help="multiply every time limit")
    sample.add_argument("--no-progress", action="store_true", help="no progress bar")
    sample.set_defaults(func=run_sample_command)
    _register_fim(subparsers)


def _register_fim(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from codefrontier.sampling.fim import FimSettings

    fim = subparsers.add_parser("fim", help="fill-in-the-middle training data (docs/infilling.md)")
    commands = fim.add_subparsers(dest="fim_command", metavar="COMMAND", required=True)
    transform = commands.add_parser(
        "transform",
        help="apply the fill-in-the-middle transform to a JSONL file of documents",
        description="Cut each document at two uniform character positions with probability --rate and "
        "write it in PSM or SPM order (--spm-rate) with the sentinels of --format; the rest stay as they "
        "are. Each record gets `fim_order` (psm, spm or null). The same --seed gives the same output.",
    )
    transform.add_argument("source", type=Path, metavar="IN.jsonl", help="documents, one JSON object a line")
    transform.add_argument("--out", type=Path, required=True, metavar="OUT.jsonl", help="where to write")
    FimSettings.add_arguments(transform)
    transform.set_defaults(func=run_fim_transform)


def run_fim_transform(args: argparse.Namespace) -> int:
    from codefrontier.sampling.fim import FimSettings, transform_file

    settings = FimSettings.from_args(args)
    counts = transform_file(args.source, args.out, settings)
    total = sum(counts.values())
    print(
        f"wrote {total} documents to {args.out}: {counts['psm']} PSM, {counts['spm']} SPM, "
        f"{counts['none']} left as they were"
    )
    return 0


def _show_warnings() -> None:
    def show(message: Warning | str, category: type[Warning], *args: object, **kwargs: object) -> None:
        print(f"codefrontier: warning: {message}", file=sys.stderr)

    warnings.showwarning = show  # type: ignore[assignment]


def run_sample_command(args: argparse.Namespace) -> int:
    from codefrontier.problems.registry import resolve_problems, select_problems
    from codefrontier.sampling.backends import check_backend, open_backend
    from codefrontier.sampling.settings import SettingConfig

    _show_warnings()
    if args.infill and args.setting != "reasoning":
        raise ConfigError("--infill is a setting of its own; leave out --setting")
    if not args.infill and args.tokenizer:
        raise ConfigError("--tokenizer is for --infill")
    config = SettingConfig(
        setting="infill" if args.infill else args.setting,
        infill_order=args.order,
        infill_format=args.infill_format,
        language=args.language,
        temperature=args.temperature,
        top_p=args.top_p,
        max_tokens=args.max_tokens,
        seed=args.seed,
        max_tool_calls=args.max_tool_calls,
        max_turns=args.max_turns,
        tool_format=args.tool_format,
    )
    meta = {}
    if args.policy_meta is not None:
        try:
            meta = json.loads(args.policy_meta)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"--policy-meta is not valid JSON ({exc.msg})") from None
        if not isinstance(meta, dict):
            raise ConfigError("--policy-meta must be a JSON object")
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    benchmark, problems = resolve_problems(args.benchmark, args.problems)
    problems = select_problems(problems, args.problem_ids, args.limit, benchmark=benchmark)
    if args.infill:
        plain = [p.id for p in problems if not p.infilling]
        if plain:
            raise ConfigError(
                f"--infill needs a fill-in-the-middle benchmark (humaneval-infilling-*); {benchmark!r} has "
                f"{len(plain)} problem(s) without a suffix, e.g. {plain[0]!r}"
            )
        split = problems[0].metadata.get("split", benchmark) if problems else benchmark
        meta = {"infill_split": split, "infill_order": args.order, **meta}
    backend = open_backend(  # cheap checks now (the path exists, the engine can run); the server later
        args.model,
        engine=args.engine,
        model_name=args.model_name,
        api_key=args.api_key or os.environ.get("OPENAI_API_KEY"),
        max_in_flight=args.max_in_flight,
        timeout_s=args.timeout,
        max_retries=args.max_retries,
        batch_size=args.batch_size,
        device=args.device,
        dtype=args.dtype,
    )
    # --model-name or the checkpoint directory's name; an HTTP backend without one asks the server
    policy = args.policy or backend.model
    if not policy:
        check_backend(backend)
        policy = backend.model
    if args.infill and not args.policy:
        policy = f"{policy}-{args.order}"  # the two orders are two policies of one model
    try:
        report = _draw(args, problems, backend, policy, config, meta, benchmark)
    except KeyboardInterrupt:
        print(
            f"codefrontier sample: interrupted; every finished sample is kept in {args.out} and the run is "
            "recorded as interrupted; run the same command to draw the rest",
            file=sys.stderr,
        )
        return 130
    return _report(args, report, policy)


def _draw(
    args: argparse.Namespace,
    problems: list[Any],
    backend: Any,
    policy: str,
    config: Any,
    meta: dict[str, Any],
    benchmark: str,
) -> Any:
    from codefrontier.judge.config import JudgeConfig
    from codefrontier.sampling.sampler import draw_samples

    return draw_samples(
        problems,
        backend,
        args.out,
        n=args.n,
        policy=policy,
        config=config,
        policy_meta=meta,
        benchmark=benchmark,
        judge_config=JudgeConfig(isolation=args.isolation, time_scale=args.time_scale),
        jobs=args.jobs,
        progress=not args.no_progress and sys.stderr.isatty(),
        command=sys.argv,
        tokenizer=args.tokenizer,
    )


def _report(args: argparse.Namespace, report: Any, policy: str) -> int:
    print(
        f"drew {report.drawn} samples for policy {policy!r} ({report.skipped} already in {args.out})"
        + (
            f"; {report.usage.completion_tokens} completion tokens in {report.seconds:.1f} s"
            if report.drawn
            else ""
        )
    )
    if report.stops:
        print("stops: " + ", ".join(f"{k} {v}" for k, v in sorted(report.stops.items())))
    if report.failed:
        return _failed(
            report.errors, f"codefrontier sample: {report.failed} samples could not be drawn (not written)"
        )
    return 0


def _failed(errors: list[str], summary: str) -> int:
    """Print each kept error and the summary to stderr; the exit status of a partial run."""
    for error in errors:
        print(f"  {error}", file=sys.stderr)
    print(f"{summary}; run again to retry", file=sys.stderr)
    return 1
