"""TRL (the installed release): real GRPOTrainer steps on the CPU, with a tiny random Llama,
an offline tokenizer, a small dataset and codefrontier's reward. The rewards reach the
trainer's logs; a missing reward is masked when codefrontier is the only reward function
(TRL's NaN handling) and stops the run next to other reward functions (TRL would sum it
as 0)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from codefrontier.contracts import Problem
from codefrontier.rewards import CodeReward, JudgePool, Rewarder, RewardSpec
from codefrontier.rewards.sources import RewardUnavailable

from .problems import constant_problem

# Every piece is a whole line of Python, so any sequence the random policy writes is a
# program; some of them print the right answer first and stop.
PIECES = [
    "<pad>",
    "<eos>",
    "<unk>",
    "# Problem: print 42\n",
    "# Problem: print 7\n",
    "print(42)\n",
    "print(7)\n",
    "raise SystemExit\n",
    "pass\n",
]


def tiny_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {piece: i for i, piece in enumerate(PIECES)}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Split("\n", behavior="merged_with_previous")
    tokenizer.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, pad_token="<pad>", eos_token="<eos>", unk_token="<unk>"
    )


def tiny_llama(path: Path):
    """A Llama with random weights, saved and loaded back as a trainer would get it."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(PIECES),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=64,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=None,
    )
    LlamaForCausalLM(config).save_pretrained(path)
    return LlamaForCausalLM.from_pretrained(path)


class Recorder:
    """Wraps the reward to keep what it returned, to compare with the trainer's logs."""

    def __init__(self, reward: CodeReward) -> None:
        self.reward = reward
        self.__name__ = reward.__name__
        self.calls: list[tuple[list[str], list[float | None]]] = []

    def __call__(self, prompts, completions, **kwargs):
        values = self.reward(prompts=prompts, completions=completions, **kwargs)
        self.calls.append((list(kwargs["problem_id"]), values))
        return values


