"""The execution-feedback pipeline with scripted models behind the loopback OpenAI
server: a model wrong at first and fixed by the feedback, one that never fixes its
program, a missing linter, resuming, snippets, and SFT records TRL reads for real."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codefrontier.cli import main
from codefrontier.feedback import CheckStatus, LoopSettings, generate, lint_check, parse_check, problem_items
from codefrontier.problems.io import problem_from_json
from sampling.openai_server import LoopbackServer, answer

ADD = problem_from_json(
    {
        "id": "add",
        "kind": "function",
        "entry_point": "add",
        "statement": "Write add(a, b) that returns the sum of two integers.",
        "time_limit_s": 2.0,
        "tests": [
            {"id": "small", "input": [2, 3], "output": 5, "hidden": False},
            {"id": "large", "input": [10**12, 1], "output": 10**12 + 1},
        ],
    }
)

WRONG = "```python\nimport os\n\n\ndef add(a, b):\n    # subtract, by mistake\n    return a - b\n```\n\n```python\nassert add(2, 3) == 5\nassert add(0, 0) == 0\n```"
RIGHT = "```python\ndef add(a, b):\n    # the sum of the two arguments\n    return a + b\n```\n\n```python\nassert add(2, 3) == 5\nassert add(-1, 1) == 0\n```"


@pytest.fixture
def server():
    servers: list[LoopbackServer] = []

    def start(script):
        servers.append(LoopbackServer(script))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def _dialogs(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "dialogs.jsonl").read_text().splitlines()]


def _backend(url: str):
    from codefrontier.sampling.backends import OpenAIBackend

    return OpenAIBackend(url)


def test_a_wrong_first_answer_is_fixed_by_the_feedback_and_kept(server, tmp_path):
    srv = server(lambda request, index: answer(WRONG if len(request["messages"]) == 2 else RIGHT))
    out = tmp_path / "out"
    report = generate(problem_items([ADD]), _backend(srv.url), out, LoopSettings(rounds=3))
    (dialog,) = _dialogs(out)
    assert (dialog["outcome"], dialog["stop"], dialog["answers"]) == ("fixed", "passed", 2)
    revision = dialog["messages"][3]
    assert revision["role"] == "user"
    text = revision["content"]
    assert "Parser: passed." in text
    assert "Linter: failed." in text and "F401" in text and "`os` imported but unused" in text
    assert "Tests: failed." in text and "exit status 1" in text and "AssertionError" in text
    assert "Own tests: failed." in text and "test small: WA" in text and "hidden test large: WA" in text
    assert "10000000000001" not in text  # the hidden test's answer stays out of the dialog
    first, second = dialog["checks"]
    assert [c["status"] for c in first] == ["passed", "failed", "failed", "failed"]
    assert [c["status"] for c in second] == ["passed"] * 4
    sft = [json.loads(line) for line in (out / "sft.jsonl").read_text().splitlines()]
    assert sft == [{"messages": dialog["messages"]}]
    assert [m["role"] for m in sft[0]["messages"]] == ["system", "user", "assistant", "user", "assistant"]
    assert report.stats["counts"] == {"first_try": 0, "fixed": 1, "dropped": 0}
    assert report.stats["shares"]["fixed"] == 1.0
    assert report.stats["tokens"]["total_tokens"] > 0 and dialog["usage"]["total_tokens"] > 0


def test_a_model_that_never_fixes_its_program_is_dropped_after_the_rounds(server, tmp_path):
    srv = server(lambda request, index: answer(WRONG))
    out = tmp_path / "out"
    report = generate(problem_items([ADD]), _backend(srv.url), out, LoopSettings(rounds=3))
    (dialog,) = _dialogs(out)
    assert (dialog["outcome"], dialog["stop"], dialog["answers"], dialog["repeated"]) == (
        "dropped",
        "round_limit",
        3,
        2,
    )
    assert len(srv.requests) == 3
    assert (out / "sft.jsonl").read_text() == ""
    assert report.stats["counts"]["dropped"] == 1 and report.stats["dialogs_with_a_repeated_program"] == 1


def test_a_right_first_answer_is_solved_at_the_first_try_and_a_rerun_asks_nothing(server, tmp_path):
    srv = server(lambda request, index: answer(RIGHT))
    out = tmp_path / "out"
    generate(problem_items([ADD]), _backend(srv.url), out, LoopSettings())
    asked = len(srv.requests)
    again = generate(problem_items([ADD]), _backend(srv.url), out, LoopSettings())
    assert asked == 1 and len(srv.requests) == 1 and again.skipped == 1 and again.done == 0
    assert again.stats["counts"] == {"first_try": 1, "fixed": 0, "dropped": 0}
    assert len((out / "sft.jsonl").read_text().splitlines()) == 1


def test_a_missing_linter_is_skipped_not_passed_and_the_dialog_is_not_kept(server, tmp_path):
    srv = server(lambda request, index: answer(RIGHT))
    out = tmp_path / "out"
    generate(problem_items([ADD]), _backend(srv.url), out, LoopSettings(ruff=str(tmp_path / "no-ruff")))
    (dialog,) = _dialogs(out)
    linter = dialog["checks"][0][1]
    assert (
        linter["name"] == "linter" and linter["status"] == "skipped" and "not installed" in linter["output"]
    )
    assert dialog["outcome"] == "dropped" and dialog["stop"] == "unchecked: linter skipped"
    assert len(srv.requests) == 1  # nothing failed, so nothing to revise


def test_static_checks_name_the_line_and_the_rule():
    parsed = parse_check("def f(:\n    pass\n")
    assert parsed.status is CheckStatus.FAILED and "line 1" in parsed.output
    assert parse_check("x = 1\n").passed
    lint = lint_check("import sys\n\ndef f():\n    return y\n")
    assert lint.status is CheckStatus.FAILED
    assert "1:8: F401" in lint.output and "4:12: F821 Undefined name `y`" in lint.output
    assert lint_check("def f():\n    return 1\n").passed


def test_snippets_become_problems_and_dialogs_through_the_command(server, tmp_path):
    code = tmp_path / "code"
    code.mkdir()
    (code / "util.py").write_text("def clamp(x, lo, hi):\n    return max(lo, min(x, hi))\n")
    problem = "Write clamp(x, lo, hi) that limits x to the range [lo, hi]."
    solution = "```python\ndef clamp(x, lo, hi):\n    # below lo is lo, above hi is hi\n    return max(lo, min(x, hi))\n```\n```python\nassert clamp(5, 0, 3) == 3\nassert clamp(-1, 0, 3) == 0\n```"

    def script(request, index):
        last = request["messages"][-1]["content"]
        return answer(problem if last.startswith("Here is a snippet") else solution)

    srv = server(script)
    out = tmp_path / "out"
    code_rc = main(
        [
            "feedback-data",
            "generate",
            "--model",
            srv.url,
            "--snippets",
            str(code),
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert code_rc == 0
    (dialog,) = _dialogs(out)
    assert dialog["id"] == "snippet:util.py#0" and dialog["outcome"] == "first_try"
    assert "clamp" in dialog["snippet"] and dialog["problem_text"] == problem
    assert problem in dialog["messages"][1]["content"]
    assert json.loads((out / "stats.json").read_text())["shares"]["first_try"] == 1.0


@pytest.mark.slow  # importing TRL and building a trainer takes most of a minute on a loaded 2-core machine
def test_sft_records_are_read_by_trl_sfttrainer(server, tmp_path):
    from datasets import load_dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    from sampling.tiny_models import save_tiny_model

    srv = server(lambda request, index: answer(WRONG if len(request["messages"]) == 2 else RIGHT))
    out = tmp_path / "out"
    generate(problem_items([ADD]), _backend(srv.url), out, LoopSettings(rounds=2))
    model_dir = save_tiny_model(tmp_path / "tiny", seed=0)
    dataset = load_dataset("json", data_files=str(out / "sft.jsonl"), split="train")
    trainer = SFTTrainer(
        model=AutoModelForCausalLM.from_pretrained(model_dir),
        args=SFTConfig(
            output_dir=str(tmp_path / "trl"),
            report_to=[],
            max_steps=1,
            per_device_train_batch_size=1,
            bf16=False,
            use_cpu=True,
            max_length=None,  # the whole dialog, uncut
        ),
        train_dataset=dataset,
        processing_class=AutoTokenizer.from_pretrained(model_dir),
    )
    prepared = trainer.train_dataset
    assert len(prepared) == 1 and "input_ids" in prepared.column_names
    text = trainer.processing_class.decode(prepared[0]["input_ids"])
    assert "return a + b" in text and "Own tests: failed." in text
