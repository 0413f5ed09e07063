"""The HTTP service on loopback: judging and rewards for concurrent clients, a full queue
answering 429, authentication on and off, bad input answered 4xx with the field named, a
worker killed mid-batch, OpenRLHF's remote reward protocol, and Prometheus metrics."""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from codefrontier.contracts import Problem, SampleResult
from codefrontier.judge.pool import Task
from codefrontier.problems.io import problem_to_json
from codefrontier.rewards import JudgePool, QueueFull, RewardItem, RewardSpec
from codefrontier.rewards.backpressure import RetryAfter
from codefrontier.rewards.client import RewardClient, ServiceError, _retry_after
from codefrontier.rewards.server import Running, started
from codefrontier.rewards.service import JudgeService, ServiceSettings
from codefrontier.rewards.wire import Limits
from codefrontier.sandbox.worker import _descendants

from .problems import PAIRWISE_NAIVE, PAIRWISE_REF, PAIRWISE_WA, constant_problem, fenced

BUSY_LOOP = "while True:\n    pass\n"


@contextlib.contextmanager
def service(problems: list[Problem], **options: Any) -> Iterator[tuple[JudgeService, str]]:
    """`started_service`, yielding the base URL."""
    with started_service(problems, **options) as (judge_service, run):
        yield judge_service, run.url


@contextlib.contextmanager
def started_service(
    problems: list[Problem],
    *,
    jobs: int = 2,
    max_queue: int = 256,
    token: str | None = None,
    max_code_bytes: int = 64 * 1024,
    limits: Limits | None = None,
    **settings: object,
) -> Iterator[tuple[JudgeService, Running]]:
    pool = JudgePool.local(jobs=jobs, max_queue=max_queue)
    chosen = ServiceSettings(
        token=token,
        limits=limits or Limits(max_code_bytes=max_code_bytes),
        drain_timeout=30,
        **settings,  # type: ignore[arg-type]
    )
    judge_service = JudgeService(problems, pool, chosen, benchmark="tests")
    with started(judge_service) as run:
        yield judge_service, run


@pytest.fixture(scope="module")
def served(problems: list[Problem]) -> Iterator[tuple[JudgeService, str]]:
    with service(problems) as running_service:
        yield running_service


def kill_process_tree(root: int) -> int:
    """SIGKILL `root` and every process below it (the sandbox's bubblewrap starts its
    zygote in a new session, so killing one process group is not enough)."""
    tree = [root, *_descendants(root)]
    for pid in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return len(tree)


class Started:
    """Pool observer: an event per sample index once a worker has started it."""

    def __init__(self) -> None:
        self.events: dict[int, threading.Event] = {}
        self.workers: dict[int, str] = {}
        self.lock = threading.Lock()

    def event(self, index: int) -> threading.Event:
        with self.lock:
            return self.events.setdefault(index, threading.Event())

    def sample_started(self, task: Task, worker: str) -> None:
        self.workers.setdefault(task.sample.sample, worker)
        self.event(task.sample.sample).set()

    def sample_finished(self, task: Task, result: SampleResult) -> None:
        pass


def test_judge_endpoint_judges_samples_and_inline_problems(served: tuple[JudgeService, str]) -> None:
    _, url = served
    inline = problem_to_json(constant_problem("inline-5", "5"))
    with RewardClient(url) as client:
        results = client.judge(
            [
                {"problem_id": "pairwise-products", "code": fenced(PAIRWISE_REF)},
                {"problem_id": "pairwise-products", "code": PAIRWISE_WA, "policy": "wa"},
                {"problem_id": "inline-5", "code": "print(5)"},
            ],
            problems=[inline],
        )
    assert [(r.problem_id, r.verdict.value) for r in results] == [
        ("pairwise-products", "AC"),
        ("pairwise-products", "WA"),
        ("inline-5", "AC"),
    ]
    assert results[0].tests_run == 10 and results[0].extracted  # mode all by default
    assert results[1].tests_run == 10 and results[1].policy == "wa"


