"""Training the checkpoints an experiment compares: a supervised warm-up on reference
solutions, and short RL runs with TRL's `GRPOTrainer` rewarded by codefrontier's own
nested-coverage rewards (`codefrontier.rewards.CodeReward` with `RewardSpec("level", ...)`).

    from codefrontier.experiment.train import warm_up, train_grpo, TrainSettings

Both start from a checkpoint directory and publish a checkpoint directory (model,
tokenizer and chat template) whole or not at all: they write beside it and rename it
into place when the last step is done. Every step is one line of a JSONL log (loss,
reward, reward spread, the judged pass rate, seconds), which the experiment keeps and
plots. The prompts are the sampling prompts of the reasoning setting
(`codefrontier.sampling.prompts.initial_messages`), so a policy is trained on exactly
what it is later sampled with.

A loss that is not finite stops the run before the optimizer applies it: the weights of
the last good step are saved beside the output (`NAME.diverged/`), the log is kept, and
`TrainingDiverged` says at which step and what to change. Nothing else is written as if
the run had finished.

Cost on a CPU is set by the tokens a step touches: `prompts_per_step * num_generations`
completions of up to `max_completion_length` tokens are generated, then scored by a
forward and a backward pass. `trainable_layers` freezes all but the last N decoder
layers (and the final norm), so the backward pass stops early; docs/sampling.md
("Training") gives the figures measured here.
"""

from __future__ import annotations

import functools
import json
import math
import os
import random
import shutil
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from codefrontier import pyast
from codefrontier.contracts import Problem, Solution
from codefrontier.errors import CodefrontierError, ConfigError, InputError
from codefrontier.judge.config import JudgeConfig
from codefrontier.sampling.prompts import initial_messages, language_tag

TRAIN_RECORD = "codefrontier_train.json"
RECORD_FORMAT = "codefrontier-train/1"


class TrainingDiverged(CodefrontierError):
    """A loss was not finite; the run stopped before applying it (the message says where
    the last good weights and the log are)."""


@dataclass(frozen=True)
class TrainSettings:
    """How a warm-up or an RL run trains. Every field changes the weights it produces."""

    steps: int = 8
    lr: float = 1e-5
    prompts_per_step: int = 2  # problems per step (GRPO: each gets `num_generations` completions)
    num_generations: int = 4  # GRPO group size
    max_completion_length: int = 192  # GRPO: tokens per completion
    max_prompt_length: int = 1024
    temperature: float = 1.0  # GRPO: sampling temperature of the completions
    trainable_layers: int | None = None  # train only the last N decoder layers (None: every parameter)
    seed: int = 0

    def __post_init__(self) -> None:
        checks = [
            ("steps", self.steps >= 1, "must be at least 1"),
            ("lr", self.lr > 0 and math.isfinite(self.lr), "must be a positive number"),
            ("prompts_per_step", self.prompts_per_step >= 1, "must be at least 1"),
            ("num_generations", self.num_generations >= 2, "must be at least 2 (GRPO compares a group)"),
            ("max_completion_length", self.max_completion_length >= 1, "must be at least 1"),
            ("max_prompt_length", self.max_prompt_length >= 1, "must be at least 1"),
            ("temperature", self.temperature > 0, "must be positive"),
            (
                "trainable_layers",
                self.trainable_layers is None or self.trainable_layers >= 1,
                "must be at least 1 (leave it out to train every parameter)",
            ),
        ]
        for name, ok, message in checks:
            if not ok:
                raise ConfigError(f"{name} {message}, got {getattr(self, name)!r}")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TrainResult:
    """What one warm-up or RL run produced."""

    name: str
    path: Path
    log: Path
    steps: int
    seconds: float
    cpu_seconds: float
    final: dict[str, float] = field(default_factory=dict)  # the last step's log line

    @classmethod
    def finished(
        cls, name: str, path: Path, log: Path, steps: int, started: float, cpu: float, lines: list[dict]
    ) -> TrainResult:
        """A run that ended now: wall and CPU since `started` and `cpu` (perf_counter and
        process_time readings), and its last log line."""
        return cls(
            name,
            path,
            log,
            steps,
            time.perf_counter() - started,
            time.process_time() - cpu,
            lines[-1] if lines else {},
        )


# -- shared -----------------------------------------------------------------------------------
def _load(start: Path, settings: TrainSettings) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    if not (start / "config.json").is_file():
        raise InputError("not a checkpoint directory (no config.json)", path=start)
    tokenizer = AutoTokenizer.from_pretrained(start)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(start, dtype=torch.float32)
    freeze_all_but_last_layers(model, settings.trainable_layers)
    return model, tokenizer


