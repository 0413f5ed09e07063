"""CodeContests (`deepmind/code_contests`, HF Parquet or JSONL).

Fields read: name, description, public_tests, private_tests, generated_tests,
time_limit, memory_limit_bytes, difficulty, source, cf_*, solutions,
incorrect_solutions, is_description_translated, input_file, output_file.
Enum values follow the dataset's `contest_problem.proto`.
"""

from __future__ import annotations

import math
from typing import Any

from codefrontier.contracts import Problem, ProblemKind, Solution, TestCase, default_size
from codefrontier.problems.importers._common import (
    DatasetFormat,
    Record,
    RecordError,
    get_str,
    guess_checker,
    json_safe,
)

SOURCES = {
    0: "unknown",
    1: "codechef",
    2: "codeforces",
    3: "hackerearth",
    4: "codejam",
    6: "atcoder",
    7: "aizu",
}
DIFFICULTIES = {0: "UNKNOWN_DIFFICULTY", 1: "EASY", 2: "MEDIUM", 3: "HARD", 4: "HARDER", 5: "HARDEST"}
DIFFICULTIES |= {6: "EXTERNAL"} | {7 + i: chr(ord("A") + i) for i in range(11)}  # A=7 .. K=17
DIFFICULTIES |= {19 + i: chr(ord("L") + i) for i in range(11)}  # L=19 .. V=29 (18 is unused)
# Solution.Language: 1 = PYTHON (Python 2), 2 = CPP, 3 = PYTHON3, 4 = JAVA.
LANGUAGES = {0: "unknown", 1: "python2", 2: "cpp", 3: "python", 4: "java"}
IMPORTED_LANGUAGES = ("python", "cpp")  # Python 3 and C++: the languages the judge runs

DEFAULT_TIME_LIMIT_S = 2.0
DEFAULT_MEMORY_MB = 256
GIVEN_NOTE = "time and memory limits as given by CodeContests (time_limit, memory_limit_bytes)"


def record_id(record: Record) -> str | None:
    value = record.data.get("name")
    return value if isinstance(value, str) and value else None


def _tests(data: dict[str, Any], field: str, hidden: bool) -> list[TestCase]:
    value = data.get(field)
    if value is None:
        return []
    if not isinstance(value, dict):
        raise RecordError(
            f"must be an object {{input: [...], output: [...]}}, got {type(value).__name__}", field
        )
    inputs, outputs = value.get("input") or [], value.get("output") or []
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise RecordError("`input` and `output` must be lists of text", field)
    if len(inputs) != len(outputs):
        raise RecordError(f"{len(inputs)} inputs but {len(outputs)} outputs", field)
    group = field.removesuffix("_tests")
    tests = []
    for i, (inp, out) in enumerate(zip(inputs, outputs, strict=True)):
        if not isinstance(inp, str) or not isinstance(out, str):
            raise RecordError("input and output must be text", f"{field}[{i}]")
        tests.append(TestCase(f"{group}-{i}", inp, out, default_size(inp), hidden))
    return tests


def _time_limit(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, dict):
        seconds, nanos = value.get("seconds") or 0, value.get("nanos") or 0
        if not isinstance(seconds, int | float) or not isinstance(nanos, int | float):
            raise RecordError("seconds and nanos must be numbers", "time_limit")
        total = seconds + nanos / 1e9
        return float(total) if total > 0 else None
    raise RecordError(
        f"must be an object {{seconds, nanos}} or null, got {type(value).__name__}", "time_limit"
    )


def _memory_mb(value: Any) -> int | None:
    if value is None or value == 0:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RecordError("must be a non-negative integer", "memory_limit_bytes")
    return max(1, math.ceil(value / (1 << 20)))


