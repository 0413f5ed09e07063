"""OpenRLHF itself (the release installed from PyPI, without its GPU dependencies): its
single-turn rollout executor -- the code that tokenizes and left-truncates the prompt,
decodes prompt + response and asks for the reward -- driven with a scripted engine in
place of vLLM (which needs a GPU), against `codefrontier serve` over HTTP and against the
reward function file."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from codefrontier.rewards.sources import RewardUnavailable
from codefrontier.rewards.wire import response_text

from .tiny_tokenizer import build_tokenizer

# A prompt longer than the context leaves room for: OpenRLHF keeps its last tokens only.
LONG_PROMPT = "Write a program that prints the answer.\n" * 12 + "# Problem: print 42\n"
ANSWER = "print(42)\n"  # correct, and not in a fenced block: the whole response is the program


class ScriptedEngine:
    """vLLM's `generate` as OpenRLHF's executor calls it, answering a fixed response."""

    def __init__(self, tokenizer: Any, response: str) -> None:
        self.ids = tokenizer(response, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
        self.prompts: list[list[int]] = []

    async def generate(
        self, prompt_token_ids: list[int], sampling_params: Any, multi_modal_data: Any = None
    ) -> Any:
        self.prompts.append(list(prompt_token_ids))
        output = SimpleNamespace(token_ids=self.ids, finish_reason="stop", logprobs=None)
        return SimpleNamespace(outputs=[output])


def rollout(
    remote_url: str, prompt: str, label: str, *, max_length: int
) -> tuple[dict[str, Any], ScriptedEngine]:
    """One rollout through OpenRLHF's SingleTurnAgentExecutor, reward included."""
    from openrlhf.utils.agent import SingleTurnAgentExecutor

    tokenizer = build_tokenizer()
    engine = ScriptedEngine(tokenizer, ANSWER)
    executor = SingleTurnAgentExecutor(remote_url)
    params = SimpleNamespace(max_tokens=len(engine.ids), logprobs=None)
    output = asyncio.run(executor.execute(prompt, label, params, max_length, tokenizer, engine))
    return output, engine


@pytest.fixture(scope="module")
def served(problems_file: Path) -> Iterator[str]:
    """`codefrontier serve` as OpenRLHF users run it: no token (OpenRLHF sends none)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "CODEFRONTIER_TOKEN"}
    service = subprocess.Popen(
        [sys.executable, "-m", "codefrontier.cli", "serve", "--problems", str(problems_file)]
        + ["--port", str(port), "--jobs", "1", "--log-level", "warning"],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and service.poll() is None:
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url
    finally:
        service.terminate()
        service.wait(timeout=60)


@pytest.fixture
def openrlhf_log() -> Iterator[list[str]]:
    """What OpenRLHF's executor writes to the trainer's log."""
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger("openrlhf.utils.agent")
    handler = Keep()
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_response_text_strips_a_prompt_whose_start_was_cut() -> None:
    prompt = "You are a helpful assistant.\nWrite a program that prints 42.\n"
    assert response_text(prompt + ANSWER + "<|im_end|>", prompt) == ANSWER
    assert response_text(prompt[23:] + ANSWER + "<|im_end|>", prompt) == ANSWER  # left-truncated
    assert response_text(ANSWER, prompt) == ANSWER  # nothing of the prompt: nothing stripped


@pytest.mark.slow
def test_openrlhf_rewards_a_rollout_whose_prompt_it_truncated(served: str) -> None:
    output, engine = rollout(
        f"{served}/openrlhf?kind=level&level=small", LONG_PROMPT, "answer-42", max_length=40
    )
    full = len(build_tokenizer()(LONG_PROMPT, add_special_tokens=False)["input_ids"])
    assert len(engine.prompts[0]) < full  # OpenRLHF cut the start of the prompt
    assert output["reward"] == [1.0] and output["scores"] == [1.0]  # the response alone was judged
    assert output["extra_logs"]["passed"] == [1.0]


@pytest.mark.slow
def test_over_http_openrlhf_retries_a_missing_reward_5_times_then_leaves_it_none(
    served: str, openrlhf_log: list[str]
) -> None:
    """What OpenRLHF 0.11 really does with the service's 503: it never reads the body,
    tries 5 times a second apart, logs at INFO and goes on with no reward."""
    output, _ = rollout(f"{served}/openrlhf", "# Problem: print 1\n", "broken-checker", max_length=64)
    assert output["reward"] is None and output["scores"] is None
    tries = [m for m in openrlhf_log if m.startswith("Request error") and "503" in m]
    assert len(tries) == 5
    assert not any("checker" in m for m in openrlhf_log)  # the reason in the 503's body never shows
    assert any("Failed to fetch reward from remote RM" in m for m in openrlhf_log)


def test_the_reward_function_file_rewards_a_truncated_rollout_and_stops_on_a_missing_reward(
    tmp_path: Path, problems_file: Path, openrlhf_log: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    reward_file = tmp_path / "codefrontier_reward.py"
    reward_file.write_text(
        "from codefrontier.rewards.openrlhf_adapter import reward_function\n\n"
        f"reward_func = reward_function(problems_file={str(problems_file)!r}, pool='process', jobs=1)\n"
    )
    output, engine = rollout(str(reward_file), LONG_PROMPT, "answer-42", max_length=40)
    assert output["reward"] == [1.0] and output["extra_logs"]["tests_passed"] == [4.0]

    with (
        caplog.at_level(logging.ERROR, logger="codefrontier.rewards.openrlhf_adapter"),
        pytest.raises(RewardUnavailable, match="checker of broken-checker failed"),
    ):
        rollout(str(reward_file), "# Problem: print 1\n", "broken-checker", max_length=64)
    assert any("checker of broken-checker failed" in r.getMessage() for r in caplog.records)  # in the log too
    with pytest.raises(RewardUnavailable, match="no-such-problem"):  # not OpenRLHF's INFO line and a None
        rollout(str(reward_file), "# Problem: print 1\n", "no-such-problem", max_length=64)
