"""The teacher's answer format and its static checks (docs/synth.md, "Teacher output").

The teacher answers with

* the program in a ```python block: a top-level function named `f` that returns its
  answer and prints nothing (fuzzing: also `pre_test_f` and `test_f`);
* exactly `n_inputs` (5) inputs, each in its own ```input block, written as the
  arguments of a call (`[3, 1, 2], 'abc'`: several arguments separated by commas,
  strings quoted), each a Python literal;
* a hint message in a ```message block that must not give the code away.

`parse_teacher_answer` checks everything that can be checked without running the
program — in this process it only parses (`ast.parse`, `ast.literal_eval`); it never
executes model text. Running `f` (outputs, determinism, exceptions, timeouts) is
`codefrontier.synth.execution`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from codefrontier import pyast
from codefrontier.synth.fences import PYTHON_TAGS, blocks_tagged, fenced_blocks
from codefrontier.synth.literals import NotALiteral, canonical, parse_arguments
from codefrontier.synth.task import Draft, Reason, Rejection

# Modules a pure function may import: no files, processes, clocks, randomness or network.
PURE_MODULES = frozenset(
    {
        "math",
        "cmath",
        "itertools",
        "functools",
        "collections",
        "heapq",
        "bisect",
        "string",
        "re",
        "operator",
        "fractions",
        "decimal",
        "statistics",
        "typing",
        "dataclasses",
        "enum",
        "copy",
        "numbers",
        "array",
        "textwrap",
        "unicodedata",
        "json",
        "__future__",
    }
)
IMPURE_CALLS = frozenset(
    {
        "open",
        "input",
        "exec",
        "eval",
        "compile",
        "__import__",
        "breakpoint",
        "globals",
        "memoryview",
        "exit",
        "quit",
    }
)
FUZZ_CHECKS = ("pre_test_f", "test_f")
LEAK_NGRAM = 8  # this many consecutive code tokens in the message give the code away
LEAK_LINE_CHARS = 20  # a code line at least this long, verbatim in the message, too
TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class TeacherRules:
    """What a teacher's answer must satisfy (the limits of the static checks)."""

    n_inputs: int = 5
    fuzzing: bool = False  # the program must also define pre_test_f and test_f
    max_program_chars: int = 20_000
    max_input_chars: int = 2_000
    max_message_chars: int = 4_000


def parse_teacher_answer(text: str, rules: TeacherRules | None = None) -> Draft | Rejection:
    """The teacher's problem, or the first reason it is rejected."""
    rules = rules or TeacherRules()
    programs = blocks_tagged(text, *PYTHON_TAGS) or [b for t, b in fenced_blocks(text) if t == ""]
    program = next((p for p in reversed(programs) if _defines(p, "f")), None)
    if program is None:
        errors = [e for e in map(_parses, programs) if e is not None]
        if errors:
            return Rejection(Reason.SYNTAX_ERROR, errors[-1])
        return Rejection(Reason.NO_F, "no ```python block defining a top-level function f")
    if len(program) > rules.max_program_chars:
        return Rejection(
            Reason.OVERSIZED_PROGRAM, f"{len(program)} characters (at most {rules.max_program_chars})"
        )
    rejection = check_program(program, rules)
    if rejection is not None:
        return rejection
    inputs = blocks_tagged(text, "input")
    if len(inputs) != rules.n_inputs:
        return Rejection(
            Reason.WRONG_INPUT_COUNT, f"{len(inputs)} ```input blocks, {rules.n_inputs} asked for"
        )
    parsed = []
    for index, raw in enumerate(inputs):
        if len(raw.strip()) > rules.max_input_chars:
            return Rejection(
                Reason.OVERSIZED_INPUT, f"input {index + 1}: over {rules.max_input_chars} characters"
            )
        try:
            parsed.append(parse_arguments(raw))
        except NotALiteral as exc:
            return Rejection(Reason.INPUT_NOT_LITERAL, f"input {index + 1} ({_clip(raw)}): {exc}")
    keys = [canonical(args) for args in parsed]
    if len(set(keys)) < len(keys):
        first = next(i for i, k in enumerate(keys) if keys.count(k) > 1)
        return Rejection(Reason.DUPLICATE_INPUTS, f"input {first + 1} is given more than once")
    messages = blocks_tagged(text, "message")
    message = messages[-1].strip() if messages else ""
    if not message:
        return Rejection(Reason.NO_MESSAGE, "no ```message block with a hint")
    if len(message) > rules.max_message_chars:
        message = message[: rules.max_message_chars]
    leak = message_leak(message, program)
    if leak:
        return Rejection(Reason.MESSAGE_LEAKS_CODE, leak)
    return Draft(program=program, inputs=parsed, message=message)


def _parses(program: str) -> str | None:
    """None when `program` parses, else the syntax error."""
    try:
        pyast.parse(program)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    except (ValueError, MemoryError, RecursionError) as exc:
        return str(exc)[:200]
    return None


def _defines(program: str, name: str) -> bool:
    try:
        tree = pyast.parse(program)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return name in top_level_functions(tree)


def top_level_functions(tree: ast.Module) -> set[str]:
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def check_program(program: str, rules: TeacherRules) -> Rejection | None:
    """Static purity checks: no printing, no imports or calls outside the pure subset,
    and (fuzzing) the two check functions. The sandbox contains whatever slips past
    these; they exist to reject impure problems, not for safety."""
    tree = pyast.parse(program)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "print":
                return Rejection(Reason.PRINTS, f"line {node.lineno}: print(...) (f must return its answer)")
            if node.func.id in IMPURE_CALLS:
                return Rejection(Reason.IMPURE, f"line {node.lineno}: {node.func.id}(...)")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                if name.split(".")[0] not in PURE_MODULES:
                    return Rejection(Reason.IMPURE, f"line {node.lineno}: import {name}")
    if rules.fuzzing:
        missing = [name for name in FUZZ_CHECKS if name not in top_level_functions(tree)]
        if missing:
            return Rejection(Reason.MISSING_CHECKS, "the program defines no " + " and no ".join(missing))
    return None


def message_leak(message: str, program: str) -> str:
    """Why `message` gives the code away ("" when it does not): a fenced block, the
    definition of f, a code line of 20+ characters verbatim, or 8 code tokens in a row."""
    if "```" in message or "~~~" in message:
        return "the message holds a fenced block"
    if re.search(r"\bdef\s+f\s*\(", message):
        return "the message holds the definition of f"
    lines = [ln.strip() for ln in program.splitlines()]
    for line in lines:
        if len(line) >= LEAK_LINE_CHARS and not line.startswith("#") and line in message:
            return f"the message quotes the code line {_clip(line)}"
    code = TOKEN.findall(program)
    said = TOKEN.findall(message)
    grams = {tuple(code[i : i + LEAK_NGRAM]) for i in range(len(code) - LEAK_NGRAM + 1)}
    for i in range(len(said) - LEAK_NGRAM + 1):
        if tuple(said[i : i + LEAK_NGRAM]) in grams:
            return f"the message quotes the code: {_clip(' '.join(said[i : i + LEAK_NGRAM]))}"
    return ""


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[:limit] + "...")
