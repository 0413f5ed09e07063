"""`codefrontier experiment run EXP.toml`: merge, sample, judge, report, in one directory.

    EXP/
      manifest.json          what ran, with what inputs and versions; one entry per stage and per run
      experiment.toml        a copy of the experiment file of the latest run
      train/                 [train] outputs: warmup/ and one checkpoint per run; logs/NAME.jsonl, one line a step
      checkpoints/           [merge] outputs: alpha_<a>/ (or lambda_<l1>_<l2>/), as merge_sweep writes them
      samples/<policy>.jsonl                 samples in the judge's input format
      samples/<policy>.trajectories.jsonl    one trajectory per sample
      samples/<policy>.sampling.json         settings, backend and runs of each policy
      results/               the results store: samples.parquet, tests.parquet, provenance.json
      report/                index.html, PNG plots, CSV tables

Every stage is cached: a trained checkpoint is not trained again while its start point
and settings are unchanged, a merged checkpoint is not merged again while its inputs are
unchanged, a sample on disk is not drawn again, a judged sample is not judged again, and
the report is rewritten only when the results changed. A second run of a finished
experiment does no work. Everything is checked before the first stage starts: the file,
the problems, each checkpoint path, each endpoint (reachable, serving the model) and each
samples file.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from codefrontier.contracts import Problem, Sample
from codefrontier.errors import CodefrontierError, ConfigError, InputError
from codefrontier.experiment.config import TRAIN, Experiment, PolicySpec, load_experiment, merged_names
from codefrontier.judge.config import JudgeConfig
from codefrontier.judge.samples import load_samples, sample_from_json
from codefrontier.problems.registry import resolve_problems, select_problems
from codefrontier.sampling.backends import ENGINES, check_backend, open_backend, resolve_engine, vllm_missing
from codefrontier.sampling.backends.base import BackendUnavailable, EndpointError
from codefrontier.sampling.samplefile import read_keys, write_json_atomic
from codefrontier.sampling.sampler import check_languages, draw_samples, utc_now, versions

MANIFEST_FORMAT = "codefrontier-experiment/1"
CHECKPOINTS, SAMPLES, RESULTS, REPORT = "checkpoints", "samples", "results", "report"


@dataclass
class ExperimentRun:
    """What one run of an experiment did."""

    out: Path
    did: list[str] = field(default_factory=list)  # stages that did work, e.g. "merge", "sample:alpha_0.5"
    failed_samples: int = 0  # could not be drawn this run (a later run retries them)
    errors: list[str] = field(default_factory=list)
    report: Path | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process (and its waited-for children)

    @property
    def manifest(self) -> Path:
        return self.out / "manifest.json"


class Manifest:
    """EXP/manifest.json, rewritten atomically after every stage."""

    def __init__(self, exp: Experiment) -> None:
        self.path = exp.out / "manifest.json"
        self.data: dict[str, Any] = {"format": MANIFEST_FORMAT, "stages": {}, "runs": []}
        if self.path.exists():
            try:
                self.data = json.loads(self.path.read_text())
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"not valid JSON ({exc.msg}); remove it to start over", path=self.path
                ) from None
            if self.data.get("format") != MANIFEST_FORMAT:
                raise InputError(f"not a {MANIFEST_FORMAT} manifest; choose another out", path=self.path)
        self.data["experiment"] = {"file": str(exp.file), "sha256": exp.sha256, "name": exp.name}
        self.data["config"] = exp.raw
        self.data["versions"] = versions()
        self.data["machine"] = {
            "host": platform.node(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        }

    @property
    def stages(self) -> dict[str, Any]:
        return self.data.setdefault("stages", {})

    def save(self) -> None:
        write_json_atomic(self.path, self.data)


@dataclass
class _Policy:
    spec: PolicySpec
    samples: Path


def run_experiment(
    path: str | Path,
    *,
    out: str | Path | None = None,
    progress: bool = False,
    jobs: int | None = None,
    command: list[str] | None = None,
    engine: str | None = None,
    problem_ids: Sequence[str] | None = None,
    limit: int | None = None,
) -> ExperimentRun:
    """Run (or resume) the experiment in `path`; see the module doc for the layout.
    `engine` overrides [sampling] engine; `problem_ids` and `limit` narrow the evaluation
    problems of this run (the ids given, then the first `limit` of them)."""
    started, cpu = time.perf_counter(), time.process_time()
    exp = load_experiment(path, out=out)
    override_engine(exp, engine)
    benchmark, problems = experiment_problems(exp, problem_ids=problem_ids, limit=limit)
    check_languages(problems, exp.sampling.setting.language)
    preflight(exp, problems)
    training = training_problems(exp)
    exp.out.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(exp)
    run = ExperimentRun(exp.out)
    record: dict[str, Any] = {"started": utc_now(), "command": command or sys.argv, "did": run.did}
    manifest.data["runs"].append(record)
    copy = exp.out / "experiment.toml"
    if not copy.exists() or copy.read_bytes() != exp.file.read_bytes():
        shutil.copyfile(exp.file, copy)
    manifest.save()
    jobs = jobs or exp.judge.get("jobs")
    status = "interrupted"
    try:
        if exp.train is not None:
            train_stage(exp, manifest, run, training, jobs, progress)
        policies = []
        if exp.merge is not None:
            policies += merge_stage(exp, manifest, run, progress)
        policies += [
            _Policy(p, exp.out / SAMPLES / f"{p.name}.jsonl") for p in exp.policies if p.kind != "samples"
        ]
        for policy in policies:
            sample_stage(exp, manifest, run, policy, problems, benchmark, jobs, progress, command)
        samples = collect_samples(exp, problems)
        judge_stage(exp, manifest, run, problems, samples, benchmark, jobs, progress, command)
        report_stage(exp, manifest, run, len(problems))
        status = "finished"
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        status = f"failed: {exc}"
        raise
    finally:
        run.seconds = time.perf_counter() - started
        run.cpu_seconds = time.process_time() - cpu + _children_cpu()
        record.update(
            finished=utc_now(),
            status=status,
            seconds=round(run.seconds, 3),
            cpu_seconds=round(run.cpu_seconds, 3),
            failed_samples=run.failed_samples,
        )
        manifest.save()
    return run


def _children_cpu() -> float:
    """CPU seconds of this process's waited-for children (the judge's sandboxes run elsewhere:
    their time is in the results store)."""
    usage = os.times()
    return usage.children_user + usage.children_system


def override_engine(exp: Experiment, engine: str | None) -> None:
    """`--engine`: sample the experiment's checkpoints with another engine than its file says."""
    if engine is None:
        return
    if engine not in ENGINES or engine == "http":
        raise ConfigError(f"--engine {engine!r}: choose auto, transformers or vllm")
    exp.sampling.engine = engine


