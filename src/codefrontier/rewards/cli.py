"""Sub-commands `serve` and `reward` of the `codefrontier` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

from codefrontier.errors import ConfigError, InputError
from codefrontier.judge.cli import add_judge_arguments, config_from_args
from codefrontier.problems.cli import add_problem_arguments
from codefrontier.rewards.settings import ServerSettings, ServiceSettings
from codefrontier.rewards.sources import TOKEN_ENV
from codefrontier.rewards.spec import RewardKind, RewardSpec


def add_spec_arguments(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    parser.add_argument(
        f"--{prefix}kind",
        choices=[k.value for k in RewardKind],
        default="binary",
        help="binary: all tests of the chosen set AC; level: all tests of coverage level --level AC; "
        "fraction: share of the set's tests AC (default binary)",
    )
    parser.add_argument(
        f"--{prefix}level", help="coverage level: a fraction like 0.5 or a tier name like small"
    )
    parser.add_argument(
        "--efficiency-weight",
        type=float,
        default=0.0,
        help="weight in [0, 1] of the CPU-time term relative to the reference solution (default 0: off)",
    )


def spec_from_args(args: argparse.Namespace, prefix: str = "") -> RewardSpec:
    kind = getattr(args, f"{prefix}kind")
    level = getattr(args, f"{prefix}level")
    try:
        return RewardSpec(kind=kind, level=level, efficiency_weight=args.efficiency_weight)
    except InputError as exc:
        field = exc.field or "kind"
        option = (field if field == "efficiency_weight" else prefix + field).replace("_", "-")
        raise ConfigError(f"--{option}: {exc.message}") from None


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = subparsers.add_parser(
        "serve",
        help="serve judging and rewards over HTTP (FastAPI), for RL trainers and many clients",
        description="Start the judge and reward service: POST /judge, POST /reward, POST /openrlhf (OpenRLHF's "
        "remote reward protocol), GET /health, GET /metrics. The queue is bounded (429 with Retry-After when "
        "full); set a bearer token with $CODEFRONTIER_TOKEN or --token-file. SIGTERM drains and exits.",
    )
    add_problem_arguments(serve)
    ServerSettings.add_arguments(serve)
    ServiceSettings.add_arguments(serve)
    add_spec_arguments(serve, prefix="reward-")
    add_judge_arguments(serve, ray=True)
    serve.set_defaults(func=run_serve)

    reward = subparsers.add_parser(
        "reward",
        help="compute rewards for a samples file (locally or on a running service)",
        description="Judge every sample with the reward's settings (first-fail within the level for binary and "
        "level rewards) and print or write one reward per sample.",
    )
    add_problem_arguments(reward)
    reward.add_argument("--samples", type=Path, required=True, metavar="FILE", help="samples JSONL")
    add_spec_arguments(reward)
    reward.add_argument("--out", type=Path, metavar="FILE", help="write one JSON reward per line here")
    reward.add_argument("--url", help="compute on the service at this URL instead of locally")
    add_judge_arguments(reward, ray=True)
    reward.set_defaults(func=run_reward)


def make_pool(args: argparse.Namespace, max_queue: int | None = None) -> object:
    from codefrontier.judge.config import JudgeConfig
    from codefrontier.judge.pool import JudgePool

    config: JudgeConfig = config_from_args(args)
    if args.ray:
        from codefrontier.judge.ray_pool import ray_pool

        return ray_pool(config, args.jobs, address=args.ray, max_queue=max_queue)
    return JudgePool.local(config, args.jobs, max_queue=max_queue)


def run_serve(args: argparse.Namespace) -> int:
    from codefrontier.problems.registry import resolve_problems
    from codefrontier.rewards.server import serve
    from codefrontier.rewards.service import JudgeService

    spec = spec_from_args(args, "reward_")
    server = ServerSettings.from_args(args)
    token = server.token()
    settings = ServiceSettings.from_args(
        args,
        token=token,
        limits=server.limits(),
        default_spec=spec,
        parse_budget_bytes=server.parse_budget_bytes(),
    )
    benchmark, problems = resolve_problems(args.benchmark, args.problems)
    pool = make_pool(args, max_queue=server.max_queue)
    service = JudgeService(problems, pool, settings, benchmark=benchmark)  # type: ignore[arg-type]
    level, _ = service.pool.isolation
    print(
        f"serving {len(problems)} problems of {benchmark!r} on http://{server.host}:{server.port} with "
        f"{service.pool.jobs} workers{' on Ray' if args.ray else ''} (isolation: {level}); "
        f"auth {'on' if token else 'off'}",
        file=sys.stderr,
        flush=True,
    )
    if not token and server.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"warning: listening on {server.host} without a token; anyone who can reach it can run code "
            f"in the sandbox (set ${server.token_env} or --token-file)",
            file=sys.stderr,
        )
    try:
        serve(service, server.host, server.port, server.log_level)
    finally:
        service.close()
    return 0


def run_reward(args: argparse.Namespace) -> int:
    from codefrontier.judge.samples import load_samples
    from codefrontier.problems.registry import resolve_problems

    spec = spec_from_args(args)
    benchmark, problems = resolve_problems(args.benchmark, args.problems)
    by_id = {p.id: p for p in problems}
    samples = load_samples(args.samples, by_id)
    if args.url:
        from codefrontier.rewards.client import RewardClient, _sample_json

        with RewardClient(args.url, token=os.environ.get(TOKEN_ENV)) as client:
            rewards = client.rewards([_sample_json(s) for s in samples], spec)
    else:
        from codefrontier.rewards.rewarder import Rewarder

        pool = make_pool(args)
        with Rewarder(by_id, pool=pool, benchmark=benchmark, close_pool=True) as rewarder:  # type: ignore[arg-type]
            futures = rewarder.submit([(by_id[s.problem_id], s) for s in samples], spec)
            rewards = [f.result() for f in futures]
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as fh:
            for sample, reward in zip(samples, rewards, strict=True):
                record = {"problem_id": sample.problem_id, "policy": sample.policy, "sample": sample.sample}
                fh.write(json.dumps({**record, **reward.to_json()}) + "\n")
    values = [r.value for r in rewards if r.value is not None]
    verdicts = Counter(r.verdict for r in rewards)
    mean = sum(values) / len(values) if values else float("nan")
    print(
        f"{len(rewards)} rewards ({spec.kind.value}"
        + (f", level {spec.level}" if spec.level is not None else "")
        + f"): mean {mean:.4f}; missing {len(rewards) - len(values)}; verdicts "
        + " ".join(f"{k} {v}" for k, v in sorted(verdicts.items()))
    )
    return 0 if len(values) == len(rewards) else 1
