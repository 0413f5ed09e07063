"""The scaling experiment file (TOML), declared once: every setting is a dataclass field
with its help text and its check (`codefrontier.settings.setting`); the reading of the
file (`Settings.from_mapping`, a table per nested settings class), the error messages and
the table in docs/scaling.md follow from the declarations.

    name = "pdr-bundled"
    benchmark = "bundled"            # or problems_file = "problems.jsonl"
    problems = ["calm-stretches"]    # optional subset
    methods = ["oracle", "best_of_n", "majority", "rtv", "pdr", "random_k", "single_summary"]

    [agent]                          # the rollout model (the agent setting)
    model = "http://localhost:8000/v1"      # or a checkpoint directory
    [summarizer]                     # leave out `model` for the deterministic summarizer
    [judge]                          # the tournament's judge (default: the agent's model)
    [scaling]
    n = 16
    k = 4
    [sandbox]

Every key is checked before any work starts; an error names the file, the line and the
key (`exp.toml:7: field 'scaling.k': ...`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codefrontier.errors import InputError
from codefrontier.settings import Settings, at_least, positive, setting

METHODS = ("oracle", "best_of_n", "majority", "rtv", "pdr", "random_k", "single_summary")
RANKED = ("rtv", "pdr", "random_k", "single_summary")  # the methods that need a judge
ENGINES = ("auto", "http", "transformers", "vllm")


def _unit(v: float) -> str | None:
    return None if 0 < v <= 1 else "must be in (0, 1]"


@dataclass(kw_only=True)
class ModelSettings(Settings):
    """Where a model runs (the same keys for the agent, the summarizer and the judge)."""

    model: str | None = setting(None, help="an OpenAI-compatible server URL or a checkpoint directory")
    model_name: str | None = setting(None, help="the served model's name (default: the only one served)")
    api_key_env: str | None = setting(None, help="the environment variable that holds the API key")
    engine: str = setting("auto", help="auto, http, transformers or vllm", choices=ENGINES)
    max_in_flight: int = setting(32, help="endpoints: requests in flight", check=at_least(1))
    timeout_s: float = setting(600.0, help="endpoints: seconds per request", check=positive)
    max_retries: int = setting(6, help="endpoints: retries of a 429, 5xx or timeout", check=at_least(0))
    batch_size: int | None = setting(None, help="checkpoints: prompts per generate call", check=at_least(1))
    device: str | None = setting(None, help="transformers: cpu, cuda, ... (default: cuda if present)")
    dtype: str | None = setting(None, help="checkpoints: float32, bfloat16, float16 (default: auto)")
    temperature: float = setting(0.8, help="sampling temperature", check=at_least(0))
    max_tokens: int = setting(2048, help="tokens per completion", check=at_least(1))

    def backend_spec(self) -> tuple[Any, ...]:
        """What identifies one backend instance (calls to equal specs share it)."""
        return (
            self.model,
            self.model_name,
            self.api_key_env,
            self.engine,
            self.max_in_flight,
            self.timeout_s,
            self.max_retries,
            self.batch_size,
            self.device,
            self.dtype,
        )


@dataclass(kw_only=True)
class AgentSettings(ModelSettings):
    model: str | None = setting(help="an OpenAI-compatible server URL or a checkpoint directory")
    top_p: float = setting(1.0, help="nucleus sampling", check=_unit)
    max_turns: int = setting(4, help="submissions per rollout", check=at_least(1))
    language: str = setting("python", help="the language programs are asked in")
    seed: int = setting(0, help="base seed of the rollouts")


@dataclass(kw_only=True)
class SummarizerSettings(ModelSettings):
    temperature: float = setting(0.2, help="sampling temperature", check=at_least(0))
    max_tokens: int = setting(1024, help="tokens per summary answer", check=at_least(1))
    budget_tokens: int = setting(400, help="a summary is cut to this many tokens", check=at_least(50))
    retries: int = setting(2, help="more attempts after an answer that does not validate", check=at_least(0))


@dataclass(kw_only=True)
class JudgeSettings(ModelSettings):
    temperature: float = setting(0.7, help="sampling temperature of each vote", check=at_least(0))
    max_tokens: int = setting(1024, help="tokens per vote", check=at_least(1))


@dataclass(kw_only=True)
class ScalingSettings(Settings):
    n: int = setting(16, help="rollouts per task and round (N)", check=at_least(1))
    k: int = setting(4, help="PDR: summaries in the refinement context (K)", check=at_least(1))
    rounds: int = setting(1, help="PDR: refinement rounds", check=at_least(1))
    group_size: int = setting(2, help="RTV: candidates per group (G)", check=at_least(2))
    votes: int = setting(8, help="RTV: votes per group (V)", check=at_least(1))
    matched: bool = setting(
        True,
        help="also draw N x (1 + rounds) first-round rollouts, so that the baselines are measured at "
        "PDR's rollout count",
    )
    majority_inputs: int = setting(
        8,
        help="majority vote: inputs the agent model writes (0: the public test inputs only)",
        check=at_least(0),
    )
    seed: int = setting(0, help="seed of the tournaments' shuffles and tie-breaks and of random-K")


@dataclass(kw_only=True)
class SandboxSettings(Settings):
    jobs: int | None = setting(None, help="worker sandboxes (default: cores, at most 8)", check=at_least(1))
    isolation: str = setting("auto", help="sandbox isolation level (default: the strongest available)")
    time_scale: float = setting(1.0, help="multiplies every time limit", check=positive)


@dataclass(kw_only=True)
class ScalingExperiment(Settings):
    name: str | None = setting(None, help="the experiment's name (default: the file's stem)")
    out: str | None = setting(
        None, help="the run directory, relative to this file (default: the file's stem)"
    )
    benchmark: str | None = setting(None, help="a named benchmark (bundled, humaneval); or problems_file")
    problems_file: str | None = setting(None, help="a problems file in the native JSONL format")
    problems: list[str] | None = setting(None, help="only these problem ids (default: every problem)")
    methods: list[str] = setting(list(METHODS), help="methods to run: " + ", ".join(METHODS))
    agent: AgentSettings = setting(help="the rollout model")
    summarizer: SummarizerSettings = setting(None, help="the summarizer (no model: the deterministic one)")
    judge: JudgeSettings = setting(None, help="the tournament's judge model (default: the agent's model)")
    scaling: ScalingSettings = setting(None, help="N, K, rounds, G, V")
    sandbox: SandboxSettings = setting(
        None, help="sandboxes for the agent's submissions and the hidden tests"
    )
    # filled in by the loader
    file: Path = Path()
    run_dir: Path = Path()
    problems_path: Path | None = None
    sha256: str = ""
    raw: dict[str, Any] = field(default_factory=dict)
    where: Any = field(default=None, repr=False, compare=False)

    def error(self, dotted: str, message: str) -> InputError:
        return self.where.error(dotted, message)

    @property
    def pool(self) -> int:
        """First-round rollouts per task: N, or N x (1 + rounds) when matched."""
        s = self.scaling
        return (
            s.n * (1 + s.rounds)
            if s.matched and any(m in self.methods for m in ("pdr", "random_k", "single_summary"))
            else s.n
        )


TABLES = {
    "agent": AgentSettings,
    "summarizer": SummarizerSettings,
    "judge": JudgeSettings,
    "scaling": ScalingSettings,
    "sandbox": SandboxSettings,
}


def load_scaling_experiment(path: str | Path, *, out: str | Path | None = None) -> ScalingExperiment:
    """Read and check a scaling experiment file; paths in it are relative to the file."""
    from codefrontier.experiment.config import read_toml

    path = Path(path)
    raw, data, where = read_toml(path)
    exp = ScalingExperiment.from_mapping(raw, where=where)
    exp.file, exp.sha256, exp.raw, exp.where = path.resolve(), hashlib.sha256(data).hexdigest(), raw, where
    base = path.parent
    exp.name = exp.name or path.stem
    exp.run_dir = Path(out) if out is not None else base / (exp.out or path.stem)
    if (exp.benchmark is None) == (exp.problems_file is None):
        raise where.error("benchmark", "give exactly one of `benchmark` (a name) or `problems_file` (a path)")
    if exp.problems_file is not None:
        exp.problems_path = _relative(base, exp.problems_file)
        if not exp.problems_path.is_file():
            raise where.error("problems_file", f"{exp.problems_path} does not exist")
    if exp.problems is not None and not exp.problems:
        raise where.error(
            "problems", "is empty: there would be no task to run; leave it out to use every problem"
        )
    _check_methods(exp)
    _check_sizes(exp)
    for table in ("agent", "summarizer", "judge"):
        _check_model(exp, table, base)
    if exp.judge.model is None:  # the judge defaults to the agent's model (same backend, judge's sampling)
        for name in (
            "model",
            "model_name",
            "api_key_env",
            "engine",
            "max_in_flight",
            "timeout_s",
            "max_retries",
            "batch_size",
            "device",
            "dtype",
        ):
            setattr(exp.judge, name, getattr(exp.agent, name))
    from codefrontier.errors import UnknownLanguageError
    from codefrontier.languages import get_language

    try:
        exp.agent.language = get_language(exp.agent.language).name
    except UnknownLanguageError as exc:
        raise where.error("agent.language", exc.message) from None
    from codefrontier.sandbox import LEVELS

    if exp.sandbox.isolation not in ("auto", *LEVELS):
        raise where.error(
            "sandbox.isolation", f"{exp.sandbox.isolation!r}: choose auto or one of {', '.join(LEVELS)}"
        )
    return exp


def _relative(base: Path, value: str) -> Path:
    p = Path(os.path.expanduser(value))
    return p if p.is_absolute() else base / p


def _check_methods(exp: ScalingExperiment) -> None:
    if not exp.methods:
        raise exp.error("methods", "is empty: name at least one of " + ", ".join(METHODS))
    unknown = [m for m in exp.methods if m not in METHODS]
    if unknown:
        raise exp.error(
            "methods", f"unknown method(s) {', '.join(map(repr, unknown))}; known: {', '.join(METHODS)}"
        )
    exp.methods = list(dict.fromkeys(exp.methods))


def _check_sizes(exp: ScalingExperiment) -> None:
    s = exp.scaling
    refining = any(m in exp.methods for m in ("pdr", "random_k"))
    if refining and s.k > s.n:
        raise exp.error(
            "scaling.k", f"K = {s.k} summaries cannot be chosen from N = {s.n} rollouts: make k at most n"
        )
    if any(m in exp.methods for m in RANKED) and s.group_size > s.n:
        raise exp.error(
            "scaling.group_size",
            f"G = {s.group_size} is larger than N = {s.n}: a tournament group cannot hold more candidates than "
            "there are; make group_size at most n",
        )
    if s.group_size > 26:
        raise exp.error("scaling.group_size", "at most 26 (candidates are labelled A to Z)")


def _check_model(exp: ScalingExperiment, table: str, base: Path) -> None:
    settings = getattr(exp, table)
    model = settings.model
    if model is None:
        return
    if model.startswith(("http://", "https://")):
        if settings.engine not in ("auto", "http"):
            raise exp.error(
                f"{table}.engine", f"{model} is a URL: it is served over HTTP, not by {settings.engine}"
            )
        if settings.api_key_env is not None and settings.api_key_env not in os.environ:
            raise exp.error(
                f"{table}.api_key_env", f"the environment variable {settings.api_key_env} is not set"
            )
        return
    path = _relative(base, model)
    if not path.is_dir() or not (path / "config.json").is_file():
        raise exp.error(
            f"{table}.model", f"{path} is neither a URL nor a checkpoint directory (with config.json)"
        )
    if settings.engine == "http":
        raise exp.error(f"{table}.engine", "engine http needs a URL model")
    settings.model = str(path)