def test_concurrent_clients_each_get_their_own_rewards(served: tuple[JudgeService, str]) -> None:
    _, url = served
    programs = {"ref": (PAIRWISE_REF, 1.0), "naive": (PAIRWISE_NAIVE, 1.0), "wa": (PAIRWISE_WA, 0.0)}

    def one_client(k: int) -> list[tuple[str, float | None]]:
        names = [list(programs)[(k + i) % 3] for i in range(3)]
        items = [RewardItem("pairwise-products", fenced(programs[n][0])) for n in names]
        with RewardClient(url) as client:
            rewards = client.rewards(items, RewardSpec("level", "small"))
        return [(n, r.value) for n, r in zip(names, rewards, strict=True)]

    with ThreadPoolExecutor(8) as clients:
        answers = list(clients.map(one_client, range(8)))
    for answer in answers:
        assert [(n, programs[n][1]) for n, _ in answer] == answer


def test_a_full_queue_answers_429_with_retry_after_and_the_client_waits_its_turn(
    problems: list[Problem],
) -> None:
    started = Started()
    with service(problems, jobs=1, max_queue=1) as (judge_service, url):
        judge_service.pool.observers.append(started)
        busy = [{"problem_id": "pairwise-products", "code": BUSY_LOOP}]
        with ThreadPoolExecutor(1) as background:
            first = background.submit(
                httpx.post, f"{url}/judge", json={"samples": busy, "mode": "first-fail"}, timeout=120
            )
            started.event(0).wait()  # the first request fills the queue
            refused = httpx.post(
                f"{url}/judge", json={"samples": [{"problem_id": "answer-42", "code": "print(42)"}]}
            )
            assert refused.status_code == 429
            assert int(refused.headers["Retry-After"]) >= 1
            assert refused.json()["error"]["type"] == "queue_full"
            with RewardClient(url, retries=30) as client:  # retries after Retry-After until there is room
                [later] = client.rewards([RewardItem("answer-42", "print(42)")], RewardSpec())
            assert later.value == 1.0
            assert [r["verdict"] for r in first.result().json()["results"]] == ["TLE"]
        assert judge_service.pool.pending == 0


