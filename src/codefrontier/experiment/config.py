"""The experiment file (TOML): what to merge, which policies to sample, how, how to judge
and what to report. Every key is checked before any work starts: an unknown key, a
missing field, a wrong type or a path that does not exist is one error that names the
file, the line and the key. docs/sampling.md ("Experiment files") lists every key.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codefrontier.errors import CodefrontierError, InputError, UnknownLanguageError
from codefrontier.languages import get_language
from codefrontier.sampling.backends import ENGINES, is_url
from codefrontier.sampling.settings import Setting, SettingConfig

POLICY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


@dataclass(frozen=True)
class Key:
    kind: str  # str | int | float | bool | list[str] | list[float] | list[list[float]] | list[int] | table
    help: str
    required: bool = False
    default: Any = None


TOP_KEYS: dict[str, Key] = {
    "name": Key("str", "the experiment's name (the report's title); default: the file's stem"),
    "out": Key("str", "the experiment directory, relative to this file; default: the file's stem beside it"),
    "benchmark": Key("str", "a named benchmark (`bundled`, `humaneval`); or give problems_file"),
    "problems_file": Key("str", "a problems file in the native JSONL format, relative to this file"),
    "problems": Key("list[str]", "only these problem ids (default: every problem)"),
    "train": Key(
        "table", "checkpoints to train first: a supervised warm-up, then one GRPO run per [[train.runs]]"
    ),
    "merge": Key("table", "checkpoints to build by weight-space interpolation or task arithmetic"),
    "policies": Key("array", "policies made elsewhere: endpoints, checkpoints or sample files"),
    "sampling": Key("table", "how samples are drawn", required=True),
    "judge": Key("table", "how samples are judged"),
    "report": Key("table", "what the report shows"),
}

TRAIN_KEYS: dict[str, Key] = {
    "base": Key("str", "the checkpoint every run starts from (a directory)", required=True),
    "problems": Key(
        "list[str]",
        "training problem ids (of the experiment's problems, not among `problems`)",
        required=True,
    ),
    "runs": Key("array", "one GRPO run each: { name, level }", required=True),
    "warmup_steps": Key("int", "supervised steps on the reference solutions before RL (0: none)", default=0),
    "warmup_lr": Key("float", "learning rate of the warm-up", default=5e-5),
    "steps": Key("int", "GRPO steps per run", default=8),
    "lr": Key("float", "GRPO learning rate", default=1e-5),
    "prompts_per_step": Key("int", "problems per step", default=2),
    "num_generations": Key("int", "GRPO: completions per problem (the group)", default=4),
    "max_completion_length": Key("int", "GRPO: tokens per completion", default=192),
    "temperature": Key("float", "GRPO: sampling temperature", default=1.0),
    "trainable_layers": Key("int", "train only the last N decoder layers (default: every parameter)"),
    "seed": Key("int", "training seed", default=0),
}

TRAIN_RUN_KEYS: dict[str, Key] = {
    "name": Key(
        "str", "the run's name: its checkpoint is train/NAME; [merge] low/high may name it", required=True
    ),
    "level": Key(
        "level", "the reward's nested coverage level: a fraction in (0, 1] or a tier name", required=True
    ),
}

MERGE_KEYS: dict[str, Key] = {
    "low": Key("str", "interpolation: the checkpoint at alpha = 0 (a directory or a [[train.runs]] name)"),
    "high": Key("str", "interpolation: the checkpoint at alpha = 1 (a directory or a [[train.runs]] name)"),
    "alphas": Key("list[float]", "interpolation: the alpha grid; theta = (1 - alpha) low + alpha high"),
    "base": Key("str", "task arithmetic: the base checkpoint"),
    "tasks": Key("list[str]", "task arithmetic: the task checkpoints"),
    "lambdas": Key("list[list[float]]", "task arithmetic: one lambda per task, per output"),
    "out_dtype": Key("str", "float32, bfloat16 or float16 (default: each tensor's own dtype)"),
    "max_shard_size": Key("str", "largest output shard, e.g. 5GB (default 5GB)"),
}

POLICY_KEYS: dict[str, Key] = {
    "name": Key("str", "the policy's name (letters, digits, . _ + -)", required=True),
    "endpoint": Key("str", "an OpenAI-compatible server URL"),
    "model": Key("str", "the served model name (endpoint; default: the only model it serves)"),
    "api_key_env": Key("str", "the environment variable that holds the endpoint's API key"),
    "checkpoint": Key("str", "a checkpoint directory, sampled as it is"),
    "samples": Key("str", "a samples file already drawn (the judge's input format)"),
    "meta": Key("table", "policy_meta recorded with each sample, e.g. { alpha = 0.5 }"),
}

SAMPLING_KEYS: dict[str, Key] = {
    "setting": Key("str", "reasoning, tools or agent", required=True),
    "n": Key("int", "samples per problem and policy", required=True),
    "temperature": Key("float", "sampling temperature", default=0.8),
    "top_p": Key("float", "nucleus sampling", default=1.0),
    "max_tokens": Key("int", "tokens per completion", default=2048),
    "language": Key("str", "the language programs are asked in", default="python"),
    "seed": Key("int", "base seed (each sample's seed derives from it)", default=0),
    "max_tool_calls": Key("int", "tools setting: tool calls per sample", default=8),
    "max_turns": Key("int", "agent setting: submissions per sample", default=4),
    "engine": Key("str", "checkpoints: auto, transformers or vllm", default="auto"),
    "batch_size": Key("int", "checkpoints: prompts per generate call (default 16; vLLM 256)"),
    "device": Key("str", "transformers: cpu, cuda, cuda:1 ... (default: cuda if present)"),
    "dtype": Key("str", "checkpoints: float32, bfloat16, float16 (default: auto)"),
    "max_in_flight": Key("int", "endpoints: requests in flight", default=32),
    "timeout_s": Key("float", "endpoints: seconds per request", default=600.0),
    "max_retries": Key("int", "endpoints: retries of a 429, 5xx or timeout", default=6),
}

JUDGE_KEYS: dict[str, Key] = {
    "jobs": Key("int", "worker sandboxes (default: one per core)"),
    "isolation": Key("str", "sandbox isolation level (default: auto)", default="auto"),
    "time_scale": Key("float", "multiplies every time limit", default=1.0),
    "wall_factor": Key("float", "wall-clock backstop = factor x CPU limit + 1 s", default=3.0),
    "output_limit_mb": Key("int", "output cap per test in MiB", default=64),
}

REPORT_KEYS: dict[str, Key] = {
    "title": Key("str", "the page title (default: the experiment's name)"),
    "k": Key("list[int]", "k of the pass@k table (default: a grid up to n)"),
    "budgets": Key("list[int]", "total sample budgets of the ensembles"),
    "selection": Key("str", "crossfit or in-sample", default="crossfit"),
    "reference": Key("str", "policy whose solve rate defines difficulty buckets"),
    "buckets": Key("int", "difficulty buckets", default=3),
}

TABLES = {"merge": MERGE_KEYS, "sampling": SAMPLING_KEYS, "judge": JUDGE_KEYS, "report": REPORT_KEYS}


@dataclass
class MergeSpec:
    method: str  # interpolation | task_arithmetic
    inputs: list[tuple[str, Path]]  # (role, directory)
    alphas: list[float] = field(default_factory=list)
    lambdas: list[list[float]] = field(default_factory=list)
    out_dtype: str | None = None
    max_shard_size: str = "5GB"


@dataclass
class TrainRun:
    name: str
    level: str | float


@dataclass
class TrainSpec:
    base: Path
    problem_ids: list[str]
    runs: list[TrainRun]
    warmup_steps: int
    warmup_lr: float
    settings: Any  # codefrontier.experiment.train.TrainSettings (imported lazily: it is light, torch is not)

    def run_dir(self, out: Path, name: str) -> Path:
        return out / TRAIN / name


TRAIN = "train"


@dataclass
class PolicySpec:
    name: str
    kind: str  # merged | checkpoint | endpoint | samples
    source: str  # the directory, URL or file
    model: str | None = None
    api_key_env: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class SamplingSpec:
    n: int
    setting: SettingConfig
    engine: str = "auto"
    batch_size: int | None = None
    device: str | None = None
    dtype: str | None = None
    max_in_flight: int = 32
    timeout_s: float = 600.0
    max_retries: int = 6


@dataclass
class Experiment:
    file: Path
    sha256: str
    name: str
    out: Path
    benchmark: str | None
    problems_file: Path | None
    problem_ids: list[str] | None
    train: TrainSpec | None
    merge: MergeSpec | None
    policies: list[PolicySpec]  # made elsewhere (the merged ones come from `merge`)
    sampling: SamplingSpec
    judge: dict[str, Any]
    report: dict[str, Any]
    raw: dict[str, Any]
    where: _Where = field(repr=False, compare=False)

    def error(self, dotted: str, message: str) -> InputError:
        """An error at `dotted`'s line of the file, for checks made after it was read."""
        return self.where.error(dotted, message)