def check_experiment(
    path: str | Path, *, out: str | Path | None = None, engine: str | None = None
) -> Experiment:
    """Every check `run` makes before its first stage, and nothing more."""
    exp = load_experiment(path, out=out)
    override_engine(exp, engine)
    _, problems = experiment_problems(exp)
    check_languages(problems, exp.sampling.setting.language)
    preflight(exp, problems)
    training_problems(exp)
    return exp


# -- checks before any work -------------------------------------------------------------------
def experiment_problems(
    exp: Experiment, *, problem_ids: Sequence[str] | None = None, limit: int | None = None
) -> tuple[str, list[Problem]]:
    """The benchmark's name and the evaluation problems: the file's `problems` (default
    all), or `problem_ids` when given; then the first `limit` of them."""
    benchmark, problems = _all_problems(exp)
    by_id = {p.id: p for p in problems}
    if exp.problem_ids is not None:
        unknown = [pid for pid in exp.problem_ids if pid not in by_id]
        if unknown:
            raise exp.error(
                "problems",
                f"unknown problem id(s) {', '.join(map(repr, unknown))} in benchmark {benchmark!r}",
            )
        problems = [by_id[pid] for pid in dict.fromkeys(exp.problem_ids)]
    if problem_ids:
        problems = select_problems(list(by_id.values()), problem_ids, benchmark=benchmark)
    return benchmark, select_problems(problems, limit=limit)