def grpo_step(
    tmp_path: Path, reward_funcs: list, rows: list[dict[str, str]]
) -> tuple[list[dict[str, float]], list[torch.Tensor]]:
    """One GRPO step; the trainer's logs and the advantages it computed."""
    from datasets import Dataset
    from transformers import TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    logged: list[dict[str, float]] = []
    advantages: list[torch.Tensor] = []

    class KeepLogs(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            logged.append(dict(logs or {}))

    class KeepAdvantages(GRPOTrainer):
        def _generate_and_score_completions(self, inputs):
            output = super()._generate_and_score_completions(inputs)
            advantages.append(output["advantages"].detach().clone())
            return output

    args = GRPOConfig(
        output_dir=str(tmp_path / "out"),
        per_device_train_batch_size=8,
        num_generations=4,
        max_completion_length=6,
        max_steps=1,
        logging_steps=1,
        use_cpu=True,
        report_to="none",
        save_strategy="no",
        seed=0,
    )
    trainer = KeepAdvantages(
        model=tiny_llama(tmp_path / "model"),
        reward_funcs=reward_funcs,
        args=args,
        train_dataset=Dataset.from_list(rows),
        processing_class=tiny_tokenizer(),
        callbacks=[KeepLogs()],
    )
    trainer.train()
    return logged, advantages


ROWS = [
    {"prompt": "# Problem: print 42\n", "problem_id": "answer-42"},
    {"prompt": "# Problem: print 7\n", "problem_id": "answer-7"},
]


@pytest.mark.slow
def test_grpo_trainer_step_gets_codefrontier_rewards_into_its_logs(
    tmp_path: Path, problems: list[Problem], rewarder: Rewarder
) -> None:
    reward = CodeReward(
        [p for p in problems if p.id.startswith("answer-")], spec=RewardSpec("level", "small"), pool="process"
    )
    reward._source = rewarder  # the session's sandboxes: no second pool on a two-core machine
    recorder = Recorder(reward)
    logged, _ = grpo_step(tmp_path, [recorder], ROWS)

    assert len(recorder.calls) == 1
    problem_ids, values = recorder.calls[0]
    assert sorted(set(problem_ids)) == ["answer-42", "answer-7"] and len(values) == 8
    assert all(v in (0.0, 1.0) for v in values)  # judged: never missing here
    assert [r.verdict for r in reward.last_rewards].count("AC") == sum(values)
    step = next(log for log in logged if f"rewards/{reward.__name__}/mean" in log)
    assert step[f"rewards/{reward.__name__}/mean"] == pytest.approx(sum(values) / len(values))
    assert step["reward"] == pytest.approx(sum(values) / len(values))
    assert step[f"{reward.__name__}/missing_fraction"] == 0.0
    assert math.isfinite(step["loss"])


@pytest.mark.slow
def test_grpo_leaves_a_completion_whose_reward_is_missing_out_of_its_group(
    tmp_path: Path, problems: list[Problem], pool: JudgePool
) -> None:
    # Printing nothing solves "silent": most of what the random policy writes passes, so a
    # missing reward counted as 0 would show in the mean.
    reward = CodeReward(spec=RewardSpec("level", "tiny"), pool="process")
    reward._source = Rewarder([*problems, constant_problem("silent", "")], pool=pool)
    recorder = Recorder(reward)
    rows = [
        {"prompt": "# Problem: print 42\n", "problem_id": "silent"},
        {"prompt": "# Problem: print 7\n", "problem_id": "broken-checker"},
    ]
    logged, advantages = grpo_step(tmp_path, [recorder], rows)

    problem_ids, values = recorder.calls[0]
    missing = [pid == "broken-checker" for pid in problem_ids]
    assert [v is None for v in values] == missing and any(missing)  # the judge failed on these
    judged = [v for v in values if v is not None]
    assert sum(judged) > 0
    step = next(log for log in logged if f"rewards/{reward.__name__}/mean" in log)
    assert step[f"rewards/{reward.__name__}/mean"] == pytest.approx(
        sum(judged) / len(judged)
    )  # no 0 among them
    assert step["reward"] == pytest.approx(sum(judged) / len(judged))
    assert step[f"{reward.__name__}/missing_fraction"] == pytest.approx(0.5)
    assert all(
        a == 0.0 for a, m in zip(advantages[0].tolist(), missing, strict=True) if m
    )  # no push either way
    assert math.isfinite(step["loss"])


@pytest.mark.slow
def test_next_to_another_reward_function_a_missing_reward_stops_grpo(
    tmp_path: Path, rewarder: Rewarder
) -> None:
    """TRL sums the reward functions with nansum: the missing reward would count as 0."""
    reward = CodeReward(spec=RewardSpec("level", "tiny"), pool="process")
    reward._source = rewarder

    def brevity(completions, **kwargs):
        return [1.0 / (1 + len(c)) for c in completions]

    rows = [ROWS[0], {"prompt": "# Problem: print 7\n", "problem_id": "broken-checker"}]
    with pytest.raises(RewardUnavailable, match="other reward functions \\(brevity\\)") as stopped:
        grpo_step(tmp_path, [Recorder(reward), brevity], rows)
    assert "checker of broken-checker failed" in str(stopped.value)


def test_reward_function_has_the_grpo_signature_and_keeps_missing_rewards_missing(rewarder: Rewarder) -> None:
    reward = CodeReward(spec=RewardSpec("level", "tiny"), name="code", pool="process")
    reward._source = rewarder
    completions = [
        [{"role": "assistant", "content": "```python\nprint(42)\n```"}],  # conversational
        "print(41)\n",
        "print(1)\n",
    ]
    metrics: dict[str, float] = {}
    values = reward(
        prompts=["p", "p", "q"],
        completions=completions,
        completion_ids=[[1], [2], [3]],
        problem_id=["answer-42", "answer-42", "broken-checker"],
        trainer_state=None,
        log_metric=lambda name, value: metrics.__setitem__(name, value),
        log_extra=lambda column, values: None,
    )
    assert values == [1.0, 0.0, None]  # TRL turns None into NaN and leaves it out of the statistics
    assert metrics["code/missing_fraction"] == pytest.approx(1 / 3)
    assert "checker" in reward.last_rewards[2].reason


def test_a_dataset_without_the_problem_column_is_an_error_naming_it(rewarder: Rewarder) -> None:
    from codefrontier.errors import InputError

    reward = CodeReward(problem_column="task", pool="process")
    reward._source = rewarder
    with pytest.raises(InputError) as caught:
        reward(prompts=["p"], completions=["print(1)"], problem_id=["answer-42"])
    assert caught.value.field == "task"