class _Where:
    """Errors that name the file, the line of a key, and the key."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = _key_lines(text)

    def error(self, dotted: str, message: str) -> InputError:
        """The error at `dotted`'s line; a missing key points at its table's header."""
        line, key = None, dotted
        while line is None and key:
            line = self.lines.get(key)
            key = key.rpartition(".")[0]
        return InputError(message, path=self.path, line=line, field=dotted)


def _key_lines(text: str) -> dict[str, int]:
    """The line of each `key =` in the file, as `table.key` (`policies[0].name`)."""
    found: dict[str, int] = {}
    table = ""
    arrays: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[["):
            name = stripped.strip("[] \t").split("#")[0].strip()
            arrays[name] = arrays.get(name, -1) + 1
            table = f"{name}[{arrays[name]}]"
            found.setdefault(table, number)
        elif stripped.startswith("["):
            table = stripped.strip("[] \t").split("#")[0].strip()
            found.setdefault(table, number)
        else:
            match = re.match(r"^([A-Za-z0-9_\-]+)\s*=", stripped)
            if match:
                found.setdefault(f"{table}.{match.group(1)}" if table else match.group(1), number)
    return found


def load_experiment(path: str | Path, *, out: str | Path | None = None) -> Experiment:
    """Read and check an experiment file; every path in it is relative to the file."""
    path = Path(path)
    raw, data, where = read_toml(path)
    base = path.parent
    top = _check_table(raw, TOP_KEYS, "", where)

    if ("benchmark" in top) == ("problems_file" in top):
        raise where.error("benchmark", "give exactly one of `benchmark` (a name) or `problems_file` (a path)")
    problems_file = None
    if "problems_file" in top:
        problems_file = _existing(base, top["problems_file"], "problems_file", where, directory=False)
    problem_ids = top.get("problems")
    if problem_ids is not None and not problem_ids:
        raise where.error("problems", "is empty; leave it out to use every problem")

    exp_out = Path(out) if out is not None else base / top.get("out", path.stem)
    tables = {name: _check_table(top.get(name, {}), keys, name, where) for name, keys in TABLES.items()}
    train = (
        _train_spec(_check_table(top["train"], TRAIN_KEYS, "train", where), base, where, problem_ids)
        if "train" in top
        else None
    )
    if "merge" in top and not isinstance(top["merge"], dict):
        raise where.error("merge", "must be a table ([merge])")
    trained = {r.name: exp_out / TRAIN / r.name for r in train.runs} if train else {}
    merge = _merge_spec(tables["merge"], base, where, trained) if "merge" in top else None
    policies = _policies(top.get("policies", []), base, where)
    if merge is None and not policies:
        raise where.error(
            "merge", "nothing to sample: give a [merge] table or at least one [[policies]] entry"
        )
    sampling = _sampling_spec(tables["sampling"], where)
    _check_judge(tables["judge"], where)
    _check_report(tables["report"], where)
    try:
        names = [p.name for p in policies] + (merged_names(merge) if merge else [])
    except CodefrontierError as exc:
        raise where.error("merge.alphas" if merge and merge.alphas else "merge.lambdas", str(exc)) from None
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise where.error("policies", f"policy names must be unique; repeated: {', '.join(duplicates)}")
    return Experiment(
        file=path.resolve(),
        sha256=hashlib.sha256(data).hexdigest(),
        name=top.get("name", path.stem),
        out=exp_out,
        benchmark=top.get("benchmark"),
        problems_file=problems_file,
        problem_ids=problem_ids,
        train=train,
        merge=merge,
        policies=policies,
        sampling=sampling,
        judge=tables["judge"],
        report=tables["report"],
        raw=raw,
        where=where,
    )


def _check_table(table: Any, keys: dict[str, Key], prefix: str, where: _Where) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise where.error(prefix, "must be a table")
    for key, value in table.items():
        dotted = f"{prefix}.{key}" if prefix else key
        spec = keys.get(key)
        if spec is None:
            known = ", ".join(sorted(keys))
            raise where.error(
                dotted,
                f"unknown key {key!r} in {'[' + prefix + ']' if prefix else 'the top level'}; known keys: {known}",
            )
        _check_type(value, spec.kind, dotted, where)
    for key, spec in keys.items():
        if spec.required and key not in table:
            raise where.error(f"{prefix}.{key}" if prefix else key, f"missing ({spec.help})")
    return {**{k: s.default for k, s in keys.items() if s.default is not None}, **table}


def _check_type(value: Any, kind: str, dotted: str, where: _Where) -> None:
    checks: dict[str, Callable[[Any], bool]] = {
        "str": lambda v: isinstance(v, str),
        "level": lambda v: isinstance(v, str) or (_is_number(v) and math.isfinite(v)),
        "int": _is_int,
        "float": lambda v: _is_number(v) and math.isfinite(v),
        "bool": lambda v: isinstance(v, bool),
        "table": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list) and all(isinstance(x, dict) for x in v),
        "list[str]": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
        "list[int]": lambda v: isinstance(v, list) and all(_is_int(x) for x in v),
        "list[float]": lambda v: isinstance(v, list) and all(_is_number(x) and math.isfinite(x) for x in v),
        "list[list[float]]": lambda v: (
            isinstance(v, list) and all(isinstance(r, list) and all(_is_number(x) for x in r) for r in v)
        ),
    }
    names = {
        "str": "a string",
        "level": "a fraction in (0, 1] or a tier name",
        "int": "an integer",
        "float": "a number",
        "bool": "true or false",
        "table": "a table",
        "array": "an array of tables ([[...]])",
        "list[str]": "a list of strings",
        "list[int]": "a list of integers",
        "list[float]": "a list of numbers",
        "list[list[float]]": "a list of lists of numbers",
    }
    if not checks[kind](value):
        raise where.error(dotted, f"must be {names[kind]}, got {value!r}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _existing(base: Path, value: str, dotted: str, where: _Where, *, directory: bool) -> Path:
    path = Path(os.path.expanduser(value))
    path = path if path.is_absolute() else base / path
    if not path.exists():
        raise where.error(dotted, f"{path} does not exist")
    if directory and not path.is_dir():
        raise where.error(dotted, f"{path} is not a directory")
    if not directory and not path.is_file():
        raise where.error(dotted, f"{path} is not a file")
    return path


def _checkpoint(base: Path, value: str, dotted: str, where: _Where) -> Path:
    path = _existing(base, value, dotted, where, directory=True)
    if not (path / "config.json").is_file():
        raise where.error(dotted, f"{path} is not a checkpoint directory (no config.json)")
    return path


def _train_spec(table: dict[str, Any], base: Path, where: _Where, held_out: list[str] | None) -> TrainSpec:
    from codefrontier.experiment.train import TrainSettings
    from codefrontier.problems.levels import parse_level

    start = _checkpoint(base, table["base"], "train.base", where)
    if not table["problems"]:
        raise where.error("train.problems", "give at least one training problem")
    overlap = sorted(set(table["problems"]) & set(held_out or []))
    if overlap:
        raise where.error(
            "train.problems",
            f"{', '.join(overlap)} also in `problems`: the evaluation problems must be held out",
        )
    if held_out is None:
        raise where.error("problems", "with [train], list the held-out evaluation problems in `problems`")
    runs: list[TrainRun] = []
    for i, entry in enumerate(table["runs"]):
        run = _check_table(entry, TRAIN_RUN_KEYS, f"train.runs[{i}]", where)
        if not POLICY_NAME.match(run["name"]):
            raise where.error(
                f"train.runs[{i}].name", f"{run['name']!r}: use letters, digits and . _ + - only"
            )
        if run["name"] in [r.name for r in runs] or run["name"] == "warmup":
            raise where.error(
                f"train.runs[{i}].name", f"{run['name']!r} is taken (names must be unique, not `warmup`)"
            )
        try:
            level = parse_level(run["level"])
        except CodefrontierError as exc:
            raise where.error(f"train.runs[{i}].level", str(exc)) from None
        runs.append(TrainRun(run["name"], level))
    if not runs:
        raise where.error("train.runs", "give at least one run")
    if table["warmup_steps"] < 0:
        raise where.error("train.warmup_steps", "must not be negative")
    if table["warmup_lr"] <= 0:
        raise where.error("train.warmup_lr", "must be positive")
    values = {
        k: table[k]
        for k in (
            "steps",
            "lr",
            "prompts_per_step",
            "num_generations",
            "max_completion_length",
            "temperature",
            "seed",
        )
    }
    values["trainable_layers"] = table.get("trainable_layers")
    try:
        settings = TrainSettings(**values)
    except CodefrontierError as exc:
        key = str(exc).split(" ")[0]
        raise where.error(f"train.{key}", str(exc).removeprefix(key + " ")) from None
    return TrainSpec(
        start, list(table["problems"]), runs, table["warmup_steps"], float(table["warmup_lr"]), settings
    )


def _merge_spec(
    table: dict[str, Any], base: Path, where: _Where, trained: dict[str, Path] | None = None
) -> MergeSpec:
    interpolation = [k for k in ("low", "high", "alphas") if k in table]
    arithmetic = [k for k in ("base", "tasks", "lambdas") if k in table]
    if interpolation and arithmetic:
        raise where.error(
            "merge", "give either low, high and alphas (interpolation) or base, tasks and lambdas"
        )
    if interpolation or not arithmetic:
        for key in ("low", "high", "alphas"):
            if key not in table:
                raise where.error(f"merge.{key}", "missing (interpolation needs low, high and alphas)")
        if not table["alphas"]:
            raise where.error("merge.alphas", "give at least one alpha")
        trained = trained or {}
        inputs = [
            (
                r,
                trained[table[r]]
                if table[r] in trained
                else _checkpoint(base, table[r], f"merge.{r}", where),
            )
            for r in ("low", "high")
        ]
        spec = MergeSpec("interpolation", inputs, alphas=[float(a) for a in table["alphas"]])
    else:
        for key in ("base", "tasks", "lambdas"):
            if key not in table:
                raise where.error(f"merge.{key}", "missing (task arithmetic needs base, tasks and lambdas)")
        tasks = [_checkpoint(base, t, "merge.tasks", where) for t in table["tasks"]]
        if not tasks:
            raise where.error("merge.tasks", "give at least one task checkpoint")
        for row in table["lambdas"]:
            if len(row) != len(tasks):
                raise where.error(
                    "merge.lambdas", f"each row needs one lambda per task ({len(tasks)}), got {row}"
                )
        inputs = [("base", _checkpoint(base, table["base"], "merge.base", where))]
        inputs += [(f"task {i + 1}", t) for i, t in enumerate(tasks)]
        spec = MergeSpec("task_arithmetic", inputs, lambdas=[[float(x) for x in r] for r in table["lambdas"]])
    spec.out_dtype = table.get("out_dtype")
    spec.max_shard_size = table.get("max_shard_size", "5GB")
    _check_merge_output(table, where)
    return spec


def _check_merge_output(table: dict[str, Any], where: _Where) -> None:
    """`out_dtype` and `max_shard_size` as the merge will read them, now rather than when the
    merge stage starts (the merge code, and with it torch, is imported only when they are given)."""
    if "out_dtype" in table:
        from codefrontier.merge.sweep import resolve_out_dtype

        try:
            resolve_out_dtype(table["out_dtype"])
        except CodefrontierError as exc:
            raise where.error("merge.out_dtype", str(exc).removeprefix("--out-dtype ")) from None
    if "max_shard_size" in table:
        from codefrontier.merge.settings import parse_size

        try:
            parse_size(table["max_shard_size"])
        except CodefrontierError as exc:
            raise where.error("merge.max_shard_size", str(exc)) from None


def merged_names(merge: MergeSpec) -> list[str]:
    """The policy names of the merged checkpoints: merge_sweep's directory names."""
    from codefrontier.merge.methods import Interpolation, TaskArithmetic

    if merge.method == "interpolation":
        return [o.name for o in Interpolation(merge.alphas).outputs()]
    return [o.name for o in TaskArithmetic(merge.lambdas, len(merge.inputs) - 1).outputs()]