def freeze_all_but_last_layers(model: Any, layers: int | None) -> None:
    """Leave only the last `layers` decoder layers and the final norm trainable (None:
    leave everything trainable). Tied input/output embeddings stay frozen with them."""
    if layers is None:
        return
    blocks = getattr(getattr(model, "model", None), "layers", None)
    if blocks is None:
        raise ConfigError(
            f"trainable_layers needs a decoder with `model.layers`; {type(model).__name__} has none"
        )
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    for block in list(blocks)[-layers:]:
        for parameter in block.parameters():
            parameter.requires_grad_(True)
    norm = getattr(model.model, "norm", None)
    if norm is not None:
        for parameter in norm.parameters():
            parameter.requires_grad_(True)


def _publish(model: Any, tokenizer: Any, out: Path, record: dict[str, Any]) -> None:
    """Save model and tokenizer beside `out`, then rename the directory into place."""
    scratch = out.with_name(f".{out.name}.partial")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    model.save_pretrained(scratch)
    tokenizer.save_pretrained(scratch)
    (scratch / TRAIN_RECORD).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    if out.exists():
        shutil.rmtree(out)
    os.replace(scratch, out)


def _save_diverged(model: Any, tokenizer: Any, out: Path, record: dict[str, Any]) -> Path:
    target = out.with_name(f"{out.name}.diverged")
    _publish(model, tokenizer, target, record)
    return target


def read_train_record(path: Path) -> dict[str, Any] | None:
    """The record of a finished run in checkpoint directory `path`, or None."""
    file = path / TRAIN_RECORD
    if not file.is_file():
        return None
    try:
        record = json.loads(file.read_text())
    except json.JSONDecodeError:
        return None
    return record if isinstance(record, dict) and record.get("format") == RECORD_FORMAT else None