def test_with_a_token_every_endpoint_but_health_needs_it(problems: list[Problem]) -> None:
    body = {"items": [{"problem_id": "answer-42", "completion": "print(42)"}]}
    with service(problems, jobs=1, token="s3cret") as (_, url):
        assert httpx.post(f"{url}/reward", json=body).status_code == 401
        wrong = httpx.post(f"{url}/reward", json=body, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"] == "Bearer"
        assert wrong.json()["error"]["field"] == "Authorization"
        assert httpx.get(f"{url}/metrics").status_code == 401
        assert httpx.get(f"{url}/health").json()["auth"] is True
        ok = httpx.post(f"{url}/reward", json=body, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and ok.json()["rewards"][0]["value"] == 1.0
        with RewardClient(url, token="s3cret") as client:
            assert client.rewards([RewardItem("answer-42", "print(42)")])[0].value == 1.0
        with RewardClient(url, token="wrong") as client, pytest.raises(ServiceError) as caught:
            client.rewards([RewardItem("answer-42", "print(42)")])
        assert caught.value.status == 401 and not caught.value.transient


def test_without_a_token_no_authorization_is_needed(served: tuple[JudgeService, str]) -> None:
    _, url = served
    answer = httpx.post(
        f"{url}/reward", json={"items": [{"problem_id": "answer-7", "completion": "print(7)"}]}
    )
    assert answer.status_code == 200 and answer.json()["rewards"][0]["value"] == 1.0
    assert httpx.get(f"{url}/health").json()["auth"] is False


GOOD = {"problem_id": "answer-42", "code": "print(42)"}
BAD_REQUESTS = [
    ("/judge", b"{not json", 400, None),
    ("/judge", b"[1, 2]", 400, None),
    ("/judge", {}, 422, "samples"),
    ("/judge", {"samples": []}, 422, "samples"),
    ("/judge", {"samples": [{"problem_id": "answer-42"}]}, 422, "samples[0].code"),
    ("/judge", {"samples": [GOOD, {"code": "print(1)"}]}, 422, "samples[1].problem_id"),
    ("/judge", {"samples": [{"problem_id": "no-such-problem", "code": "x"}]}, 422, "samples[0].problem_id"),
    ("/judge", {"samples": [{**GOOD, "language": "cobol"}]}, 422, "samples[0].language"),
    ("/judge", {"samples": [{**GOOD, "code": "#" * (64 * 1024 + 1)}]}, 413, "samples[0].code"),
    ("/judge", {"samples": [{**GOOD, "sample": -1}]}, 422, "samples[0].sample"),
    ("/judge", {"samples": [GOOD], "mode": "fast"}, 422, "mode"),
    ("/judge", {"samples": [GOOD], "level": "huge"}, 422, "level"),
    (
        "/judge",
        {"samples": [GOOD], "problems": [{"id": "x", "kind": "stdio", "tests": []}]},
        422,
        "problems[0].tests",
    ),
    (
        "/judge",
        {
            "samples": [GOOD],
            "problems": [{"id": "answer-42", "kind": "stdio", "tests": [{"input": "", "output": ""}]}],
        },
        422,
        "problems[0].id",
    ),
    (
        "/reward",
        {"items": [{"problem_id": "answer-42", "completion": "print(42)"}], "spec": {"kind": "lvl"}},
        422,
        "spec.kind",
    ),
    (
        "/reward",
        {
            "items": [{"problem_id": "pairwise-products", "completion": "x"}],
            "spec": {"kind": "level", "level": "giant"},
        },
        422,
        "spec.level",
    ),
    ("/reward", {"items": [{"problem_id": "answer-42", "completion": 42}]}, 422, "items[0].completion"),
    ("/openrlhf", {"query": ["q"], "prompts": ["p"]}, 422, "labels"),
    ("/openrlhf", {"query": ["q", "r"], "prompts": ["", ""], "labels": ["answer-42"]}, 422, "labels"),
    (
        "/openrlhf",
        {"query": ["print(1)"], "prompts": [""], "labels": ["no-such-problem"]},
        422,
        "labels[0].problem_id",
    ),
    # integers the results store cannot hold (int64)
    ("/judge", {"samples": [{**GOOD, "sample": 10**30}]}, 422, "samples[0].sample"),
    ("/judge", {"samples": [GOOD, {**GOOD, "sample": 2**63}]}, 422, "samples[1].sample"),
    (
        "/reward",
        {"items": [{"problem_id": "answer-42", "completion": "print(42)", "sample": 2**64}]},
        422,
        "items[0].sample",
    ),
    (
        "/judge",
        {
            "samples": [{"problem_id": "big", "code": "print(1)"}],
            "problems": [
                {"id": "big", "kind": "stdio", "tests": [{"input": "", "output": "1\n", "size": 10**19}]}
            ],
        },
        422,
        "problems[0].tests[0].size",
    ),
    # nesting: a 400 before parsing, never the parser's RecursionError as a 500
    ("/judge", b'{"samples": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400, None),
    (
        "/judge",
        b'{"samples": [{"problem_id": "answer-42", "code": "x", "m": ' + b"[" * 65 + b"]" * 65 + b"}]}",
        400,
        None,
    ),
    ("/openrlhf", {"query": ["q"], "prompts": [""], "labels": ["{" + '"a":[' * 5000]}, 422, "labels[0]"),
    (
        "/openrlhf",
        {"query": ["q"], "prompts": [""], "labels": ['{"a":' + "[" * 5000 + "]" * 5000 + "}"]},
        422,
        "labels[0]",
    ),
]


@pytest.mark.parametrize(("path", "body", "status", "field"), BAD_REQUESTS)
def test_bad_input_gets_a_4xx_naming_the_field_and_the_service_keeps_serving(
    served: tuple[JudgeService, str], path: str, body: object, status: int, field: str | None
) -> None:
    _, url = served
    if isinstance(body, bytes):
        answer = httpx.post(f"{url}{path}", content=body, headers={"Content-Type": "application/json"})
    else:
        answer = httpx.post(f"{url}{path}", json=body)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["field"] == field and error["message"]
    after = httpx.post(f"{url}/judge", json={"samples": [GOOD]})
    assert after.status_code == 200 and after.json()["results"][0]["verdict"] == "AC"


def _inline_with_file(field: str, name: str) -> dict[str, object]:
    test = {"id": "t", "input": "", "output": "x\n"} | {field: name}
    test.pop("input" if field == "input_file" else "output")
    return {"id": "leak", "kind": "stdio", "tests": [test]}


@pytest.mark.parametrize("field", ["input_file", "output_file"])
@pytest.mark.parametrize("name", ["/etc/passwd", "../../../../../../etc/passwd", "passwd"])
@pytest.mark.parametrize("path", ["/judge", "/reward"])
def test_an_inline_problem_may_not_name_a_host_file(
    served: tuple[JudgeService, str], path: str, field: str, name: str
) -> None:
    """A client once read /etc/shadow through a test's `output_file`: the verdict detail
    echoed its tokens. An inline problem names no file at all, absolute or relative."""
    _, url = served
    key = "samples" if path == "/judge" else "items"
    body = {key: [{"problem_id": "leak", "code": "print('x')"}], "problems": [_inline_with_file(field, name)]}
    answer = httpx.post(f"{url}{path}", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == f"problems[0].tests[0].{field}"
    assert "root:" not in answer.text


def test_a_worker_killed_mid_batch_still_gives_every_sample_exactly_one_result(
    problems: list[Problem],
) -> None:
    started = Started()
    programs = [PAIRWISE_REF, PAIRWISE_WA] * 4
    programs.insert(3, PAIRWISE_NAIVE)  # sample 3: seconds of work, killed while it runs
    expected = ["AC", "WA", "AC", "TLE", "WA", "AC", "WA", "AC", "WA"]
    samples = [
        {"problem_id": "pairwise-products", "code": code, "sample": i} for i, code in enumerate(programs)
    ]
    with service(problems, jobs=2) as (judge_service, url):
        judge_service.pool.observers.append(started)
        with ThreadPoolExecutor(1) as background:
            answer = background.submit(
                httpx.post, f"{url}/judge", json={"samples": samples, "mode": "first-fail"}, timeout=300
            )
            started.event(3).wait()  # the naive program: a few seconds of work on that worker
            worker = next(w for w in judge_service.pool.workers if w.name == started.workers[3])
            assert kill_process_tree(worker.sandbox_pid) >= 3  # bubblewrap, zygote, the running program
            response = answer.result()
        metrics = judge_service.metrics.render().decode()
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["sample"] for r in results] == list(range(9))  # every sample, once, in order
    assert [r["verdict"] for r in results] == expected
    assert results[3]["attempts"] >= 2  # the killed sample was judged again
    judged = {
        s.labels["verdict"]: s.value
        for family in text_string_to_metric_families(metrics)
        if family.name == "codefrontier_samples"
        for s in family.samples
        if s.name == "codefrontier_samples_total"
    }
    assert Counter(judged) == Counter({"TLE": 1.0, "AC": 4.0, "WA": 4.0})  # never counted twice


def test_openrlhf_remote_reward_protocol(served: tuple[JudgeService, str]) -> None:
    """Exactly what OpenRLHF's remote reward function sends and reads back."""
    import requests
    import torch

    _, url = served
    prompts = ["<user>Print 42</user>", "<user>Print 7</user>", "<user>Print 7</user>"]
    responses = [
        "```python\nprint(42)\n```<|im_end|>",
        "print(8)<|im_end|>",
        "print(7)\n<|im_end|><|endoftext|>",
    ]
    queries = [p + r for p, r in zip(prompts, responses, strict=True)]
    labels = ["answer-42", json.dumps({"problem_id": "answer-7"}), "answer-7"]
    reply = requests.post(
        url=f"{url}/openrlhf?kind=level&level=small",
        json={"query": queries, "prompts": prompts, "labels": labels},
        headers={"Content-Type": "application/json"},
        timeout=180,
    )
    reply.raise_for_status()
    info = reply.json()
    assert torch.as_tensor(info["rewards"]).tolist() == [1.0, 0.0, 1.0]
    assert torch.as_tensor(info["scores"]).tolist() == [1.0, 0.0, 1.0]
    logs = {k: torch.as_tensor(v) for k, v in info["extra_logs"].items()}
    assert logs["passed"].tolist() == [1.0, 0.0, 1.0] and all(len(v) == 3 for v in logs.values())
    legacy_path = requests.post(
        f"{url}/get_reward", json={"query": queries, "prompts": prompts, "labels": labels}
    )
    assert legacy_path.json()["rewards"] == [1.0, 0.0, 1.0]


def test_openrlhf_gets_no_zero_for_a_reward_the_judge_could_not_compute(
    served: tuple[JudgeService, str],
) -> None:
    _, url = served
    reply = httpx.post(
        f"{url}/openrlhf",
        json={
            "query": ["print(1)", "print(42)"],
            "prompts": ["", ""],
            "labels": ["broken-checker", "answer-42"],
        },
    )
    assert reply.status_code == 503  # OpenRLHF retries, then stops with this message
    error = reply.json()["error"]
    assert error["type"] == "reward_missing" and error["missing"] == [0] and "checker" in error["message"]


def test_metrics_report_queue_tests_verdicts_and_latency(served: tuple[JudgeService, str]) -> None:
    _, url = served
    httpx.post(f"{url}/judge", json={"samples": [GOOD, {**GOOD, "code": "print(41)"}]})
    text = httpx.get(f"{url}/metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    for name in (
        "codefrontier_queue_length",
        "codefrontier_samples_pending",
        "codefrontier_workers",
        "codefrontier_tests_run",
        "codefrontier_samples",
        "codefrontier_request_latency_seconds",
        "codefrontier_sample_latency_seconds",
    ):
        assert name in families, name
    verdicts = {
        s.labels["verdict"] for s in families["codefrontier_samples"].samples if "verdict" in s.labels
    }
    assert {"AC", "WA"} <= verdicts
    assert next(s.value for s in families["codefrontier_tests_run"].samples) >= 2
    judge_requests = [
        s
        for s in families["codefrontier_request_latency_seconds"].samples
        if s.name.endswith("_count") and s.labels["endpoint"] == "judge"
    ]
    assert judge_requests and judge_requests[0].value >= 1


@pytest.mark.slow
def test_sigterm_finishes_or_answers_every_accepted_request(tmp_path, problems: list[Problem]) -> None:
    """`codefrontier serve` in its own process: requests accepted before SIGTERM all get a
    response (judged, or IE for samples still queued after the drain timeout), then it exits."""
    import socket
    import subprocess
    import sys

    from codefrontier.problems.io import save_problems

    problems_file = tmp_path / "problems.jsonl"
    save_problems(problems_file, problems)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "codefrontier.cli",
            "serve",
            "--problems",
            str(problems_file),
            "--port",
            str(port),
            "--jobs",
            "1",
            "--drain-timeout",
            "1",
            "--log-level",
            "warning",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with RewardClient(url, retries=40, backoff=0.1, max_backoff=0.5) as client:
            client.health()  # waits (with the client's retries) until the server listens
        busy = {"problem_id": "pairwise-products", "code": BUSY_LOOP}
        with ThreadPoolExecutor(3) as senders:
            replies = [
                senders.submit(
                    httpx.post,
                    f"{url}/judge",
                    json={"samples": [busy, busy], "mode": "first-fail"},
                    timeout=120,
                )
                for _ in range(3)
            ]
            with RewardClient(url) as client:
                while client.health()["pending"] < 6:  # all three batches accepted
                    pass
            server.send_signal(signal.SIGTERM)
            answers = [r.result() for r in replies]
        assert server.wait(timeout=60) in (0, -signal.SIGTERM)
    finally:
        if server.poll() is None:
            server.kill()
        server.wait()
    verdicts = []
    for answer in answers:
        assert answer.status_code == 200, answer.text
        results = answer.json()["results"]
        assert len(results) == 2
        verdicts += [r["verdict"] for r in results]
        for r in results:
            assert r["verdict"] == "TLE" or "shut down before this sample was judged" in r["detail"]
    assert "TLE" in verdicts and "IE" in verdicts  # the running one finished; the queued ones were answered
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/health")


# -- limits, refusals and the server's edges ---------------------------------------------------
SMALL = Limits(max_batch=4, max_code_bytes=1024, max_inline_problems=1, max_body_bytes=128 * 1024)


@pytest.fixture(scope="module")
def small(problems: list[Problem]) -> Iterator[tuple[JudgeService, Running]]:
    """A service with small request limits, a short header timeout and a queue of 4."""
    with started_service(problems, jobs=1, max_queue=4, limits=SMALL, header_timeout=0.5) as running_service:
        yield running_service


def raw_exchange(url: str, head: bytes, body: bytes = b"") -> bytes:
    """Send `head` (and `body`) on a fresh socket; everything the server answers until it
    closes the connection or the answer is complete."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(head + body)
        answer = b""
        while True:
            data = sock.recv(65536)
            answer += data
            header, _, content = answer.partition(b"\r\n\r\n")
            declared = re.search(rb"content-length: (\d+)", header, re.I)
            if not data or (declared and len(content) >= int(declared.group(1))):
                return answer


def status_of(answer: bytes) -> tuple[int, dict[str, object]]:
    header, _, content = answer.partition(b"\r\n\r\n")
    return int(header.split()[1]), json.loads(content)


def test_a_batch_larger_than_the_queue_is_413_never_a_429_retried_forever(
    small: tuple[JudgeService, Running],
) -> None:
    judge_service, run = small
    assert judge_service.limits.max_batch == 4  # the queue's size bounds the batch
    five = [GOOD] * 5
    for path, body, field in [
        ("/judge", {"samples": five}, "samples"),
        ("/reward", {"items": [{"problem_id": "answer-42", "completion": "print(42)"}] * 5}, "items"),
        ("/openrlhf", {"query": ["print(42)"] * 5, "labels": ["answer-42"] * 5}, "query"),
    ]:
        answer = httpx.post(f"{run.url}{path}", json=body)
        assert answer.status_code == 413, answer.text
        assert (
            answer.json()["error"]["field"] == field and "the limit is 4" in answer.json()["error"]["message"]
        )
    assert httpx.post(f"{run.url}/judge", json={"samples": [GOOD] * 4}).status_code == 200


def test_a_body_over_the_cap_is_refused_on_its_content_length_before_it_is_read(
    small: tuple[JudgeService, Running],
) -> None:
    _, run = small
    head = (
        b"POST /judge HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % (SMALL.body_bytes + 1)
    )
    status, body = status_of(raw_exchange(run.url, head))  # not a byte of the body sent
    assert status == 413 and body["error"]["type"] == "too_large"  # type: ignore[index]
    assert str(SMALL.body_bytes) in body["error"]["message"]  # type: ignore[index]


def test_a_body_that_grows_past_the_cap_while_streaming_is_refused(
    small: tuple[JudgeService, Running],
) -> None:
    _, run = small
    code = "#" * 1000

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked, so only the stream can tell
        yield b'{"samples": ['
        for _ in range(SMALL.body_bytes // 1000 + 10):
            yield json.dumps({"problem_id": "answer-42", "code": code}).encode() + b","
        yield b"{}]}"

    answer = httpx.post(f"{run.url}/judge", content=chunks(), headers={"Content-Type": "application/json"})
    assert answer.status_code == 413, answer.text
    error = answer.json()["error"]
    assert error["field"] is None and f"the limit is {SMALL.body_bytes}" in error["message"]


def test_more_json_values_than_a_full_batch_needs_is_refused_before_the_body_ends(
    small: tuple[JudgeService, Running],
) -> None:
    """The head of a flood of tiny values is refused although the rest never arrives: the
    body is counted as it streams, not parsed once complete."""
    _, run = small
    flood = b'{"samples": [' + b"0," * (SMALL.body_values + 1)
    head = b"POST /judge HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (SMALL.body_bytes - 1)
    status, body = status_of(raw_exchange(run.url, head, flood))
    assert status == 413 and "JSON values" in body["error"]["message"]  # type: ignore[index]


def test_headers_sent_too_slowly_time_out_with_a_408(small: tuple[JudgeService, Running]) -> None:
    _, run = small
    partial = raw_exchange(run.url, b"POST /judge HTTP/1.1\r\nHost: x\r\n")  # and then nothing
    status, body = status_of(partial)
    assert status == 408 and body["error"]["type"] == "timeout"  # type: ignore[index]
    assert raw_exchange(run.url, b"") == b""  # a connection that says nothing is closed
    assert httpx.get(f"{run.url}/health").status_code == 200


def test_every_refusal_has_the_one_error_shape_and_is_counted(small: tuple[JudgeService, Running]) -> None:
    judge_service, run = small
    unknown = httpx.get(f"{run.url}/no-such-endpoint")
    assert unknown.status_code == 404 and unknown.json()["error"]["type"] == "not_found"
    wrong_method = httpx.get(f"{run.url}/judge")
    assert wrong_method.status_code == 405 and wrong_method.json()["error"]["message"]
    assert httpx.post(f"{run.url}/get_reward", json={"query": []}).status_code == 422
    families = {f.name: f for f in text_string_to_metric_families(judge_service.metrics.render().decode())}
    counted = {
        (s.labels["endpoint"], s.labels["status"])
        for s in families["codefrontier_requests"].samples
        if s.name == "codefrontier_requests_total"
    }
    assert ("openrlhf", "422") in counted  # /get_reward is the openrlhf endpoint


def test_a_bug_is_answered_500_in_the_error_shape_and_the_service_keeps_serving(
    small: tuple[JudgeService, Running], monkeypatch: pytest.MonkeyPatch
) -> None:
    judge_service, run = small

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in the reward code")

    with monkeypatch.context() as patched:
        patched.setattr(judge_service.rewarder, "submit", broken)
        answer = httpx.post(
            f"{run.url}/reward", json={"items": [{"problem_id": "answer-42", "completion": "x"}]}
        )
    assert answer.status_code == 500
    assert answer.json() == {"error": {"type": "internal", "field": None, "message": "internal error"}}
    assert "a bug" not in answer.text
    metrics = judge_service.metrics.render().decode()
    assert 'codefrontier_requests_total{endpoint="reward",status="500"} 1.0' in metrics
    assert httpx.post(f"{run.url}/judge", json={"samples": [GOOD]}).status_code == 200


@pytest.mark.slow
def test_retry_after_counts_the_refused_batches_ahead_so_clients_come_back_spread_out(
    problems: list[Problem],
) -> None:
    """Two busy samples fill a queue of 2 on one worker; nothing has finished, so the pool
    is taken at one sample per second. The k-th one-sample batch refused has k samples
    ahead of it (the two busy ones and the k - 1 refused before it, less the room of 2),
    so it is told k seconds, plus up to half the queue's time (jitter: 1 s), where the
    rule before told each of them the same second."""
    started_samples = Started()
    with service(problems, jobs=1, max_queue=2) as (judge_service, url):
        judge_service.pool.observers.append(started_samples)
        busy = {"problem_id": "pairwise-products", "code": BUSY_LOOP}
        with ThreadPoolExecutor(1) as background:
            first = background.submit(
                httpx.post, f"{url}/judge", json={"samples": [busy, busy], "mode": "first-fail"}, timeout=120
            )
            started_samples.event(0).wait()
            told = []
            for _ in range(6):
                refused = httpx.post(f"{url}/judge", json={"samples": [GOOD]})
                assert refused.status_code == 429, refused.text
                error = refused.json()["error"]
                assert error["retry_after"] == refused.headers["Retry-After"]
                told.append((int(refused.headers["Retry-After"]), error["retry_after_s"]))
            assert first.result().status_code == 200
    for k, (seconds, precise) in enumerate(told, start=1):
        assert k <= precise <= k + 1 and seconds == math.ceil(precise), told


def test_the_client_waits_the_precise_estimate_and_falls_back_to_the_header() -> None:
    precise = httpx.Response(
        429, headers={"Retry-After": "2"}, json={"error": {"retry_after": "2", "retry_after_s": 1.25}}
    )
    assert _retry_after(precise, 9.0) == 1.25
    assert _retry_after(httpx.Response(503, headers={"Retry-After": "5"}, text="down"), 9.0) == 5.0
    assert _retry_after(httpx.Response(502, text="bad gateway"), 9.0) == 9.0


def test_the_rule_before_told_every_refused_batch_the_pool_s_own_estimate(pool: JudgePool) -> None:
    before = RetryAfter(pool, "batch")
    assert [before.seconds(QueueFull("full", 1.0), 1) for _ in range(6)] == [1.0] * 6


@pytest.mark.slow
def test_after_sigterm_an_idle_keep_alive_connection_gets_the_503_not_a_reset(
    problems: list[Problem],
) -> None:
    started_samples = Started()
    with started_service(problems, jobs=1) as (judge_service, run):
        judge_service.pool.observers.append(started_samples)
        busy = {"problem_id": "pairwise-products", "code": BUSY_LOOP}
        with httpx.Client(base_url=run.url) as kept, ThreadPoolExecutor(1) as background:
            assert kept.get("/health").status_code == 200  # its connection now idles in the pool
            # Every test of the busy sample runs to its 1 s CPU limit ("all" mode, 10 tests):
            # the request stays in progress, and so the idle connection open, for ~10 s. In
            # first-fail mode it ended after 1 s, and the kept connection was closed as soon as
            # it did: a race this test lost about half the time on an idle machine.
            accepted = background.submit(
                httpx.post,
                f"{run.url}/judge",
                json={"samples": [busy], "mode": "all"},
                timeout=120,
            )
            started_samples.event(0).wait()
            run.terminate()  # what SIGTERM does
            host, port = run.url.removeprefix("http://").split(":")
            while True:  # the listener closes, and in the same step every connection is told
                with socket.socket() as probe:
                    if probe.connect_ex((host, int(port))) != 0:
                        break
                # Not a busy loop: that held the GIL the service's thread needs to close its
                # listener, and opened thousands of connections meanwhile.
                time.sleep(0.01)
            answer = kept.post("/judge", json={"samples": [GOOD]})
            assert answer.status_code == 503 and answer.json()["error"]["type"] == "shutting_down"
            assert answer.headers["Retry-After"] == "5" and answer.headers["Connection"] == "close"
            assert accepted.result().status_code == 200  # the accepted request still gets its answer