def _policies(entries: list[dict[str, Any]], base: Path, where: _Where) -> list[PolicySpec]:
    policies = []
    for i, entry in enumerate(entries):
        prefix = f"policies[{i}]"
        table = _check_table(entry, POLICY_KEYS, prefix, where)
        name = table["name"]
        if not POLICY_NAME.match(name):
            raise where.error(f"{prefix}.name", f"{name!r}: use letters, digits and . _ + - only")
        sources = [k for k in ("endpoint", "checkpoint", "samples") if k in table]
        if len(sources) != 1:
            raise where.error(prefix, f"policy {name!r}: give exactly one of endpoint, checkpoint or samples")
        kind = sources[0]
        if kind == "endpoint":
            if not is_url(table["endpoint"]):
                raise where.error(f"{prefix}.endpoint", f"{table['endpoint']!r} is not an http(s) URL")
            source = table["endpoint"]
            env = table.get("api_key_env")
            if env is not None and env not in os.environ:
                raise where.error(f"{prefix}.api_key_env", f"the environment variable {env} is not set")
        elif kind == "checkpoint":
            source = str(_checkpoint(base, table["checkpoint"], f"{prefix}.checkpoint", where))
        else:
            source = str(_existing(base, table["samples"], f"{prefix}.samples", where, directory=False))
        try:
            json.dumps(table.get("meta", {}))
        except (TypeError, ValueError):
            raise where.error(
                f"{prefix}.meta", "must hold only strings, numbers, booleans, lists and tables"
            ) from None
        extra = [k for k in ("model", "api_key_env") if k in table and kind != "endpoint"]
        if extra:
            raise where.error(f"{prefix}.{extra[0]}", f"only an endpoint policy takes {extra[0]!r}")
        policies.append(
            PolicySpec(
                name, kind, source, table.get("model"), table.get("api_key_env"), dict(table.get("meta", {}))
            )
        )
    return policies