_PROBLEMS_CACHE: dict[tuple[str | None, str | None], tuple[str, list[Problem]]] = {}


def _all_problems(exp: Experiment) -> tuple[str, list[Problem]]:
    key = (exp.benchmark, str(exp.problems_file) if exp.problems_file else None)
    if key not in _PROBLEMS_CACHE or exp.problems_file is not None:
        _PROBLEMS_CACHE.clear()
        _PROBLEMS_CACHE[key] = resolve_problems(exp.benchmark, exp.problems_file)
    return _PROBLEMS_CACHE[key]


def training_problems(exp: Experiment) -> list[Problem]:
    """[train] problems, checked: they exist, each run's level applies to each, and the
    training packages are installed."""
    if exp.train is None:
        return []
    import importlib.util

    for package in ("trl", "datasets", "transformers", "torch"):
        if importlib.util.find_spec(package) is None:
            raise BackendUnavailable(
                str(
                    exp.error("train", f"training needs `{package}`: pip install 'codefrontier[merge,train]'")
                )
            )
    benchmark, problems = _all_problems(exp)
    by_id = {p.id: p for p in problems}
    unknown = [pid for pid in exp.train.problem_ids if pid not in by_id]
    if unknown:
        raise exp.error(
            "train.problems",
            f"unknown problem id(s) {', '.join(map(repr, unknown))} in benchmark {benchmark!r}",
        )
    chosen = [by_id[pid] for pid in dict.fromkeys(exp.train.problem_ids)]
    from codefrontier.problems.levels import level_tests

    for index, run in enumerate(exp.train.runs):
        for problem in chosen:
            try:
                level_tests(problem, run.level)
            except CodefrontierError as exc:
                raise exp.error(f"train.runs[{index}].level", str(exc)) from None
    return chosen


def preflight(exp: Experiment, problems: Sequence[Problem]) -> None:
    """The engines can run here, endpoints answer and serve their model, and samples files
    are valid, before anything long starts."""
    local = exp.merge is not None or any(p.kind == "checkpoint" for p in exp.policies)
    if local and exp.sampling.engine == "vllm":
        missing = vllm_missing()
        if missing is not None:
            raise BackendUnavailable(str(exp.error("sampling.engine", f"'vllm': {missing}")))
    for index, policy in enumerate(exp.policies):
        if policy.kind == "endpoint":
            try:
                check_backend(_endpoint_backend(exp, policy))
            except EndpointError as exc:
                where = exp.error(f"policies[{index}].endpoint", f"policy {policy.name!r}: {exc}")
                raise EndpointError(str(where)) from None
        elif policy.kind == "samples":
            _policy_samples(policy, {p.id: p for p in problems})


def _endpoint_backend(exp: Experiment, policy: PolicySpec) -> Any:
    return open_backend(
        policy.source,
        engine="http",
        model_name=policy.model,
        api_key=os.environ.get(policy.api_key_env) if policy.api_key_env else None,
        max_in_flight=exp.sampling.max_in_flight,
        timeout_s=exp.sampling.timeout_s,
        max_retries=exp.sampling.max_retries,
    )


def _policy_samples(policy: PolicySpec, problems: dict[str, Problem]) -> list[Sample]:
    """A samples-file policy's samples, named and tagged as the experiment says."""
    samples = load_samples(policy.source, problems)
    found = sorted({s.policy for s in samples})
    if len(found) > 1:
        raise InputError(
            f"policy {policy.name!r}: the file holds several policies ({', '.join(found)}); "
            "give one file per policy",
            path=policy.source,
        )
    for sample in samples:
        sample.policy = policy.name
        sample.policy_meta = {**sample.policy_meta, **policy.meta}
    return samples


