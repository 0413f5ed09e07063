"""The prompt per problem kind and inference setting, and how the program is read from
the model's final answer. docs/sampling.md quotes every template verbatim; change them
together (and bump PROMPT_VERSION, which the sampling record keeps, so that samples
drawn with different prompts are never mixed by a resumed run).
"""

from __future__ import annotations

import re

from codefrontier.contracts import Problem, ProblemKind
from codefrontier.judge import Extraction, extract_for_problem
from codefrontier.languages import get_language
from codefrontier.sampling.backends.base import Message

PROMPT_VERSION = "1"

SYSTEM = "You are an expert programmer. You write correct and efficient programs."


STDIO_TEMPLATE = """\
Solve the following problem in {language_title}.

{statement}

Your program reads the input from standard input and writes the answer to standard output. \
It must run within {time_limit} seconds of CPU time and {memory_mb} MiB of memory on the largest inputs."""

FUNCTION_TEMPLATE = """\
Solve the following problem in Python 3.

{statement}

Write a function `{entry_point}`. Each test calls it with the test's arguments and checks \
the value it returns. It must run within {time_limit} seconds of CPU time and {memory_mb} MiB of memory."""

STARTER_TEMPLATE = """

Start from this code:
```python
{starter_code}
```"""

COMPLETE_TEMPLATE = """\
Complete the following Python 3 function.

```python
{statement}
```"""

ANSWER_FORMAT = """\
When you are done, give the complete {what} in one ```{tag} fenced code block at the end of your answer."""

TOOLS_NOTE = """\
You can test code before you answer: the tool `run_python` runs a Python 3 program{cpp_clause} \
on the standard input you give it, with this problem's time and memory limits, and returns its \
standard output, standard error, status and CPU time. You may call the tools up to {max_tool_calls} \
times in all; then give your final answer."""

AGENT_NOTE = """\
Each answer you give is a submission: it is run on the problem's example tests and you see the \
results. You may revise it, up to {max_turns} submissions in all; the last one counts. \
Every reply must end with the complete {what} in one ```{tag} fenced code block."""

FEEDBACK_FAILED = """\
{results}

Fix the {what}. Give the complete corrected {what} in one ```{tag} fenced code block."""

TOOL_LIMIT_NOTE = """\
You have used all {max_tool_calls} tool calls. Give your final answer now: the complete {what} \
in one ```{tag} fenced code block."""

THINK_END = re.compile(r"</think>", re.IGNORECASE)


def language_tag(language: str) -> str:
    """The fence info string the prompt asks for (`python`, `cpp`)."""
    lang = get_language(language)
    return lang.fence_tags[0] if lang.fence_tags else lang.name


def answer_noun(problem: Problem) -> str:
    return "program" if problem.kind is ProblemKind.STDIO else "code"


def task_text(problem: Problem, language: str) -> str:
    """The task for one problem (its kind decides the template), without the answer format."""
    name = get_language(language).name
    limit = f"{problem.time_limit_for(name):g}"
    if problem.kind is ProblemKind.STDIO:
        return STDIO_TEMPLATE.format(
            language_title=get_language(name).title,
            statement=problem.statement.strip(),
            time_limit=limit,
            memory_mb=problem.memory_mb,
        )
    code = problem.starter_code
    if problem.kind is ProblemKind.FUNCTION and not (code and code.strip() == problem.statement.strip()):
        text = FUNCTION_TEMPLATE.format(
            statement=problem.statement.strip(),
            entry_point=problem.entry_point,
            time_limit=limit,
            memory_mb=problem.memory_mb,
        )
        if code and code.strip() not in problem.statement:
            text += STARTER_TEMPLATE.format(starter_code=code.rstrip())
        return text
    # the statement is the code to complete (HumanEval's prompt: a signature and a docstring)
    return COMPLETE_TEMPLATE.format(statement=(code or problem.statement).rstrip())


def answer_format(problem: Problem, language: str) -> str:
    what = "program" if problem.kind is ProblemKind.STDIO else "function and everything it needs"
    return ANSWER_FORMAT.format(what=what, tag=language_tag(language))


def initial_messages(
    problem: Problem,
    language: str,
    setting: str,
    *,
    max_tool_calls: int = 8,
    max_turns: int = 4,
    cpp_tool: bool = True,
) -> list[Message]:
    """The conversation a trajectory starts from: the system message and the task."""
    parts = [task_text(problem, language)]
    if setting == "tools":
        cpp_clause = " (and `run_cpp` a C++17 program)" if cpp_tool else ""
        parts.append(TOOLS_NOTE.format(cpp_clause=cpp_clause, max_tool_calls=max_tool_calls))
    if setting == "agent":  # its note says how every reply ends
        parts.append(
            AGENT_NOTE.format(max_turns=max_turns, what=answer_noun(problem), tag=language_tag(language))
        )
    else:
        parts.append(answer_format(problem, language))
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "\n\n".join(parts)}]


def final_answer(text: str) -> str:
    """The final answer of a reply: what follows the last `</think>` when the model
    thinks aloud in its text (reasoning the server separates is never in the text)."""
    parts = THINK_END.split(text)
    return parts[-1] if len(parts) > 1 else text


def extract_answer(text: str, language: str, problem: Problem | None = None) -> tuple[str, bool]:
    """The program in a reply: the judge's extraction rule (`extract_for_problem`: the last
    fenced block in the language; for a function or assert problem, the last block that
    defines the entry point, with the prompt's imports) applied to the final answer."""
    found = extract_record(text, language, problem)
    return found.code, found.extracted


def extract_record(text: str, language: str, problem: Problem | None = None) -> Extraction:
    """`extract_answer` with the extraction record (which rule, which block, what header)."""
    return extract_for_problem(final_answer(text), language, problem)