class _Log:
    """The JSONL log of one run, rewritten from the start by each attempt."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.fh = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.lines: list[dict[str, Any]] = []

    def write(self, line: dict[str, Any]) -> None:
        self.lines.append(line)
        self.fh.write(json.dumps(line, sort_keys=True) + "\n")
        self.fh.flush()

    def close(self) -> None:
        self.fh.close()


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _diverged_message(name: str, step: int, what: str, saved: Path, log: Path, lr: float) -> str:
    return (
        f"training run {name!r} diverged at step {step}: the {what} is not finite. The update was not "
        f"applied; the weights after step {step - 1} are in {saved} and the log in {log}. Lower the "
        f"learning rate (now {lr:g}) or the number of trainable layers and run again."
    )


# -- supervised warm-up -----------------------------------------------------------------------
ANSWER_FORMAT = "2"  # part of a warm-up's fingerprint: a change here retrains it


def reference_answer(problem: Problem, language: str = "python") -> str | None:
    """The answer a warm-up teaches for `problem`: its reference solution in one fenced
    block, as the sampling prompt asks for it (None when the problem ships none). Python
    docstrings are left out (HumanEval's reference repeats the prompt's): the answer is
    the code, and a short answer is cheaper to learn and, later, to sample."""
    solution: Solution | None = next(
        (s for s in problem.solutions if s.expected == "AC" and s.language == language), None
    )
    if solution is None:
        return None
    code = _without_docstrings(solution.code) if language == "python" else solution.code
    return f"```{language_tag(language)}\n{code.strip()}\n```"


def _without_docstrings(code: str) -> str:
    import ast

    try:
        tree = pyast.parse(code)
    except SyntaxError:
        return code
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and ast.get_docstring(
            node
        ):
            node.body = node.body[1:] or [ast.Pass()]
    return ast.unparse(tree)


def warm_up(
    start: str | Path,
    out: str | Path,
    problems: Sequence[Problem],
    settings: TrainSettings,
    *,
    log: str | Path,
    language: str = "python",
    on_step: Callable[[dict[str, Any]], None] | None = None,
    record: dict[str, Any] | None = None,
) -> TrainResult:
    """Supervised fine-tuning on the problems' reference solutions: each step takes
    `prompts_per_step` (prompt, reference answer) pairs, trains on the answer tokens
    only, and logs the loss."""
    import torch

    start, out, log = Path(start), Path(out), Path(log)
    examples = [(p, a) for p in problems if (a := reference_answer(p, language)) is not None]
    if not examples:
        raise InputError(f"no problem among the {len(problems)} given has a {language} reference solution")
    started, cpu = time.perf_counter(), time.process_time()
    torch.manual_seed(settings.seed)
    model, tokenizer = _load(start, settings)
    model.train()
    encoded = [_encode_example(tokenizer, initial_messages(p, language, "reasoning"), a) for p, a in examples]
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=settings.lr)
    order = random.Random(settings.seed)
    queue: list[int] = []
    writer = _Log(log)
    name = out.name
    try:
        for step in range(1, settings.steps + 1):
            step_started, step_cpu = time.perf_counter(), time.process_time()
            batch = []
            for _ in range(min(settings.prompts_per_step, len(encoded))):
                if not queue:
                    queue = list(range(len(encoded)))
                    order.shuffle(queue)
                batch.append(encoded[queue.pop()])
            input_ids, labels, attention = _collate(batch, tokenizer.pad_token_id)
            loss = model(input_ids=input_ids, attention_mask=attention, labels=labels).loss
            if not torch.isfinite(loss):
                saved = _save_diverged(model, tokenizer, out, {"format": RECORD_FORMAT, "diverged_at": step})
                raise TrainingDiverged(_diverged_message(name, step, "loss", saved, log, settings.lr))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            line = {
                "step": step,
                "loss": float(loss.item()),
                "seconds": time.perf_counter() - step_started,
                "cpu_seconds": time.process_time() - step_cpu,
            }
            writer.write(line)
            if on_step is not None:
                on_step(line)
    finally:
        writer.close()
    model.eval()
    _publish(model, tokenizer, out, {"format": RECORD_FORMAT, "kind": "warmup", **(record or {})})
    return TrainResult.finished(name, out, log, settings.steps, started, cpu, writer.lines)


def _encode_example(tokenizer: Any, messages: list[dict[str, Any]], answer: str) -> tuple[list[int], int]:
    """The token ids of prompt + answer, and how many of them are the prompt."""
    prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    full = tokenizer.apply_chat_template(
        [*messages, {"role": "assistant", "content": answer}], tokenize=False
    )
    if not full.startswith(prompt):  # a template that rewrites earlier turns: append by hand
        full = prompt + answer + (tokenizer.eos_token or "")
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    full_ids = tokenizer(full, add_special_tokens=False)["input_ids"]
    return full_ids, len(prompt_ids)


def _collate(batch: list[tuple[list[int], int]], pad_id: int) -> tuple[Any, Any, Any]:
    import torch

    width = max(len(ids) for ids, _ in batch)
    input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    attention = torch.zeros((len(batch), width), dtype=torch.long)
    for row, (ids, prompt_length) in enumerate(batch):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        labels[row, prompt_length : len(ids)] = torch.tensor(ids[prompt_length:])
        attention[row, : len(ids)] = 1
    return input_ids, labels, attention


# -- GRPO -------------------------------------------------------------------------------------
def _without_checkpointing_deprecations(fn: Callable[..., Any]) -> Callable[..., Any]:
    """transformers 5 deprecates `gradient_checkpointing` in favour of
    `activation_checkpointing`, and TRL's own config still uses the old names: every GRPO
    run printed four FutureWarnings about code that is not ours. They are silenced here
    and only here."""

    @functools.wraps(fn)
    def quiet(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=FutureWarning, message=r".*checkpointing.*")
            return fn(*args, **kwargs)

    return quiet


@_without_checkpointing_deprecations
def train_grpo(
    start: str | Path,
    out: str | Path,
    problems: Sequence[Problem],
    level: str | float,
    settings: TrainSettings,
    *,
    log: str | Path,
    language: str = "python",
    judge_config: JudgeConfig | None = None,
    jobs: int | None = None,
    on_step: Callable[[dict[str, Any]], None] | None = None,
    record: dict[str, Any] | None = None,
) -> TrainResult:
    """GRPO from `start` on `problems`, rewarded 1 when a completion passes every test of
    nested coverage level `level` (a fraction of the size-ordered tests, or a tier name)
    and 0 otherwise; a reward the judge could not compute is left out of its group
    (`CodeReward`'s rule). Publishes the trained checkpoint in `out`."""
    import torch
    from datasets import Dataset
    from transformers import TrainerCallback
    from transformers.trainer_callback import PrinterCallback
    from trl import GRPOConfig, GRPOTrainer

    from codefrontier.rewards import CodeReward, RewardSpec

    start, out, log = Path(start), Path(out), Path(log)
    if not problems:
        raise InputError("no training problems")
    spec = RewardSpec("level", level)
    for problem in problems:
        spec.check_problem(problem)
    started, cpu = time.perf_counter(), time.process_time()
    model, tokenizer = _load(start, settings)
    name = out.name
    reward = CodeReward(
        list(problems), spec=spec, jobs=jobs, config=judge_config, language=language, pool="process"
    )
    rows = [
        {"prompt": initial_messages(p, language, "reasoning"), "problem_id": p.id, "language": language}
        for p in problems
    ]
    per_epoch = max(1, len(rows) // settings.prompts_per_step)
    rows = rows * math.ceil(settings.steps / per_epoch + 1)
    writer = _Log(log)
    step_started = [time.perf_counter(), time.process_time()]

    class Diverged(Exception):
        def __init__(self, step: int) -> None:
            self.step = step

    class StopOnNonFiniteLoss(GRPOTrainer):  # type: ignore[misc]
        def training_step(self, model: Any, inputs: Any, num_items_in_batch: Any = None) -> Any:
            loss = super().training_step(model, inputs, num_items_in_batch)
            if not torch.isfinite(loss).all():  # before the optimizer applies the gradient
                raise Diverged(self.state.global_step + 1)
            return loss

    class StepLog(TrainerCallback):  # type: ignore[misc]
        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
            logs = dict(logs or {})
            if "loss" not in logs and "reward" not in logs:
                return  # the closing summary (train_runtime, ...)
            line = {
                "step": state.global_step,
                "loss": logs.get("loss"),
                "reward": logs.get("reward"),
                "reward_std": logs.get("reward_std"),
                "passed": logs.get(f"{reward.__name__}/passed_fraction"),
                "missing": logs.get(f"{reward.__name__}/missing_fraction"),
                "completion_length": logs.get("completions/mean_length"),
                "seconds": time.perf_counter() - step_started[0],
                "cpu_seconds": time.process_time()
                - step_started[1],  # this process; the judge runs elsewhere
            }
            step_started[:] = [time.perf_counter(), time.process_time()]
            writer.write(line)
            if on_step is not None:
                on_step(line)

    args = GRPOConfig(
        output_dir=str(out.with_name(f".{out.name}.trainer")),
        per_device_train_batch_size=settings.prompts_per_step * settings.num_generations,
        num_generations=settings.num_generations,
        max_completion_length=settings.max_completion_length,
        temperature=settings.temperature,
        learning_rate=settings.lr,
        max_steps=settings.steps,
        beta=0.0,  # no reference model: half the memory and forward passes
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        seed=settings.seed,
        disable_tqdm=True,
        shuffle_dataset=True,
        # TRL's GRPOConfig turns gradient checkpointing on by default; with it, generation
        # runs without a key-value cache (every new token recomputes the whole sequence),
        # and a 135M model on a CPU needs no memory saving: one GRPO step took 739 s with
        # it. Off, the step is generation plus one forward and backward pass.
        gradient_checkpointing=False,
        # GRPOConfig also defaults to bf16 autocast. On a CPU without native bfloat16
        # (no AVX512-BF16 or AMX, as here) each matmul is emulated: measured 8x slower than
        # float32 for the 135M model's layer shapes. Training stays in float32 on a CPU.
        bf16=False,
    )
    trainer = StopOnNonFiniteLoss(
        model=model,
        reward_funcs=[reward],
        args=args,
        train_dataset=Dataset.from_list(rows),
        processing_class=tokenizer,
        callbacks=[StepLog()],
    )
    # With tqdm off, transformers prints every log dict raw (30 keys a step); the step
    # line of `on_step` and the log file say what matters.
    trainer.remove_callback(PrinterCallback)
    try:
        trainer.train()
    except Diverged as exc:
        saved = _save_diverged(
            model, tokenizer, out, {"format": RECORD_FORMAT, "kind": "grpo", "diverged_at": exc.step}
        )
        raise TrainingDiverged(_diverged_message(name, exc.step, "loss", saved, log, settings.lr)) from None
    finally:
        writer.close()
        reward.close()
        shutil.rmtree(out.with_name(f".{out.name}.trainer"), ignore_errors=True)
    model.eval()
    _publish(
        model,
        tokenizer,
        out,
        {"format": RECORD_FORMAT, "kind": "grpo", "level": spec.level, **(record or {})},
    )
    return TrainResult.finished(name, out, log, settings.steps, started, cpu, writer.lines)