# -- train ------------------------------------------------------------------------------------
def _checkpoint_fingerprint(directory: Path) -> dict[str, Any]:
    """What a checkpoint's weights are, cheaply: a trained one by its training record's
    fingerprint, any other by its config's digest and its weight files' sizes and times."""
    from codefrontier.experiment.train import read_train_record

    record = read_train_record(directory)
    if record is not None and "fingerprint" in record:
        return {"trained": record["fingerprint"]}
    weights = sorted(
        [p.name, p.stat().st_size, p.stat().st_mtime_ns]
        for p in directory.iterdir()
        if p.suffix == ".safetensors"
    )
    config = hashlib.sha256((directory / "config.json").read_bytes()).hexdigest()
    return {"path": str(directory.resolve()), "config_sha256": config, "weights": weights}


def train_stage(
    exp: Experiment,
    manifest: Manifest,
    run: ExperimentRun,
    problems: list[Problem],
    jobs: int | None,
    progress: bool,
) -> None:
    """The warm-up (when asked for), then each GRPO run from it; a run whose checkpoint is
    in EXP/train with the same fingerprint is not trained again."""
    from codefrontier.experiment.train import ANSWER_FORMAT, train_grpo, warm_up

    spec = exp.train
    assert spec is not None
    stage = manifest.stages.setdefault("train", {})
    outputs = stage.setdefault("outputs", {})
    ids = [p.id for p in problems]
    language = exp.sampling.setting.language
    start = spec.base
    if spec.warmup_steps:
        settings = dataclasses.replace(spec.settings, steps=spec.warmup_steps, lr=spec.warmup_lr)
        fingerprint = {
            "kind": "warmup",
            "start": _checkpoint_fingerprint(start),
            "settings": settings.to_json(),
            "problems": ids,
            "answers": ANSWER_FORMAT,
        }
        base = start
        start = _train_one(
            exp, manifest, run, outputs, "warmup", fingerprint, settings.steps, progress,
            lambda out, log, on_step, record: warm_up(
                base, out, problems, settings, log=log, language=language, on_step=on_step, record=record
            ),
        )  # fmt: skip
    settings = spec.settings
    for spec_run in spec.runs:
        fingerprint = {
            "kind": "grpo",
            "start": _checkpoint_fingerprint(start),
            "level": spec_run.level,
            "settings": settings.to_json(),
            "problems": ids,
        }
        origin, level = start, spec_run.level
        _train_one(
            exp, manifest, run, outputs, spec_run.name, fingerprint, settings.steps, progress,
            lambda out, log, on_step, record, origin=origin, level=level: train_grpo(
                origin, out, problems, level, settings, log=log, language=language,
                judge_config=judge_config(exp), jobs=jobs, on_step=on_step, record=record,
            ),
        )  # fmt: skip


def _train_one(
    exp: Experiment,
    manifest: Manifest,
    run: ExperimentRun,
    outputs: dict[str, Any],
    name: str,
    fingerprint: dict[str, Any],
    steps: int,
    progress: bool,
    train: Any,
) -> Path:
    from codefrontier.experiment.train import read_train_record

    fingerprint = json.loads(json.dumps(fingerprint))
    out = exp.out / TRAIN / name
    log = exp.out / TRAIN / "logs" / f"{name}.jsonl"
    record = read_train_record(out)
    if record is not None:
        if record.get("fingerprint") == fingerprint:
            return out
        raise ConfigError(
            f"{out} was trained from another start point or with other settings than {exp.file} says now; "
            f"delete {exp.out / TRAIN} (and what was built from it: {exp.out / CHECKPOINTS}, {exp.out / SAMPLES}, "
            f"{exp.out / RESULTS}) or choose another out"
        )
    bar = _StepBar(name, steps) if progress else None
    entry = outputs.setdefault(name, {})
    entry.update(status="training", log=str(log.relative_to(exp.out)), started=utc_now())
    manifest.save()
    try:
        result = train(out, log, bar.step if bar else None, {"fingerprint": fingerprint})
    except BaseException as exc:
        entry.update(status="interrupted" if isinstance(exc, KeyboardInterrupt) else f"failed: {exc}")
        manifest.save()
        raise
    finally:
        if bar is not None:
            bar.close()
    entry.update(
        status="finished",
        finished=utc_now(),
        steps=result.steps,
        seconds=round(result.seconds, 3),
        cpu_seconds=round(result.cpu_seconds, 3),
        final=result.final,
    )
    run.did.append(f"train:{name}")
    manifest.save()
    return out