def _sampling_spec(table: dict[str, Any], where: _Where) -> SamplingSpec:
    try:
        setting = Setting(table["setting"])
    except ValueError:
        raise where.error(
            "sampling.setting", f"{table['setting']!r}: choose reasoning, tools or agent"
        ) from None
    if table["n"] < 1:
        raise where.error("sampling.n", "must be at least 1")
    if table["engine"] not in ENGINES or table["engine"] == "http":
        raise where.error("sampling.engine", f"{table['engine']!r}: choose auto, transformers or vllm")
    for key in ("max_tokens", "max_turns", "max_in_flight"):
        if table[key] < 1:
            raise where.error(f"sampling.{key}", "must be at least 1")
    for key in ("max_tool_calls", "max_retries"):
        if table[key] < 0:
            raise where.error(f"sampling.{key}", "must not be negative")
    if table["temperature"] < 0:
        raise where.error("sampling.temperature", "must not be negative")
    if not 0 < table["top_p"] <= 1:
        raise where.error("sampling.top_p", "must be in (0, 1]")
    if table["timeout_s"] <= 0:
        raise where.error("sampling.timeout_s", "must be positive")
    if table.get("batch_size") is not None and table["batch_size"] < 1:
        raise where.error("sampling.batch_size", "must be at least 1")
    try:
        language = get_language(table["language"]).name
    except UnknownLanguageError as exc:
        raise where.error("sampling.language", exc.message) from None
    config = SettingConfig(
        setting=setting,
        language=language,
        temperature=float(table["temperature"]),
        top_p=float(table["top_p"]),
        max_tokens=table["max_tokens"],
        seed=table["seed"],
        max_tool_calls=table["max_tool_calls"],
        max_turns=table["max_turns"],
    )
    return SamplingSpec(
        n=table["n"],
        setting=config,
        engine=table["engine"],
        batch_size=table.get("batch_size"),
        device=table.get("device"),
        dtype=table.get("dtype"),
        max_in_flight=table["max_in_flight"],
        timeout_s=float(table["timeout_s"]),
        max_retries=table["max_retries"],
    )


