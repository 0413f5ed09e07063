"""The Llama 3.1 prompt format: golden strings, replies parsed into tool calls or final
answers, and the tools setting speaking it to a raw-completion model whose every code
interpreter call runs in the sandbox."""

from __future__ import annotations

import json

import pytest

from codefrontier.sampling.llama31 import STOPS, parse_reply, render
from codefrontier.sampling.sampler import draw_samples
from codefrontier.sampling.settings import SettingConfig

from .openai_server import answer

PYTHON_TOOL = {"type": "function", "function": {"name": "run_python", "description": "run", "parameters": {}}}
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}

CONVERSATION = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is 6 times 7?"},
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "id": "c0",
                "type": "function",
                "function": {"name": "run_python", "arguments": '{"code": "print(6 * 7)"}'},
            }
        ],
    },
    {"role": "tool", "tool_call_id": "c0", "content": '{"status": "OK", "stdout": "42\\n"}'},
    {"role": "assistant", "content": "It is 42."},
]

GOLDEN_CODE_INTERPRETER = (
    "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
    "Environment: ipython\n\nYou are a helpful assistant.<|eot_id|>"
    "<|start_header_id|>user<|end_header_id|>\n\nWhat is 6 times 7?<|eot_id|>"
    "<|start_header_id|>assistant<|end_header_id|>\n\n<|python_tag|>print(6 * 7)<|eom_id|>"
    '<|start_header_id|>ipython<|end_header_id|>\n\n{"status": "OK", "stdout": "42\\n"}<|eot_id|>'
    "<|start_header_id|>assistant<|end_header_id|>\n\nIt is 42.<|eot_id|>"
    "<|start_header_id|>assistant<|end_header_id|>\n\n"
)


def test_a_code_interpreter_conversation_renders_to_the_golden_string():
    assert render(CONVERSATION, tools=[PYTHON_TOOL]) == GOLDEN_CODE_INTERPRETER


def test_without_tools_there_is_no_environment_line_and_no_generation_header_when_not_asked():
    text = render(CONVERSATION[:2], add_generation_prompt=False)
    assert text == (
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nWhat is 6 times 7?<|eot_id|>"
    )


def test_custom_tools_are_defined_as_json_and_called_with_function_tags():
    messages = [
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "c",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c", "content": "sunny"},
    ]
    text = render(messages, tools=[WEATHER])
    system = text.split("<|eot_id|>")[0]
    assert system.startswith("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n")
    assert "Environment: ipython" not in system  # no code interpreter offered
    assert (
        "Use the function 'get_weather' to: Get the weather in a city\n" + json.dumps(WEATHER["function"])
        in system
    )
    assert '<function=example_function_name>{"example_name": "example_value"}</function>' in system
    assert text.endswith(
        "<|start_header_id|>user<|end_header_id|>\n\nWeather in Paris?<|eot_id|>"
        '<|start_header_id|>assistant<|end_header_id|>\n\n<function=get_weather>{"city": "Paris"}</function><|eom_id|>'
        "<|start_header_id|>ipython<|end_header_id|>\n\nsunny<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n"
    )


def test_a_python_tag_reply_is_a_code_interpreter_call():
    reply = parse_reply("<|python_tag|>import math\nprint(math.factorial(5))<|eom_id|>")
    assert not reply.is_final
    (call,) = reply.tool_calls
    assert call.name == "run_python" and json.loads(call.arguments) == {
        "code": "import math\nprint(math.factorial(5))"
    }


def test_a_function_tag_reply_is_a_custom_tool_call_with_its_json_kept_as_written():
    reply = parse_reply('<function=get_weather>{"city": "Oslo"}</function>')
    (call,) = reply.tool_calls
    assert (call.name, json.loads(call.arguments)) == ("get_weather", {"city": "Oslo"})
    broken = parse_reply("<function=get_weather>{city: Oslo}</function><|eom_id|>")
    assert broken.tool_calls[0].arguments == "{city: Oslo}"


def test_a_reply_without_a_call_is_the_final_answer():
    reply = parse_reply("The answer is 42.<|eot_id|>")
    assert reply.is_final and reply.content == "The answer is 42."


def test_an_unknown_role_is_refused():
    with pytest.raises(ValueError, match="ipython"):
        render([{"role": "developer", "content": "x"}])


def test_the_tools_setting_speaks_llama31_to_a_raw_completion_model_and_runs_its_code_in_the_sandbox(
    serve, problems, tmp_path
):
    add = next(p for p in problems if p.id == "add")
    probe = "import os\nprint(6 * 7, os.getpid() > 0, open('/etc/hostname').read() if False else 'sandboxed')"

    def script(request: dict, index: int):
        prompt = request["prompt"]
        assert request["stop"] == STOPS and "messages" not in request
        if "<|start_header_id|>ipython<|end_header_id|>" not in prompt:
            return answer("<|python_tag|>" + probe)
        return answer("Done.\n```python\na, b = map(int, input().split())\nprint(a + b)\n```")

    server = serve(script)
    out = tmp_path / "samples.jsonl"
    from codefrontier.sampling.backends import OpenAIBackend

    report = draw_samples(
        [add],
        OpenAIBackend(server.url),
        out,
        n=1,
        policy="llama",
        config=SettingConfig(setting="tools", tool_format="llama3.1", max_tool_calls=2),
    )
    assert report.drawn == 1
    first, second = (r["prompt"] for r in server.requests)
    assert first.startswith(
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nEnvironment: ipython"
    )
    assert first.endswith("<|start_header_id|>assistant<|end_header_id|>\n\n")
    ipython = second.split("<|start_header_id|>ipython<|end_header_id|>\n\n", 1)[1].split("<|eot_id|>")[0]
    result = json.loads(ipython)
    assert result["status"] == "OK" and result["stdout"] == "42 True sandboxed\n"
    assert "<|python_tag|>" + probe + "<|eom_id|>" in second
    line = json.loads(out.read_text())
    assert line["code"] == "a, b = map(int, input().split())\nprint(a + b)\n"
    trajectory = json.loads(out.with_name("samples.trajectories.jsonl").read_text())
    tools = [s for s in trajectory["steps"] if s["type"] == "tool"]
    assert [(s["name"], s["status"]) for s in tools] == [("run_python", "OK")]


def test_the_code_interpreter_runs_model_code_in_the_sandbox_not_here(serve, problems, tmp_path):
    add = next(p for p in problems if p.id == "add")
    marker = tmp_path / "escaped"
    code = f"open({str(marker)!r}, 'w').write('x')\nprint('wrote')"

    def script(request: dict, index: int):
        if "ipython<|end_header_id|>" not in request["prompt"]:
            return answer("<|python_tag|>" + code)
        return answer("```python\nprint(0)\n```")

    from codefrontier.sampling.backends import OpenAIBackend

    server = serve(script)
    config = SettingConfig(setting="tools", tool_format="llama3.1", max_tool_calls=1)
    draw_samples([add], OpenAIBackend(server.url), tmp_path / "s.jsonl", n=1, policy="p", config=config)
    assert not marker.exists()
    ipython = server.requests[1]["prompt"].split("ipython<|end_header_id|>\n\n", 1)[1].split("<|eot_id|>")[0]
    assert json.loads(ipython)["status"] == "RE" and "wrote" not in ipython