class _StepBar:
    """A rich progress bar over a training run's steps, showing the last loss and reward."""

    def __init__(self, name: str, steps: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn(f"[bold]training[/bold] {name}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[status]}"),
        )
        self.task = self.progress.add_task(name, total=steps, status="loading")
        self.progress.start()

    def step(self, line: dict[str, Any]) -> None:
        parts = [
            f"{k} {line[k]:.3g}" for k in ("loss", "reward", "passed") if isinstance(line.get(k), int | float)
        ]
        self.progress.update(self.task, completed=line.get("step", 0), status=", ".join(parts))

    def close(self) -> None:
        self.progress.stop()


# -- merge ------------------------------------------------------------------------------------
def _inputs_fingerprint(exp: Experiment) -> dict[str, Any]:
    """What the merged checkpoints depend on: each input's config and weight files (by
    size and modification time; merge_sweep records their digests in each output)."""
    assert exp.merge is not None
    inputs = []
    for role, directory in exp.merge.inputs:
        weights = sorted(
            [p.name, p.stat().st_size, p.stat().st_mtime_ns]
            for p in directory.iterdir()
            if p.suffix == ".safetensors"
        )
        config = hashlib.sha256((directory / "config.json").read_bytes()).hexdigest()
        inputs.append(
            {"role": role, "path": str(directory.resolve()), "config_sha256": config, "weights": weights}
        )
    return {"method": exp.merge.method, "inputs": inputs, "out_dtype": exp.merge.out_dtype}


def merge_stage(exp: Experiment, manifest: Manifest, run: ExperimentRun, progress: bool) -> list[_Policy]:
    """Merge the checkpoints that are not in EXP/checkpoints yet (merge_sweep, one pass)."""
    assert exp.merge is not None
    merge = exp.merge
    directory = exp.out / CHECKPOINTS
    names = merged_names(merge)
    coefficients: list[Any] = merge.alphas if merge.method == "interpolation" else merge.lambdas
    fingerprint = _inputs_fingerprint(exp)
    stage = manifest.stages.setdefault("merge", {"outputs": {}})
    present = [n for n in names if (directory / n).is_dir()]
    if present and stage.get("fingerprint") not in (None, fingerprint):
        raise ConfigError(
            f"{directory} holds checkpoints merged from other inputs than {exp.file} names now; "
            f"delete {directory} (and {exp.out / SAMPLES}) or choose another out"
        )
    missing = [(n, c) for n, c in zip(names, coefficients, strict=True) if not (directory / n).is_dir()]
    if missing:
        _merge_missing(exp, directory, [c for _, c in missing], stage, progress)
        run.did.append("merge")
    stage["fingerprint"] = fingerprint
    manifest.save()
    policies = []
    for name, coefficient in zip(names, coefficients, strict=True):
        meta = {"alpha": coefficient} if merge.method == "interpolation" else _lambda_meta(coefficient)
        spec = PolicySpec(name, "merged", str(directory / name), meta=meta)
        policies.append(_Policy(spec, exp.out / SAMPLES / f"{name}.jsonl"))
    return policies


def _lambda_meta(lambdas: list[float]) -> dict[str, Any]:
    return {"alpha": lambdas[0], "lambdas": lambdas} if len(lambdas) == 1 else {"lambdas": lambdas}