def _check_judge(table: dict[str, Any], where: _Where) -> None:
    from codefrontier.sandbox.isolation import LEVELS

    if table["isolation"] not in ("auto", *LEVELS):
        raise where.error(
            "judge.isolation", f"{table['isolation']!r}: choose auto or one of {', '.join(LEVELS)}"
        )
    if table.get("jobs") is not None and table["jobs"] < 1:
        raise where.error("judge.jobs", "must be at least 1")
    if table["time_scale"] <= 0:
        raise where.error("judge.time_scale", "must be positive")
    if table["wall_factor"] < 1:
        raise where.error("judge.wall_factor", "must be at least 1")


def _check_report(table: dict[str, Any], where: _Where) -> None:
    if table["selection"] not in ("crossfit", "in-sample"):
        raise where.error("report.selection", "choose crossfit or in-sample")
    for key in ("k", "budgets"):
        if key in table and (not table[key] or min(table[key]) < 1):
            raise where.error(f"report.{key}", "must be a non-empty list of positive integers")
    if table["buckets"] < 1:
        raise where.error("report.buckets", "must be at least 1")


def read_toml(path: Path) -> tuple[dict[str, Any], bytes, _Where]:
    """An experiment file's table, its bytes (for its digest) and a locator whose
    `.error(dotted, message)` names the file, the line of a dotted key (`table.key`,
    `array[0].key`) and the key; for this file and other packages' experiment files."""
    if not path.is_file():
        raise InputError("experiment file not found", path=path)
    data = path.read_bytes()
    text = data.decode("utf-8", errors="replace")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InputError(
            f"not valid TOML: {exc}", path=path, line=int(line.group(1)) if line else None
        ) from None
    return raw, data, _Where(path, text)
