"""The Llama 3.1 prompt format with tools, as raw text: a renderer and a parser.

    <|begin_of_text|><|start_header_id|>system<|end_header_id|>

    Environment: ipython
    ...<|eot_id|><|start_header_id|>user<|end_header_id|>

    ...<|eot_id|><|start_header_id|>assistant<|end_header_id|>

    <|python_tag|>print(1 + 1)<|eom_id|><|start_header_id|>ipython<|end_header_id|>

    {"status": "OK", "stdout": "2\\n", ...}<|eot_id|><|start_header_id|>assistant<|end_header_id|>

The roles are `system`, `user`, `assistant` and `ipython` (a tool's output). The line
``Environment: ipython`` in the system message turns the code interpreter on: the model
then writes Python after ``<|python_tag|>`` and ends that message with ``<|eom_id|>``
(end of message: it waits for the output) instead of ``<|eot_id|>`` (end of turn).
Custom tools are defined as JSON in the system message and called as
``<function=NAME>{JSON arguments}</function>``, also ended with ``<|eom_id|>``
(Meta's llama-models, `prompt_format.md` of Llama 3.1, is the reference).

Messages come in and go out in the OpenAI form the rest of `sampling` uses (an assistant
message's `tool_calls`, a `tool` message for the output): `render` writes them in this
format; `parse_reply` reads a model's raw reply back into content and tool calls, the
code interpreter's call being the tool `run_python` with ``{"code": ...}``. No chat
template is needed, so a Llama 3.1-style model can be driven as a raw completion.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from codefrontier.sampling.backends.base import Message, ToolCall, ToolSpec

BEGIN = "<|begin_of_text|>"
START_HEADER = "<|start_header_id|>"
END_HEADER = "<|end_header_id|>"
EOT = "<|eot_id|>"  # end of turn
EOM = "<|eom_id|>"  # end of message: a tool call waits for its output
PYTHON_TAG = "<|python_tag|>"
ROLES = ("system", "user", "assistant", "ipython")
CODE_INTERPRETER = "run_python"  # the tool a `<|python_tag|>` call is
STOPS = [EOM, EOT]

FUNCTION_CALL = re.compile(r"<function=([^>\s]+)>(.*?)</function>", re.DOTALL)

CUSTOM_TOOLS_HEAD = "You have access to the following functions:"
CUSTOM_TOOLS_RULES = """\
If you choose to call a function ONLY reply in the following format:
<{start_tag}={function_name}>{parameters}{end_tag}
where

start_tag => `<function`
parameters => a JSON dict with the function argument name as key and function argument value as value.
end_tag => `</function>`

Here is an example,
<function=example_function_name>{"example_name": "example_value"}</function>

Reminder:
- Function calls MUST follow the specified format
- Required parameters MUST be specified
- Only call one function at a time
- Put the entire function call reply on one line"""


def header(role: str) -> str:
    return f"{START_HEADER}{role}{END_HEADER}\n\n"


def system_content(text: str, *, code_interpreter: bool, tools: Sequence[ToolSpec] = ()) -> str:
    """The system message: the environment line, the custom tools, then `text`."""
    parts = []
    if code_interpreter:
        parts.append("Environment: ipython")
    custom = [t for t in tools if t["function"]["name"] != CODE_INTERPRETER]
    if custom:
        lines = [CUSTOM_TOOLS_HEAD, ""]
        for tool in custom:
            fn = tool["function"]
            lines.append(f"Use the function '{fn['name']}' to: {fn.get('description', '')}")
            lines.append(json.dumps(fn, ensure_ascii=False))
            lines.append("")
        lines.append(CUSTOM_TOOLS_RULES)
        parts.append("\n".join(lines))
    if text:
        parts.append(text)
    return "\n\n".join(parts)


def render(
    messages: Sequence[Message], *, tools: Sequence[ToolSpec] = (), add_generation_prompt: bool = True
) -> str:
    """The prompt text of a conversation. The code interpreter is on when `tools` offers
    `run_python`; the other tools are custom tools. With `add_generation_prompt` the
    text ends with the assistant's header, ready for a raw completion."""
    code_interpreter = any(t["function"]["name"] == CODE_INTERPRETER for t in tools)
    out = [BEGIN]
    rest = list(messages)
    system = ""
    if rest and rest[0]["role"] == "system":
        system = str(rest.pop(0).get("content") or "")
    if system or code_interpreter or tools:
        out.append(
            header("system") + system_content(system, code_interpreter=code_interpreter, tools=tools) + EOT
        )
    for message in rest:
        out.append(render_message(message))
    if add_generation_prompt:
        out.append(header("assistant"))
    return "".join(out)


def render_message(message: Message) -> str:
    role = message["role"]
    content = str(message.get("content") or "")
    if role == "tool":
        return header("ipython") + content + EOT
    if role not in ROLES:
        raise ValueError(f"Llama 3.1 has no role {role!r}; the roles are {', '.join(ROLES)} (and tool)")
    calls = message.get("tool_calls") or []
    if role != "assistant" or not calls:
        return header(role) + content + EOT
    # one message per call: the model calls one tool at a time, each ending its message
    texts = [_call_text(call["function"]) for call in calls]
    texts[0] = content + texts[0]
    return "".join(header(role) + text + EOM for text in texts)


def _call_text(function: dict) -> str:
    name, arguments = function["name"], function.get("arguments") or "{}"
    if name == CODE_INTERPRETER:
        try:
            code = json.loads(arguments).get("code", "")
        except (json.JSONDecodeError, AttributeError):
            code = arguments
        return PYTHON_TAG + str(code)
    return f"<function={name}>{arguments}</function>"


@dataclass
class Reply:
    """A model's reply: its content (the final answer when there is no call) and the
    tool calls it makes, in the OpenAI form."""

    content: str
    tool_calls: list[ToolCall] = field(default_factory=list)

    @property
    def is_final(self) -> bool:
        return not self.tool_calls


def parse_reply(text: str, *, call_id: str = "call") -> Reply:
    """Read a raw reply (what follows the assistant header, up to and perhaps including
    ``<|eom_id|>`` or ``<|eot_id|>``): a ``<|python_tag|>`` call of the code interpreter,
    ``<function=NAME>{...}</function>`` calls of custom tools, or a final answer.
    Arguments that are not JSON are kept as written, so the model is told what was wrong."""
    for stop in STOPS:
        if stop in text:
            text = text[: text.index(stop)]
    if PYTHON_TAG in text:
        before, code = text.split(PYTHON_TAG, 1)
        arguments = json.dumps({"code": code}, ensure_ascii=False)
        return Reply(before.strip(), [ToolCall(f"{call_id}_0", CODE_INTERPRETER, arguments)])
    calls = [
        ToolCall(f"{call_id}_{i}", match.group(1), match.group(2).strip())
        for i, match in enumerate(FUNCTION_CALL.finditer(text))
    ]
    if calls:
        return Reply(FUNCTION_CALL.sub("", text).strip(), calls)
    return Reply(text)
