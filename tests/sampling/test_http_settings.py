"""The three settings through the HTTP backend, against a scripted loopback server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codefrontier.contracts import Problem
from codefrontier.judge.api import judge_samples
from codefrontier.judge.samples import load_samples
from codefrontier.sampling.backends import OpenAIBackend
from codefrontier.sampling.samplefile import read_keys
from codefrontier.sampling.sampler import draw_samples
from codefrontier.sampling.settings import SettingConfig

from .conftest import HIDDEN_STRINGS, SOLUTIONS, problem_of
from .openai_server import answer, tool_calls


def trajectories(samples: Path) -> list[dict]:
    path = samples.with_name(samples.name.replace(".jsonl", ".trajectories.jsonl"))
    return [json.loads(line) for line in path.read_text().splitlines()]


def backend(url: str, **kwargs: object) -> OpenAIBackend:
    return OpenAIBackend(url, backoff_s=0.01, **kwargs)  # type: ignore[arg-type]


def test_reasoning_samples_are_written_in_the_judges_format_and_judged_correct(
    serve, problems: list[Problem], tmp_path: Path
) -> None:
    server = serve(lambda request, i: answer("Here it is.\n" + SOLUTIONS[problem_of(request)]))
    out = tmp_path / "samples.jsonl"
    report = draw_samples(problems, backend(server.url), out, n=2, policy="p", config=SettingConfig(seed=3))
    assert (report.drawn, report.failed, report.stops) == (4, 0, {"answer": 4})
    samples = load_samples(out, {p.id: p for p in problems})
    assert sorted(s.key for s in samples) == [
        ("add", "p", 0),
        ("add", "p", 1),
        ("shout", "p", 0),
        ("shout", "p", 1),
    ]
    assert all(s.policy == "p" and "```" not in s.code for s in samples)
    records = read_keys(out)
    assert all(r["extracted"] and r["raw"].startswith("Here it is.") for r in records.values())
    results = judge_samples(problems, samples, jobs=1)
    assert {r.verdict.value for r in results} == {"AC"}
    for trajectory in trajectories(out):
        assert [m["role"] for m in trajectory["messages"]] == ["system", "user", "assistant"]
        assert trajectory["usage"]["completion_tokens"] > 0 and trajectory["wall_s"] > 0
        assert trajectory["steps"][0]["latency_s"] > 0 and trajectory["program"]["extracted"]
    seeds = [r["seed"] for r in server.requests]
    assert len(set(seeds)) == 4  # every sample has a seed of its own


def test_tools_setting_runs_the_models_code_in_the_sandbox_and_returns_the_result(
    serve, problems: list[Problem], tmp_path: Path
) -> None:
    def script(request: dict, i: int):
        if request["messages"][-1]["role"] == "user":
            code = "import sys\nprint(sys.stdin.read().upper(), end='')"
            return tool_calls(("run_python", json.dumps({"code": code, "stdin": "probe input"})))
        return answer(SOLUTIONS[problem_of(request)])

    server = serve(script)
    out = tmp_path / "samples.jsonl"
    report = draw_samples(
        problems[:1], backend(server.url), out, n=1, policy="t", config=SettingConfig(setting="tools")
    )
    assert report.drawn == 1
    (trajectory,) = trajectories(out)
    assert [m["role"] for m in trajectory["messages"]] == ["system", "user", "assistant", "tool", "assistant"]
    result = json.loads(trajectory["messages"][3]["content"])
    assert result["status"] == "OK" and result["stdout"] == "PROBE INPUT" and result["cpu_s"] >= 0
    tool_step = next(s for s in trajectory["steps"] if s["type"] == "tool")
    assert tool_step["name"] == "run_python" and tool_step["status"] == "OK"
    names = [t["function"]["name"] for t in server.requests[0]["tools"]]
    assert "run_python" in names
    assert trajectory["stop"] == "answer"


def test_a_tool_run_that_breaks_the_problems_time_limit_is_reported_as_tle(
    serve, problems: list[Problem], tmp_path: Path
) -> None:
    def script(request: dict, i: int):
        if request["messages"][-1]["role"] == "user":
            return tool_calls(("run_python", json.dumps({"code": "while True:\n    pass\n"})))
        return answer(SOLUTIONS[problem_of(request)])

    server = serve(script)
    out = tmp_path / "samples.jsonl"
    problem = problems[0]
    problem.time_limit_s = 0.3
    draw_samples([problem], backend(server.url), out, n=1, policy="t", config=SettingConfig(setting="tools"))
    (trajectory,) = trajectories(out)
    assert json.loads(trajectory["messages"][3]["content"])["status"] == "TLE"


def test_malformed_tool_arguments_are_answered_with_an_error_message_not_a_crash(
    serve, problems: list[Problem], tmp_path: Path
) -> None:
    def script(request: dict, i: int):
        if request["messages"][-1]["role"] == "user":
            return tool_calls(("run_python", '{"code": "print(1)'), ("no_such_tool", "{}"))
        return answer(SOLUTIONS[problem_of(request)])

    server = serve(script)
    out = tmp_path / "samples.jsonl"
    report = draw_samples(
        problems[:1], backend(server.url), out, n=1, policy="t", config=SettingConfig(setting="tools")
    )
    assert (report.drawn, report.failed) == (1, 0)
    (trajectory,) = trajectories(out)
    replies = [m for m in trajectory["messages"] if m["role"] == "tool"]
    assert replies[0]["content"].startswith("error: the arguments of run_python are not valid JSON")
    assert replies[1]["content"].startswith("error: unknown tool 'no_such_tool'")
    assert [m["tool_call_id"] for m in replies] == ["call_0", "call_1"]
    assert trajectory["program"]["code"] == "print(input().upper())\n"


def test_the_tool_call_limit_ends_with_a_request_for_the_final_answer_without_tools(
    serve, problems: list[Problem], tmp_path: Path
) -> None:
    def script(request: dict, i: int):
        if "tools" in request:
            return tool_calls(("run_python", json.dumps({"code": "print(2)"})))
        return answer(SOLUTIONS[problem_of(request)])

    server = serve(script)
    out = tmp_path / "samples.jsonl"
    config = SettingConfig(setting="tools", max_tool_calls=2)
    draw_samples(problems[:1], backend(server.url), out, n=1, policy="t", config=config)
    (trajectory,) = trajectories(out)
    assert ["tools" in r for r in server.requests] == [True, True, False]
    assert sum(s["type"] == "tool" for s in trajectory["steps"]) == 2
    assert "You have used all 2 tool calls" in trajectory["messages"][-2]["content"]
    assert trajectory["stop"] == "tool_limit"


def test_agent_revises_after_public_test_feedback_and_never_sees_hidden_tests(
    serve, problems: list[Problem], tmp_path: Path
) -> None:
    def script(request: dict, i: int):
        submissions = sum(m["role"] == "assistant" for m in request["messages"])
        if submissions == 0:
            return answer("```python\nprint(input())\n```")  # echoes: wrong
        return answer(SOLUTIONS[problem_of(request)])

    server = serve(script)
    out = tmp_path / "samples.jsonl"
    report = draw_samples(
        problems[:1], backend(server.url), out, n=1, policy="a", config=SettingConfig(setting="agent")
    )
    assert report.drawn == 1
    (trajectory,) = trajectories(out)
    feedback = trajectory["messages"][3]["content"]
    assert "Your submission passed 0 of 1 example tests." in feedback
    assert "Test example: WA" in feedback and "hello world" in feedback
    assert "-HELLO WORLD" in feedback and "+hello world" in feedback  # the bounded diff
    submissions = [s for s in trajectory["steps"] if s["type"] == "submission"]
    assert [s["verdicts"] for s in submissions] == [{"example": "WA"}, {"example": "AC"}]
    assert trajectory["stop"] == "passed_public"
    everything = json.dumps(trajectory) + json.dumps(server.requests)
    for hidden in HIDDEN_STRINGS:
        assert hidden not in everything
    assert "secret" not in json.dumps(trajectory["messages"])


def test_agent_stops_at_the_turn_limit_and_keeps_the_last_submission(
    serve, problems: list[Problem], tmp_path: Path
) -> None:
    def script(request: dict, i: int):
        turn = sum(m["role"] == "assistant" for m in request["messages"])
        return answer(f"```python\nprint('attempt {turn}')\n```")

    server = serve(script)
    out = tmp_path / "samples.jsonl"
    draw_samples(
        problems[:1],
        backend(server.url),
        out,
        n=1,
        policy="a",
        config=SettingConfig(setting="agent", max_turns=2),
    )
    (trajectory,) = trajectories(out)
    assert len(server.requests) == 2 and trajectory["stop"] == "turn_limit"
    assert read_keys(out)[("shout", "a", 0)]["code"] == "print('attempt 1')\n"
    for hidden in HIDDEN_STRINGS:
        assert hidden not in json.dumps(trajectory)


def test_a_crashing_submission_gets_its_error_back(serve, problems: list[Problem], tmp_path: Path) -> None:
    def script(request: dict, i: int):
        if sum(m["role"] == "assistant" for m in request["messages"]) == 0:
            return answer("```python\nraise ValueError('boom')\n```")
        return answer(SOLUTIONS[problem_of(request)])

    server = serve(script)
    out = tmp_path / "samples.jsonl"
    draw_samples(
        problems[1:], backend(server.url), out, n=1, policy="a", config=SettingConfig(setting="agent")
    )
    (trajectory,) = trajectories(out)
    feedback = trajectory["messages"][3]["content"]
    assert "Test example: RE" in feedback and "ValueError: boom" in feedback


@pytest.mark.parametrize("setting", ["reasoning", "tools", "agent"])
def test_every_setting_completes_with_many_requests_in_flight(
    serve, problems: list[Problem], tmp_path: Path, setting: str
) -> None:
    server = serve(lambda request, i: answer(SOLUTIONS[problem_of(request)]))
    out = tmp_path / "samples.jsonl"
    report = draw_samples(
        problems,
        backend(server.url, max_in_flight=8),
        out,
        n=6,
        policy="x",
        config=SettingConfig(setting=setting),
    )
    assert (report.drawn, report.failed) == (12, 0)
    assert len(trajectories(out)) == 12


def test_run_cpp_compiles_in_the_sandbox_and_reports_compile_errors(
    serve, problems: list[Problem], tmp_path: Path
) -> None:
    good = '#include <cstdio>\nint main(){int a,b;scanf("%d %d",&a,&b);printf("%d\\n",a*b);}'

    def script(request: dict, i: int):
        tools_used = sum(m["role"] == "tool" for m in request["messages"])
        if tools_used == 0:
            return tool_calls(("run_cpp", json.dumps({"code": "int main( {"})))
        if tools_used == 1:
            return tool_calls(("run_cpp", json.dumps({"code": good, "stdin": "6 7"})))
        return answer(SOLUTIONS[problem_of(request)])

    server = serve(script)
    out = tmp_path / "samples.jsonl"
    draw_samples(
        problems[1:], backend(server.url), out, n=1, policy="c", config=SettingConfig(setting="tools")
    )
    (trajectory,) = trajectories(out)
    broken, fine = (json.loads(m["content"]) for m in trajectory["messages"] if m["role"] == "tool")
    assert broken["status"] == "CE" and "error" in broken["detail"]
    assert fine["status"] == "OK" and fine["stdout"] == "42\n"
