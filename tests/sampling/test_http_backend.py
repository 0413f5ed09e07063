"""The HTTP backend's promises: bounded concurrency, retries with backoff on 429/5xx and
timeouts, token usage, and one clear error for an endpoint that cannot be used."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from pathlib import Path

import pytest

from codefrontier.cli import main
from codefrontier.contracts import Problem
from codefrontier.errors import ConfigError
from codefrontier.sampling.backends import (
    EndpointError,
    GenerationParams,
    OpenAIBackend,
    RequestFailed,
    normalize_base_url,
)
from codefrontier.sampling.backends.http import retry_after_s
from codefrontier.sampling.samplefile import read_keys
from codefrontier.sampling.sampler import draw_samples
from codefrontier.sampling.settings import SettingConfig

from .conftest import SOLUTIONS, problem_of
from .openai_server import MODEL, answer, hang, status


def chat(backend: OpenAIBackend, text: str = "hi") -> list:
    async def go() -> list:
        try:
            await backend.check()
            return await backend.chat([{"role": "user", "content": text}], GenerationParams(temperature=0.0))
        finally:
            await backend.aclose()

    return asyncio.run(go())


def test_a_429_is_retried_after_the_wait_the_server_asks_for(serve) -> None:
    def script(request: dict, i: int):
        return status(429, "slow down", {"Retry-After": "0.2"}) if i == 0 else answer("ok")

    server = serve(script)
    backend = OpenAIBackend(server.url, backoff_s=0.0)
    started = time.perf_counter()
    (completion,) = chat(backend)
    assert completion.text == "ok" and completion.attempts == 2 and backend.retries == 1
    assert time.perf_counter() - started >= 0.2  # Retry-After was honoured
    assert len(server.requests) == 2


def test_server_errors_are_retried_with_backoff_then_succeed(serve) -> None:
    server = serve(lambda request, i: status(503 if i % 2 == 0 else 500) if i < 3 else answer("fine"))
    (completion,) = chat(OpenAIBackend(server.url, backoff_s=0.01))
    assert completion.text == "fine" and completion.attempts == 4


def test_a_request_that_times_out_is_retried(serve) -> None:
    server = serve(lambda request, i: hang() if i == 0 else answer("late but fine"))
    (completion,) = chat(OpenAIBackend(server.url, timeout_s=0.3, backoff_s=0.01))
    assert completion.text == "late but fine" and completion.attempts == 2


def test_usage_and_latency_are_recorded(serve) -> None:
    server = serve(lambda request, i: answer("x" * 40))
    (completion,) = chat(OpenAIBackend(server.url))
    assert completion.usage.completion_tokens == 11 and completion.usage.prompt_tokens > 0
    assert completion.latency_s > 0


def test_requests_in_flight_are_bounded_by_max_in_flight(serve) -> None:
    arrived = threading.Barrier(4, timeout=10)  # passes only when four requests are open at once

    def script(request: dict, i: int):
        arrived.wait()
        return answer("ok")

    server = serve(script)
    backend = OpenAIBackend(server.url, max_in_flight=4)

    async def go() -> None:
        try:
            await asyncio.gather(*(backend.chat([{"role": "user", "content": str(i)}]) for i in range(12)))
        finally:
            await backend.aclose()

    asyncio.run(go())
    assert server.max_in_flight == 4 and len(server.requests) == 12


def test_a_sample_whose_retries_run_out_is_not_written_and_a_later_run_draws_it(
    serve, problems: list[Problem], tmp_path: Path
) -> None:
    failing = {"add"}

    def script(request: dict, i: int):
        if problem_of(request) in failing:
            return status(500, "overloaded")
        return answer(SOLUTIONS[problem_of(request)])

    server = serve(script)
    out = tmp_path / "samples.jsonl"
    backend = OpenAIBackend(server.url, max_retries=1, backoff_s=0.0)
    report = draw_samples(problems, backend, out, n=1, policy="p")
    assert (report.drawn, report.failed) == (1, 1)
    assert "gave up after 2 attempts" in report.errors[0]
    assert list(read_keys(out)) == [("shout", "p", 0)]
    failing.clear()
    again = draw_samples(problems, backend, out, n=1, policy="p")
    assert (again.drawn, again.skipped, again.failed) == (1, 1, 0)


def test_a_refused_api_key_stops_the_run_with_one_message(
    serve, problems: list[Problem], tmp_path: Path
) -> None:
    server = serve(lambda request, i: status(401, "invalid api key"))
    with pytest.raises(EndpointError, match="refused the request .401: invalid api key.; check --api-key"):
        draw_samples(problems, OpenAIBackend(server.url), tmp_path / "s.jsonl", n=4, policy="p")


def test_unreachable_endpoint_is_one_clear_message_before_any_work(
    tmp_path: Path, problems_file: Path, capsys
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = tmp_path / "samples.jsonl"
    code = main(
        [
            "sample",
            "--model",
            f"http://127.0.0.1:{port}/v1",
            "--problems",
            str(problems_file),
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert f"cannot reach http://127.0.0.1:{port}/v1" in err and "is the server running" in err
    assert not out.exists()


def test_wrong_model_name_is_one_clear_message_naming_the_served_models(
    serve, tmp_path: Path, problems_file: Path, capsys
) -> None:
    server = serve(lambda request, i: answer("never"))
    code = main(
        ["sample", "--model", server.url, "--model-name", "gpt-nope", "--problems", str(problems_file),
         "--out", str(tmp_path / "s.jsonl")]
    )  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert f"does not serve a model named 'gpt-nope'; it serves: {MODEL}" in err
    assert server.requests == []


def test_the_only_served_model_is_used_when_none_is_named(serve) -> None:
    server = serve(lambda request, i: answer("ok"))
    backend = OpenAIBackend(server.url)
    chat(backend)
    assert backend.model == MODEL and server.requests[0]["model"] == MODEL


def test_a_server_serving_several_models_needs_a_name(serve) -> None:
    server = serve(lambda request, i: answer("ok"), models=("a", "b"))
    with pytest.raises(EndpointError, match="serves 2 models .a, b.; choose one with --model-name"):
        chat(OpenAIBackend(server.url))


def test_sample_command_draws_resumes_and_reports(serve, tmp_path: Path, problems_file: Path, capsys) -> None:
    server = serve(lambda request, i: answer(SOLUTIONS[problem_of(request)]))
    out = tmp_path / "samples.jsonl"
    args = ["sample", "--model", server.url, "--problems", str(problems_file), "--n", "3",
            "--setting", "reasoning", "--temperature", "0.5", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    assert "drew 6 samples for policy 'loopback-model' (0 already in" in capsys.readouterr().out
    assert len(server.requests) == 6 and all(r["temperature"] == 0.5 for r in server.requests)
    record = json.loads((tmp_path / "samples.sampling.json").read_text())["policies"]["loopback-model"]
    assert record["settings"]["temperature"] == 0.5 and record["backend"]["engine"] == "http"
    assert main(args) == 0
    assert "drew 0 samples" in capsys.readouterr().out and len(server.requests) == 6
    args[args.index("--n") + 1] = "4"
    assert main(args) == 0
    assert len(server.requests) == 8  # only the two new samples


def test_resuming_with_other_settings_is_refused(serve, tmp_path: Path, problems: list[Problem]) -> None:
    server = serve(lambda request, i: answer(SOLUTIONS[problem_of(request)]))
    out = tmp_path / "samples.jsonl"
    draw_samples(
        problems, OpenAIBackend(server.url), out, n=1, policy="p", config=SettingConfig(temperature=0.2)
    )
    with pytest.raises(Exception, match="sampled with temperature=0.2, this run asks for 0.9"):
        draw_samples(
            problems, OpenAIBackend(server.url), out, n=2, policy="p", config=SettingConfig(temperature=0.9)
        )


def test_retry_after_reads_seconds_milliseconds_and_dates() -> None:
    class Response:
        def __init__(self, headers: dict[str, str]) -> None:
            self.headers = headers

    assert retry_after_s(Response({"retry-after": "3"})) == 3.0
    assert retry_after_s(Response({"retry-after-ms": "250"})) == 0.25
    assert retry_after_s(Response({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0
    assert retry_after_s(Response({})) is None


def test_base_urls_are_normalized() -> None:
    assert normalize_base_url("http://h:8000") == "http://h:8000/v1"
    assert normalize_base_url("http://h:8000/v1/") == "http://h:8000/v1"
    assert normalize_base_url("https://api.x.com/v1/chat/completions") == "https://api.x.com/v1"


def test_request_failed_is_not_an_endpoint_error() -> None:
    assert not issubclass(RequestFailed, EndpointError)


def test_generation_params_are_what_the_server_is_sent(serve) -> None:
    server = serve(lambda request, i: answer("x = 1"))
    params = GenerationParams(0.3, 0.9, 77, seed=5, stop=["\n\n"], stop_token_ids=[2])

    async def go() -> None:
        backend = OpenAIBackend(server.url, MODEL)
        try:
            await backend.chat([{"role": "user", "content": "hi"}], params, n=2)
            await backend.complete("def f():", params)
        finally:
            await backend.aclose()

    asyncio.run(go())
    chat_request, completion_request = server.requests
    for request in (chat_request, completion_request):
        sent = {
            k: request.get(k)
            for k in ("temperature", "top_p", "max_tokens", "seed", "stop", "stop_token_ids")
        }
        assert sent == {
            "temperature": 0.3, "top_p": 0.9, "max_tokens": 77, "seed": 5, "stop": ["\n\n"], "stop_token_ids": [2]
        }  # fmt: skip
    assert chat_request["n"] == 2 and completion_request["n"] == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("temperature", -0.1), ("temperature", float("nan")), ("top_p", 0.0), ("top_p", 1.5),
     ("max_tokens", 0), ("max_tokens", 2.5), ("seed", "7"), ("stop", [""]), ("stop_token_ids", [-1])],
)  # fmt: skip
def test_bad_generation_params_are_refused_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(ConfigError, match=field):
        GenerationParams(**{field: value})  # type: ignore[arg-type]
