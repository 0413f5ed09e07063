"""Prompts per problem kind, the extraction rule, infilling prompts, and the resumable
samples file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from codefrontier.contracts import Problem, ProblemKind
from codefrontier.contracts import TestCase as Case
from codefrontier.judge.samples import extract_program
from codefrontier.sampling.backends import OpenAIBackend
from codefrontier.sampling.infilling import (
    CODE_LLAMA,
    STARCODER,
    fill,
    infill,
    infill_prompt,
    middle_of,
    split_middle,
)
from codefrontier.sampling.prompts import extract_answer, initial_messages
from codefrontier.sampling.samplefile import TornLineWarning, read_keys, sample_record
from codefrontier.sampling.sampler import draw_samples

from .conftest import SOLUTIONS, problem_of
from .openai_server import answer


def function_problem() -> Problem:
    return Problem(
        "twice",
        ProblemKind.FUNCTION,
        "Return twice the number.",
        [Case("t", [2], 4)],
        entry_point="twice",
        starter_code="def twice(x: int) -> int:\n    ...",
    )


def test_stdio_prompt_names_the_language_io_limits_and_answer_format(problems: list[Problem]) -> None:
    system, user = initial_messages(problems[0], "cpp", "reasoning")
    assert system["role"] == "system" and user["role"] == "user"
    text = user["content"]
    assert text.startswith("Solve the following problem in C++17.")
    assert problems[0].statement in text and "standard input" in text
    assert "2 seconds of CPU time and 256 MiB" in text
    assert text.endswith(
        "give the complete program in one ```cpp fenced code block at the end of your answer."
    )


def test_function_prompt_names_the_entry_point_and_shows_the_starter_code() -> None:
    text = initial_messages(function_problem(), "python", "reasoning")[1]["content"]
    assert "Write a function `twice`." in text and "def twice(x: int) -> int:" in text
    assert "```python fenced code block" in text


def test_assert_prompt_is_the_function_to_complete() -> None:
    problem = Problem(
        "he",
        ProblemKind.ASSERT,
        'def f(x):\n    """Double x."""\n',
        [Case("t", "assert candidate(1) == 2")],
        entry_point="f",
    )
    text = initial_messages(problem, "python", "reasoning")[1]["content"]
    assert text.startswith(
        'Complete the following Python 3 function.\n\n```python\ndef f(x):\n    """Double x."""\n```'
    )


def test_tools_and_agent_prompts_state_their_limits(problems: list[Problem]) -> None:
    tools = initial_messages(problems[0], "python", "tools", max_tool_calls=5)[1]["content"]
    assert "`run_python`" in tools and "up to 5 times" in tools
    agent = initial_messages(problems[0], "python", "agent", max_turns=3)[1]["content"]
    assert "up to 3 submissions in all" in agent and "example tests" in agent


def test_the_program_is_the_last_fenced_block_of_the_final_answer() -> None:
    text = "<think>maybe\n```python\nprint('draft')\n```</think>Final:\n```python\nprint(1)\n```\nor\n```python\nprint(2)\n```"
    assert extract_answer(text, "python") == ("print(2)\n", True)
    assert extract_answer("```text\nnotes\n```\n```py\nprint(3)\n```\n```\nx\n```", "python") == (
        "print(3)\n",
        True,
    )
    assert extract_answer("print(4)", "python") == ("print(4)", False)


def test_a_program_that_contains_a_fence_is_stored_so_the_judge_extracts_it_unchanged() -> None:
    program = 'print("""\n```\nmarkdown\n```\n""")\n'
    answer_text = "Answer:\n````python\n" + program + "````\n"
    code, extracted = extract_answer(answer_text, "python")
    assert (code, extracted) == (program, True)
    record = sample_record(
        problem_id="p", policy="q", sample=0, language="python", code=code, extracted=True,
        answer=answer_text, raw=answer_text, policy_meta={},
    )  # fmt: skip
    assert extract_program(record["code"], "python")[0] == program


def test_code_llama_infilling_prompts_in_both_orders() -> None:
    assert (
        infill_prompt("def f():\n", "\n    return x\n", "psm")
        == "<PRE> def f():\n <SUF>\n    return x\n <MID>"
    )
    assert (
        infill_prompt("def f():\n", "\n    return x\n", "spm")
        == "<PRE> <SUF>\n    return x\n <MID> def f():\n"
    )
    assert infill_prompt("a", "c", "psm", STARCODER) == "<fim_prefix>a<fim_suffix>c<fim_middle>"
    assert split_middle("    x = 1<EOT> junk", CODE_LLAMA) == ("    x = 1", True)
    assert split_middle("    x = 1", CODE_LLAMA) == ("    x = 1", False)
    assert fill("a", "b", "c") == "abc"


def test_infilling_through_the_http_backend_sends_the_raw_prompt(serve) -> None:
    server = serve(lambda request, i: answer("    x = 1"))

    async def go() -> list[tuple[str, bool]]:
        backend = OpenAIBackend(server.url)
        try:
            completions = await infill(backend, "def f():\n", "\n    return x\n", order="spm", n=2)
            return [middle_of(c) for c in completions]
        finally:
            await backend.aclose()

    assert asyncio.run(go()) == [("    x = 1", True), ("    x = 1", True)]
    request = server.requests[0]
    assert request["prompt"] == "<PRE> <SUF>\n    return x\n <MID> def f():\n" and request["stop"] == [
        "<EOT>"
    ]


def test_a_torn_last_line_is_ignored_with_a_warning_and_that_sample_is_drawn_again(
    serve, problems: list[Problem], tmp_path: Path
) -> None:
    server = serve(lambda request, i: answer(SOLUTIONS[problem_of(request)]))
    out = tmp_path / "samples.jsonl"
    draw_samples(problems, OpenAIBackend(server.url), out, n=2, policy="p")
    lines = out.read_text().splitlines(keepends=True)
    out.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])  # an interrupted write
    with pytest.warns(TornLineWarning, match=r"samples.jsonl:4: the last line is cut short"):
        report = draw_samples(problems, OpenAIBackend(server.url), out, n=2, policy="p")
    assert (report.drawn, report.skipped) == (1, 3)
    assert len(server.requests) == 5
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 4 and len({(r["problem_id"], r["sample"]) for r in records}) == 4


def test_a_torn_trajectory_is_cut_off_before_more_are_appended(
    serve, problems: list[Problem], tmp_path: Path
) -> None:
    server = serve(lambda request, i: answer(SOLUTIONS[problem_of(request)]))
    out = tmp_path / "samples.jsonl"
    draw_samples(problems, OpenAIBackend(server.url), out, n=1, policy="p")
    trajectories = tmp_path / "samples.trajectories.jsonl"
    with open(trajectories, "a") as fh:
        fh.write('{"problem_id": "add", "messa')  # a write that a crash cut short
    with pytest.warns(TornLineWarning, match=r"trajectories.jsonl:3: the last line is cut short"):
        report = draw_samples(problems, OpenAIBackend(server.url), out, n=2, policy="p")
    assert report.drawn == 2
    lines = trajectories.read_text().splitlines()
    assert len(lines) == 4 and all(json.loads(line)["policy"] == "p" for line in lines)


def test_a_bad_line_in_the_middle_of_a_samples_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "samples.jsonl"
    path.write_text(
        '{"problem_id": "a", "policy": "p", "sample": 0}\nnot json\n{"problem_id": "a", "policy": "p", "sample": 1}\n'
    )
    with pytest.raises(Exception, match=r"samples.jsonl:2: not valid JSON"):
        read_keys(path)