def _language(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return LANGUAGES.get(value, f"language-{value}")
    if isinstance(value, str):  # some re-exports spell the enum by name
        return {"PYTHON": "python2", "CPP": "cpp", "PYTHON3": "python", "JAVA": "java"}.get(
            value.upper(), value.lower()
        )
    return "unknown"


def _solutions(data: dict[str, Any], field: str) -> tuple[list[tuple[str, str, str]], dict[str, int]]:
    """(name, language, code) of the Python 3 and C++ solutions, and counts of the rest."""
    value = data.get(field)
    if value is None:
        return [], {}
    if not isinstance(value, dict):
        raise RecordError("must be an object {language: [...], solution: [...]}", field)
    langs, codes = value.get("language") or [], value.get("solution") or []
    if not isinstance(langs, list) or not isinstance(codes, list) or len(langs) != len(codes):
        raise RecordError("`language` and `solution` must be lists of the same length", field)
    kept: list[tuple[str, str, str]] = []
    others: dict[str, int] = {}
    prefix = "incorrect-" if field == "incorrect_solutions" else ""
    for i, (lang_value, code) in enumerate(zip(langs, codes, strict=True)):
        lang = _language(lang_value)
        if lang in IMPORTED_LANGUAGES and isinstance(code, str):
            kept.append((f"{prefix}{lang}-{i}", lang, code))
        else:
            others[lang] = others.get(lang, 0) + 1
    return kept, others


def convert(record: Record) -> Problem:
    data = record.data
    name = record_id(record)
    if name is None:
        raise RecordError("missing", "name")
    tests = (
        _tests(data, "public_tests", hidden=False)
        + _tests(data, "private_tests", hidden=True)
        + _tests(data, "generated_tests", hidden=True)
    )
    if not tests:
        raise RecordError(
            "problem has no tests (public, private and generated are all empty)", "public_tests"
        )
    for field in ("input_file", "output_file"):
        io_file = data.get(field)
        if isinstance(io_file, str) and io_file.strip():
            raise RecordError(
                f"the problem reads or writes the file {io_file!r} instead of standard input/output, "
                "which the judge does not provide",
                field,
            )
    time_limit, memory_mb = _time_limit(data.get("time_limit")), _memory_mb(data.get("memory_limit_bytes"))
    notes = []
    if time_limit is None:
        notes.append(f"no time limit given: default {DEFAULT_TIME_LIMIT_S:g} s")
    if memory_mb is None:
        notes.append(f"no memory limit given: default {DEFAULT_MEMORY_MB} MB")
    limits_note = GIVEN_NOTE if not notes else "CodeContests: " + "; ".join(notes)
    correct, correct_other = _solutions(data, "solutions")
    incorrect, incorrect_other = _solutions(data, "incorrect_solutions")
    difficulty = data.get("difficulty")
    if isinstance(difficulty, int) and not isinstance(difficulty, bool):
        difficulty = DIFFICULTIES.get(difficulty, str(difficulty))
    source = data.get("source")
    platform = SOURCES.get(source, str(source)) if isinstance(source, int) else source
    metadata: dict[str, Any] = {"platform": json_safe(platform)}
    for key in (
        "cf_contest_id",
        "cf_index",
        "cf_points",
        "cf_rating",
        "cf_tags",
        "is_description_translated",
    ):
        if data.get(key) not in (None, "", [], 0, 0.0):
            metadata[key] = json_safe(data[key])
    if incorrect:
        # Known-failing programs whose verdict (WA, TLE, RE...) the dataset does not record.
        metadata["incorrect_solutions"] = [
            {"name": n, "language": lang, "code": c} for n, lang, c in incorrect
        ]
    skipped = {
        k: v for k, v in {"solutions": correct_other, "incorrect_solutions": incorrect_other}.items() if v
    }
    if skipped:
        metadata["solutions_not_imported"] = skipped  # counts per language (Python 2, Java, ...)
    return Problem(
        id=name,
        kind=ProblemKind.STDIO,
        statement=get_str(data, "description", required=True),
        tests=tests,
        time_limit_s=time_limit if time_limit is not None else DEFAULT_TIME_LIMIT_S,
        memory_mb=memory_mb if memory_mb is not None else DEFAULT_MEMORY_MB,
        checker=guess_checker(t.output for t in tests),
        difficulty=None if difficulty is None else str(difficulty),
        source="codecontests",
        solutions=[Solution(name=n, language=lang, code=c) for n, lang, c in correct],
        limits_note=limits_note,
        metadata={k: v for k, v in metadata.items() if v is not None},
    )


FORMAT = DatasetFormat(
    name="codecontests",
    title="CodeContests",
    signature=frozenset({"name", "description", "public_tests", "private_tests", "generated_tests"}),
    convert=convert,
    record_id=record_id,
)
