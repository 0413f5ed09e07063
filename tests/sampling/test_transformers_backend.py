"""The transformers backend end to end: a tiny random Llama saved with save_pretrained,
loaded back, sampled in batches, and its (junk) programs judged as failures."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from codefrontier.cli import main
from codefrontier.contracts import Problem
from codefrontier.errors import InputError
from codefrontier.judge.api import run_judge
from codefrontier.judge.samples import load_samples
from codefrontier.sampling.backends import (
    GenerationParams,
    TransformersBackend,
    open_backend,
    parse_tool_calls,
)
from codefrontier.sampling.backends.base import BackendUnavailable
from codefrontier.sampling.backends.local import VLLMBackend, vllm_missing
from codefrontier.sampling.sampler import draw_samples
from codefrontier.sampling.settings import SettingConfig
from codefrontier.sampling.tools import tool_specs


def test_tiny_model_samples_are_drawn_in_batches_and_judged_as_failures(
    tiny_pair: tuple[Path, Path], problems: list[Problem], tmp_path: Path
) -> None:
    low, _ = tiny_pair
    backend = TransformersBackend(low, batch_size=4)
    out = tmp_path / "samples.jsonl"
    config = SettingConfig(max_tokens=24, temperature=1.0)
    report = draw_samples(problems, backend, out, n=2, policy="tiny", config=config)
    assert (report.drawn, report.failed) == (4, 0)
    assert report.usage.completion_tokens > 0 and report.model == "low"
    trajectories = [
        json.loads(line) for line in (tmp_path / "samples.trajectories.jsonl").read_text().splitlines()
    ]
    assert len(trajectories) == 4
    for trajectory in trajectories:
        step = trajectory["steps"][0]
        assert 0 < step["completion_tokens"] <= 24 and step["prompt_tokens"] > 0
    samples = load_samples(out, {p.id: p for p in problems})
    result = run_judge(problems, samples, tmp_path / "results", benchmark="tiny", jobs=1, progress=False)
    assert result.judged == 4 and result.verdicts.get("AC", 0) == 0


def test_tiny_model_runs_the_tools_and_agent_settings(
    tiny_pair: tuple[Path, Path], problems: list[Problem], tmp_path: Path
) -> None:
    backend = TransformersBackend(tiny_pair[1], batch_size=8)
    for setting in ("tools", "agent"):
        out = tmp_path / f"{setting}.jsonl"
        config = SettingConfig(setting=setting, max_tokens=12, max_turns=2, max_tool_calls=2)
        report = draw_samples(problems, backend, out, n=1, policy=setting, config=config)
        assert (report.drawn, report.failed) == (2, 0)


def test_concurrent_requests_with_different_seeds_share_one_generate(tiny_pair: tuple[Path, Path]) -> None:
    backend = TransformersBackend(tiny_pair[0], batch_size=6)
    backend.gather_s = 30.0  # wait for the batch to fill (it fills at once; the wait only bounds it)

    async def go() -> list:
        try:
            chats = [
                backend.chat(
                    [{"role": "user", "content": f"task {i}"}], GenerationParams(1.0, max_tokens=4, seed=i)
                )
                for i in range(6)
            ]
            return await asyncio.gather(*chats)
        finally:
            await backend.aclose()

    results = asyncio.run(go())
    assert backend.batches == 1 and len(results) == 6
    assert all(len(r) == 1 and 0 < r[0].usage.completion_tokens <= 4 for r in results)


def test_chat_template_renders_tools_and_tool_results(tiny_pair: tuple[Path, Path]) -> None:
    backend = TransformersBackend(tiny_pair[0])
    asyncio.run(backend.check())
    messages = [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "task"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "run_python", "arguments": '{"code": "print(1)"}'}}
        ]},
        {"role": "tool", "tool_call_id": "c1", "content": '{"status": "OK"}'},
    ]  # fmt: skip
    text = backend.render(messages, tool_specs(cpp=False))
    # this template ignores `tools`, so their description and the call format join the system message
    assert text.startswith("<|system|>sys\n\nYou can call tools.") and "run_python" in text
    assert '<|tool|>{"status": "OK"}' in text and text.endswith("<|assistant|>")


def test_tool_calls_are_read_from_a_local_models_text() -> None:
    text = 'Let me test.\n<tool_call>{"name": "run_python", "arguments": {"code": "print(2)"}}</tool_call>'
    content, calls = parse_tool_calls(text)
    assert content == "Let me test."
    assert [(c.name, json.loads(c.arguments)) for c in calls] == [("run_python", {"code": "print(2)"})]
    _, (broken,) = parse_tool_calls("<tool_call>{not json</tool_call>")
    assert broken.name == "" and broken.arguments == "{not json"


def test_a_checkpoint_path_that_does_not_exist_is_one_clear_message(
    tmp_path: Path, problems_file: Path, capsys
) -> None:
    with pytest.raises(InputError, match="checkpoint directory does not exist"):
        open_backend(tmp_path / "nowhere", engine="transformers")
    args = [
        "sample",
        "--model",
        str(tmp_path / "nowhere"),
        "--problems",
        str(problems_file),
        "--out",
        str(tmp_path / "s.jsonl"),
    ]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"codefrontier sample: error: {tmp_path / 'nowhere'}: checkpoint directory does not exist"


def test_vllm_without_its_package_or_a_gpu_names_the_missing_piece(tiny_pair: tuple[Path, Path]) -> None:
    missing = vllm_missing()
    assert missing is not None  # this machine has no vLLM and no GPU
    with pytest.raises(BackendUnavailable, match="vLLM backend needs") as raised:
        VLLMBackend(tiny_pair[0])
    assert "use --engine transformers" in str(raised.value)
    assert type(open_backend(tiny_pair[0])).__name__ == "TransformersBackend"  # auto falls back
