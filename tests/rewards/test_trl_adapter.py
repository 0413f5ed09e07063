"""TRL: a real GRPOTrainer step on the CPU, with a tiny random Llama, an offline tokenizer,
a two-problem dataset and codefrontier's reward; the rewards reach the trainer's logs."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from codefrontier.contracts import Problem
from codefrontier.rewards import CodeReward, Rewarder, RewardSpec

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


@pytest.mark.slow
def test_grpo_trainer_step_gets_codefrontier_rewards_into_its_logs(
    tmp_path: Path, problems: list[Problem], rewarder: Rewarder
) -> None:
    from datasets import Dataset
    from transformers import TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    reward = CodeReward(
        [p for p in problems if p.id.startswith("answer-")], spec=RewardSpec("level", "small")
    )
    reward._source = rewarder  # the session's sandboxes: no second pool on a two-core machine
    recorder = Recorder(reward)
    dataset = Dataset.from_list(
        [
            {"prompt": "# Problem: print 42\n", "problem_id": "answer-42"},
            {"prompt": "# Problem: print 7\n", "problem_id": "answer-7"},
        ]
    )
    logged: list[dict[str, float]] = []

    class KeepLogs(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            logged.append(dict(logs or {}))

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
    trainer = GRPOTrainer(
        model=tiny_llama(tmp_path / "model"),
        reward_funcs=[recorder],
        args=args,
        train_dataset=dataset,
        processing_class=tiny_tokenizer(),
        callbacks=[KeepLogs()],
    )
    trainer.train()

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


def test_reward_function_has_the_grpo_signature_and_keeps_missing_rewards_missing(rewarder: Rewarder) -> None:
    reward = CodeReward(spec=RewardSpec("level", "tiny"), name="code")
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

    reward = CodeReward(problem_column="task")
    reward._source = rewarder
    with pytest.raises(InputError) as caught:
        reward(prompts=["p"], completions=["print(1)"], problem_id=["answer-42"])
    assert caught.value.field == "task"
