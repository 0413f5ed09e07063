"""Extraction for function and assert problems, as EvalPlus's sanitizer and lm-eval's
instruct tasks do it: the block that defines the entry point, and the prompt's imports;
what was done is recorded; stdio problems keep the plain last-block rule."""

from __future__ import annotations

from codefrontier.judge import extract_for_problem, judge_samples, sample_from_json
from codefrontier.problems.registry import load_benchmark

HE = {p.id: p for p in load_benchmark("humaneval") if p.id in ("HumanEval/0", "HumanEval/23")}

ANSWER_WITHOUT_TYPING = """\
Here is the function:
```python
def has_close_elements(numbers: List[float], threshold: float) -> bool:
    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for b in numbers[i + 1:])
```
Example:
```python
print(has_close_elements([1.0, 2.0], 0.5))
```
"""


def test_the_block_defining_the_entry_point_is_taken_with_the_prompts_imports() -> None:
    found = extract_for_problem(ANSWER_WITHOUT_TYPING, "python", HE["HumanEval/0"])
    assert found.rule == "entry-point" and (found.block, found.blocks) == (0, 2)
    assert found.header == ("from typing import List",)
    assert found.code.startswith("from typing import List\n\ndef has_close_elements(")
    assert "print(" not in found.code
    assert found.record() == {
        "rule": "entry-point",
        "block": 0,
        "blocks": 2,
        "header": ["from typing import List"],
    }


def test_the_new_rule_turns_a_name_error_and_a_usage_example_into_an_accepted_sample() -> None:
    problem = HE["HumanEval/0"]
    sample = sample_from_json({"problem_id": problem.id, "policy": "m", "code": ANSWER_WITHOUT_TYPING}, HE)
    assert sample.extracted and sample.raw == ANSWER_WITHOUT_TYPING
    [result] = judge_samples([problem], [sample], jobs=1)
    assert result.verdict == "AC"


def test_an_answer_that_imports_already_gets_no_second_header_and_stdio_keeps_the_last_block() -> None:
    text = "```python\nfrom typing import List\n\ndef has_close_elements(numbers, threshold):\n    return False\n```"
    found = extract_for_problem(text, "python", HE["HumanEval/0"])
    assert found.header == () and found.code.startswith("from typing import List")
    plain = extract_for_problem("```python\nx = 1\n```\n```python\nprint(2)\n```", "python", None)
    assert (plain.code, plain.rule, plain.block) == ("print(2)\n", "language", 1)


def test_without_a_block_defining_the_entry_point_the_language_rule_applies() -> None:
    text = "```python\ndef helper():\n    pass\n```\n```text\nnothing\n```"
    found = extract_for_problem(text, "python", HE["HumanEval/23"])
    assert found.rule == "language" and found.block == 0 and found.header == ()
