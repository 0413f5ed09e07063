"""The prompts of the execution-feedback pipeline. docs/feedback.md quotes them; change
them together and bump PROMPT_VERSION (kept with every dialog, so that a resumed run
never mixes dialogs made with different prompts)."""

from __future__ import annotations

import re

from codefrontier.feedback.checks import CheckResult

PROMPT_VERSION = "1"

SYSTEM = "You are an expert Python programmer. You write correct, clean and well-tested code."

PROBLEM_FROM_SNIPPET = """\
Here is a snippet of code:

```python
{snippet}
```

Write a new, self-contained programming problem inspired by this snippet: a Python function \
to write, with its name, its arguments, what it returns and a few examples. Give only the \
problem statement, in plain text."""

SOLVE = """\
{task}

Answer with two fenced code blocks and nothing else:
1. ```python — the complete solution. Explain your reasoning in comments in the code.
2. ```python — unit tests: plain `assert` statements that call your solution, for ordinary \
and edge cases. They run right after the solution, in the same program."""

REVISE = """\
Your solution did not pass every check.

{report}

Fix the problem: the solution, or the unit tests if they are what is wrong. Answer again with \
the two fenced code blocks (the complete solution with its reasoning in comments, then the \
complete unit tests)."""

FENCE = re.compile(
    r"^[ \t]*```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)^[ \t]*```[ \t]*$", re.MULTILINE | re.DOTALL
)


def report_text(checks: list[CheckResult]) -> str:
    """What the revision prompt says about each check: passed, skipped or its output."""
    parts = []
    for check in checks:
        title = check.name[:1].upper() + check.name[1:]
        if check.passed:
            parts.append(f"{title}: passed.")
        elif check.status.value == "skipped":
            parts.append(f"{title}: could not be run ({check.output}).")
        else:
            parts.append(f"{title}: failed.\n```\n{check.output.rstrip()}\n```")
    return "\n\n".join(parts)


def split_answer(text: str) -> tuple[str, str]:
    """(solution, tests) from a reply: the first two fenced blocks; with one block, it is
    the solution and the tests are empty. Text after `</think>` only, if the model thinks aloud."""
    if "</think>" in text:
        text = text.rsplit("</think>", 1)[1]
    blocks = [m.group(2) for m in FENCE.finditer(text)]
    if not blocks:
        return text.strip() + "\n", ""
    return blocks[0], blocks[1] if len(blocks) > 1 else ""