def _merge_missing(
    exp: Experiment, directory: Path, coefficients: list[Any], stage: dict[str, Any], progress: bool
) -> None:
    from codefrontier.merge import merge_sweep, merge_task_arithmetic

    assert exp.merge is not None
    merge = exp.merge
    scratch = directory / ".sweep"
    shutil.rmtree(scratch, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    options: dict[str, Any] = {
        "out_dtype": merge.out_dtype,
        "max_shard_size": merge.max_shard_size,
        "progress": progress,
    }
    if merge.method == "interpolation":
        (_, low), (_, high) = merge.inputs
        result = merge_sweep(low, high, coefficients, scratch, **options)
    else:
        base = merge.inputs[0][1]
        tasks = [path for _, path in merge.inputs[1:]]
        result = merge_task_arithmetic(base, tasks, coefficients, scratch, **options)
    for output in result.outputs:
        os.replace(output.path, directory / output.name)
        stage["outputs"][output.name] = {
            "alpha": output.alpha,
            "lambdas": list(output.lambdas) if output.lambdas is not None else None,
            "copied_from": output.copied_from,
            "bytes": output.bytes_written,
        }
    sweep_record = scratch / "codefrontier_sweep.json"
    if sweep_record.exists():
        os.replace(sweep_record, directory / f"sweep-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.json")
    shutil.rmtree(scratch, ignore_errors=True)
    stage.setdefault("runs", []).append(
        {
            "finished": utc_now(),
            "outputs": [o.name for o in result.outputs],
            "seconds": round(time.perf_counter() - started, 3),
        }
    )


# -- sample -----------------------------------------------------------------------------------
def sample_stage(
    exp: Experiment,
    manifest: Manifest,
    run: ExperimentRun,
    policy: _Policy,
    problems: list[Problem],
    benchmark: str,
    jobs: int | None,
    progress: bool,
    command: list[str] | None,
) -> None:
    spec = policy.spec
    sampling = exp.sampling
    if spec.kind == "endpoint":

        def factory() -> Any:
            return _endpoint_backend(exp, spec)
    else:
        engine = resolve_engine(spec.source, sampling.engine)

        def factory() -> Any:
            return open_backend(
                spec.source,
                engine=engine,
                model_name=spec.name,
                batch_size=sampling.batch_size,
                device=sampling.device,
                dtype=sampling.dtype,
            )

    report = draw_samples(
        problems,
        factory,
        policy.samples,
        n=sampling.n,
        policy=spec.name,
        config=sampling.setting,
        policy_meta=spec.meta,
        benchmark=benchmark,
        judge_config=judge_config(exp),
        jobs=jobs,
        progress=progress,
        command=command,
    )
    gc.collect()  # a local model is dropped before the next one loads
    _empty_gpu_cache()
    entry = manifest.stages.setdefault("sample", {}).setdefault(spec.name, {})
    entry.update(
        kind=spec.kind, source=spec.source, samples=str(policy.samples.relative_to(exp.out)), meta=spec.meta
    )
    if report.drawn or report.failed:
        run.did.append(f"sample:{spec.name}")
        entry.setdefault("runs", []).append({"finished": utc_now(), **report.to_json()})
    run.failed_samples += report.failed
    run.errors += report.errors
    manifest.save()


def _empty_gpu_cache() -> None:
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


def collect_samples(exp: Experiment, problems: list[Problem]) -> list[Sample]:
    """Every policy's samples, as the judge takes them."""
    by_id = {p.id: p for p in problems}
    names = merged_names(exp.merge) if exp.merge else []
    samples: list[Sample] = []
    for name in names + [p.name for p in exp.policies if p.kind != "samples"]:
        path = exp.out / SAMPLES / f"{name}.jsonl"
        for key, record in read_keys(path).items():
            if key[0] not in by_id or key[2] >= exp.sampling.n:
                continue  # a problem or sample the experiment no longer asks for
            sample = sample_from_json(record, by_id, path=path)
            sample.extracted = bool(record.get("extracted", sample.extracted))
            sample.raw = record.get("raw", sample.raw)
            samples.append(sample)
    for policy in exp.policies:
        if policy.kind == "samples":
            samples += [s for s in _policy_samples(policy, by_id) if s.problem_id in by_id]
    return samples


# -- judge ------------------------------------------------------------------------------------
def judge_config(exp: Experiment) -> JudgeConfig:
    return JudgeConfig(
        time_scale=float(exp.judge["time_scale"]),
        wall_factor=float(exp.judge["wall_factor"]),
        output_limit_mb=int(exp.judge["output_limit_mb"]),
        isolation=exp.judge["isolation"],
    )


def judge_stage(
    exp: Experiment,
    manifest: Manifest,
    run: ExperimentRun,
    problems: list[Problem],
    samples: list[Sample],
    benchmark: str,
    jobs: int | None,
    progress: bool,
    command: list[str] | None,
) -> None:
    from codefrontier.judge.api import run_judge
    from codefrontier.store.results import ResultsStore

    store = exp.out / RESULTS
    done = ResultsStore(store).done_keys()
    todo = [s for s in samples if (benchmark, s.problem_id, s.policy, s.sample) not in done]
    stage = manifest.stages.setdefault("judge", {})
    stage.update(store=RESULTS, samples=len(samples))
    if not todo:
        manifest.save()
        return
    report = run_judge(
        problems,
        samples,
        store,
        benchmark=benchmark,
        config=judge_config(exp),
        jobs=jobs,
        progress=progress,
        inputs={"experiment_file": str(exp.file), "experiment_sha256": exp.sha256},
        command=command or sys.argv,
    )
    run.did.append("judge")
    stage.setdefault("runs", []).append(
        {
            "finished": utc_now(),
            "judged": report.judged,
            "skipped": report.skipped,
            "internal_errors": report.internal_errors,
            "verdicts": report.verdicts,
            "isolation": report.isolation,
        }
    )
    manifest.save()


# -- report -----------------------------------------------------------------------------------
def _store_fingerprint(store: Path) -> list[Any]:
    return [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(store.glob("*.parquet"))]


def report_stage(exp: Experiment, manifest: Manifest, run: ExperimentRun, problems: int) -> None:
    from codefrontier.analysis.analyze import Options
    from codefrontier.analysis.report import write_report
    from codefrontier.experiment.story import experiment_section

    store = exp.out / RESULTS
    target = exp.out / REPORT
    stage = manifest.stages.setdefault("report", {})
    if not (store / "samples.parquet").exists():
        stage.update(status="no results to report")
        manifest.save()
        return
    fingerprint = {
        "store": _store_fingerprint(store),
        "options": exp.report,
        "title": exp.report.get("title", exp.name),
        "train": manifest.stages.get("train", {}).get("outputs"),
    }
    fingerprint = json.loads(json.dumps(fingerprint))
    if stage.get("fingerprint") == fingerprint and (target / "index.html").exists():
        run.report = target / "index.html"
        return
    options = Options(
        ks=tuple(exp.report["k"]) if "k" in exp.report else None,
        budgets=tuple(exp.report["budgets"]) if "budgets" in exp.report else None,
        selection=exp.report["selection"],
        reference=exp.report.get("reference"),
        buckets=exp.report["buckets"],
    )
    started = time.perf_counter()
    preface = experiment_section(exp, target, problems, manifest.data)
    run.report = write_report(
        [store], target, options, title=exp.report.get("title", exp.name), preface=preface
    )
    run.did.append("report")
    stage.update(
        status="written",
        index=str(run.report.relative_to(exp.out)),
        fingerprint=fingerprint,
        finished=utc_now(),
        seconds=round(time.perf_counter() - started, 3),
    )
    manifest.save()


def judge_cpu_seconds(out: Path) -> float:
    """CPU seconds the judged programs used, as the results store records them (they run
    in the judge's sandboxes, which are not this process's waited-for children)."""
    tests = out / RESULTS / "tests.parquet"
    if not tests.exists():
        return 0.0
    import duckdb

    with duckdb.connect() as con:
        value = con.execute("SELECT coalesce(sum(cpu_s), 0) FROM read_parquet(?)", [str(tests)]).fetchone()
    return float(value[0]) if value else 0.0
