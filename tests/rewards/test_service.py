"""The HTTP service on loopback: judging and rewards for concurrent clients, a full queue
answering 429, authentication on and off, bad input answered 4xx with the field named, a
worker killed mid-batch, OpenRLHF's remote reward protocol, and Prometheus metrics."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from codefrontier.judge.pool import Task
from codefrontier.judge.results import SampleResult
from codefrontier.problems.io import problem_to_json
from codefrontier.problems.model import Problem
from codefrontier.rewards import JudgePool, RewardItem, RewardSpec
from codefrontier.rewards.client import RewardClient, ServiceError
from codefrontier.rewards.server import running
from codefrontier.rewards.service import JudgeService, ServiceSettings
from codefrontier.rewards.wire import Limits
from codefrontier.sandbox.worker import _descendants

from .problems import PAIRWISE_NAIVE, PAIRWISE_REF, PAIRWISE_WA, constant_problem, fenced

BUSY_LOOP = "while True:\n    pass\n"


@contextlib.contextmanager
def service(
    problems: list[Problem],
    *,
    jobs: int = 2,
    max_queue: int = 256,
    token: str | None = None,
    max_code_bytes: int = 64 * 1024,
) -> Iterator[tuple[JudgeService, str]]:
    pool = JudgePool.local(jobs=jobs, max_queue=max_queue)
    settings = ServiceSettings(token=token, limits=Limits(max_code_bytes=max_code_bytes), drain_timeout=30)
    judge_service = JudgeService(problems, pool, settings, benchmark="tests")
    with running(judge_service) as url:
        yield judge_service, url


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
