"""The transformers backend's continuous batching on a tiny random Llama: greedy answers are
exactly `generate`'s even when rows of different lengths leave and join the batch; a
sample's tokens do not depend on what shared its batch; the CPU dtype is measured at load;
Ctrl-C stops generation within a step, keeps every finished sample and records the run as
interrupted."""

from __future__ import annotations

import asyncio
import json
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from codefrontier.contracts import Problem
from codefrontier.sampling.backends import GenerationParams, TransformersBackend
from codefrontier.sampling.sampler import draw_samples
from codefrontier.sampling.settings import SettingConfig


def params(request: dict) -> GenerationParams:
    return GenerationParams(**{k: v for k, v in request.items() if k != "messages"})


def chats(backend: TransformersBackend, requests: list[dict]) -> list:
    async def go() -> list:
        try:
            return await asyncio.gather(*(backend.chat(r["messages"], params(r)) for r in requests))
        finally:
            await backend.aclose()

    return asyncio.run(go())


def generate_greedy(path: Path, text: str, max_tokens: int) -> str:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": text}], add_generation_prompt=True, tokenize=False
    )
    encoded = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
    out = model.generate(
        **encoded, max_new_tokens=max_tokens, do_sample=False, pad_token_id=tokenizer.pad_token_id
    )
    return tokenizer.decode(out[0, encoded["input_ids"].shape[1] :], skip_special_tokens=True)


def test_greedy_answers_are_generates_while_rows_leave_and_join_the_batch(
    tiny_pair: tuple[Path, Path],
) -> None:
    low, _ = tiny_pair
    backend = TransformersBackend(low, batch_size=3, dtype="float32")
    # different budgets: rows end at different steps and waiting requests take their slots;
    # repeated prompts (samples of one problem) share one prefill
    requests = [
        {
            "messages": [{"role": "user", "content": "task " * i}],
            "max_tokens": 3 + 4 * (i % 3),
            "temperature": 0,
        }
        for i in (1, 2, 2, 3, 4, 4, 4, 5, 6, 7)
    ]
    results = chats(backend, requests)
    assert backend.describe()["batching"] == "continuous"
    for request, result in zip(requests, results, strict=True):
        expected = generate_greedy(low, request["messages"][0]["content"], request["max_tokens"])
        assert result[0].text == expected
        assert result[0].usage.completion_tokens == request["max_tokens"]


def test_a_sample_does_not_depend_on_what_shared_its_batch(tiny_pair: tuple[Path, Path]) -> None:
    low, _ = tiny_pair
    alone = chats(
        TransformersBackend(low, batch_size=4, dtype="float32"),
        [{"messages": [{"role": "user", "content": "x"}], "max_tokens": 12, "temperature": 1.0, "seed": 7}],
    )
    crowd = [
        {
            "messages": [{"role": "user", "content": "y " * i}],
            "max_tokens": 5 + i,
            "temperature": 1.0,
            "seed": i,
        }
        for i in range(5)
    ]
    crowd.insert(
        2, {"messages": [{"role": "user", "content": "x"}], "max_tokens": 12, "temperature": 1.0, "seed": 7}
    )
    together = chats(TransformersBackend(low, batch_size=4, dtype="float32"), crowd)
    assert together[2][0].text == alone[0][0].text


def test_the_cpu_dtype_is_chosen_by_measuring_both(tiny_pair: tuple[Path, Path]) -> None:
    backend = TransformersBackend(tiny_pair[0], batch_size=2)
    chats(backend, [{"messages": [{"role": "user", "content": "x"}], "max_tokens": 2}])
    described = backend.describe()
    measured = described["dtype_measured_step_s"]
    assert set(measured) == {"float32", "bfloat16"}
    assert described["dtype"] == min(measured, key=measured.__getitem__)
    assert str(backend.hf_model.dtype) == f"torch.{described['dtype']}"


@pytest.fixture
def terminal_sigint() -> Iterator[None]:
    """SIGINT as a terminal's Ctrl-C finds it. A suite started in the background of a script
    has it ignored (POSIX shells do that to background jobs), and then nothing happens."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_stops_generation_within_a_step_and_keeps_every_finished_sample(
    tiny_pair: tuple[Path, Path], problems: list[Problem], tmp_path: Path, terminal_sigint: None
) -> None:
    import os

    backend = TransformersBackend(tiny_pair[0], batch_size=2, dtype="float32")
    out = tmp_path / "samples.jsonl"
    # 40 samples of up to 4000 tokens: the run is still generating when the interrupt is
    # handled, even on a loaded machine (with 6, a random model's early end-of-sequence tokens
    # once let the whole run finish before the main thread woke up)
    config = SettingConfig(max_tokens=4000, temperature=1.0)
    interrupted_at: list[int] = []

    def interrupt_when_generating() -> None:
        while backend.decoder is None or backend.decoder.steps < 5:
            time.sleep(0.01)
        interrupted_at.append(backend.decoder.steps)
        os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C sends (and wakes asyncio's loop)

    threading.Thread(target=interrupt_when_generating, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        draw_samples(problems, backend, out, n=20, policy="tiny", config=config)
    assert backend._thread is None  # the generation thread has stopped
    # it stopped within a few decoding steps of the interrupt, not at the end of the batch's 4000
    assert backend.decoder.steps - interrupted_at[0] < 50
    record = json.loads((tmp_path / "samples.sampling.json").read_text())
    assert record["policies"]["tiny"]["runs"][-1]["status"] == "interrupted"
    kept = out.read_text().splitlines() if out.exists() else []
    # only finished samples are on disk (each a whole record), never a half-generated one
    assert all(json.loads(line)["problem_id"] in {"shout", "add"} for line in kept)
