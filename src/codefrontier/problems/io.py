"""Read and write problems in the native JSONL format (docs/formats.md).

One problem a line. Errors name the file, line and field. `.jsonl.gz` is read and
written transparently.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from codefrontier.contracts import (
    Checker,
    CheckerKind,
    Problem,
    ProblemKind,
    Solution,
    TestCase,
    Verdict,
    default_size,
)
from codefrontier.errors import InputError


def open_text(path: Path, mode: str = "r") -> TextIO:
    """Open a text file, transparently gunzipping `*.gz`."""
    if str(path).endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, mode[0] + "b"), encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, object) for each non-blank line; errors name file and line."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    seen = False
    with open_text(path) as fh:
        try:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(
                        f"not valid JSON ({exc.msg} at column {exc.colno})", path=path, line=lineno
                    ) from None
                if not isinstance(obj, dict):
                    raise InputError("each line must be a JSON object", path=path, line=lineno)
                seen = True
                yield lineno, obj
        except (EOFError, gzip.BadGzipFile, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read file ({exc})", path=path) from None
    if not seen:
        raise InputError("file is empty: expected one JSON object per line", path=path)


NOT_UTF8 = "is not UTF-8 text: it holds a lone surrogate (a JSON escape such as \\ud800 with no pair)"


def is_utf8_text(text: str) -> bool:
    """Whether `text` can be written as UTF-8 (the store's and Parquet's text): false for a
    string holding a lone surrogate, which JSON escapes like "\\ud800" produce. ASCII text
    (most test data) is known in O(1); other text is encoded once to find out."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Fields:
    """Typed access to one record's fields, with errors that name the field."""

    def __init__(self, obj: dict[str, Any], path: Path | None, line: int | None, prefix: str = "") -> None:
        self.obj, self.path, self.line, self.prefix = obj, path, line, prefix

    def error(self, name: str, message: str) -> InputError:
        return InputError(message, path=self.path, line=self.line, field=self.prefix + name)

    def get(
        self, name: str, types: type | tuple[type, ...], default: Any = ..., *, allow_none: bool = False
    ) -> Any:
        if name not in self.obj:
            if default is ...:
                raise self.error(name, "missing")
            return default
        value = self.obj[name]
        if value is None and (allow_none or default is None):
            return None
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in _as_tuple(types)):
            want = " or ".join(t.__name__ for t in _as_tuple(types))
            raise self.error(name, f"must be {want}, got {type(value).__name__}")
        if isinstance(value, str) and not is_utf8_text(value):
            raise self.error(name, NOT_UTF8)
        return value


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def parse_checker(value: Any, fields: _Fields) -> Checker:
    if value is None:
        return Checker()
    if isinstance(value, str):
        value = {"kind": value}
    if not isinstance(value, dict):
        raise fields.error("checker", "must be a string or an object")
    sub = _Fields(value, fields.path, fields.line, "checker.")
    kind_name = sub.get("kind", str, "tokens")
    try:
        kind = CheckerKind(kind_name)
    except ValueError:
        raise sub.error(
            "kind", f"unknown checker {kind_name!r}; use one of {', '.join(k.value for k in CheckerKind)}"
        ) from None
    checker = Checker(kind=kind)
    if kind is CheckerKind.FLOAT:
        for name in ("abs_tol", "rel_tol"):
            value = float(sub.get(name, (int, float), 1e-6))
            if not math.isfinite(value) or not 0 <= value <= MAX_TOLERANCE:
                raise sub.error(name, f"must be a finite number from 0 to {MAX_TOLERANCE:g}, got {value!r}")
            setattr(checker, name, value)
    if kind is CheckerKind.PROGRAM:
        checker.code = sub.get("code", str)
        checker.language = sub.get("language", str, "python")
    return checker


def parse_test(obj: Any, kind: ProblemKind, index: int, fields: _Fields, base_dir: Path | None) -> TestCase:
    if not isinstance(obj, dict):
        raise fields.error(f"tests[{index}]", "must be an object")
    sub = _Fields(obj, fields.path, fields.line, f"tests[{index}].")
    test_id = str(sub.get("id", (str, int), str(index)))
    input_path = output_path = None
    if "input_file" in obj:
        input_path = _data_file(sub, "input_file", base_dir)
        data = None
    else:
        data = obj.get("input")
        if "input" not in obj:
            raise sub.error("input", "missing (give `input` or `input_file`)")
    if "output_file" in obj:
        output_path = _data_file(sub, "output_file", base_dir)
        expected = None
    else:
        expected = obj.get("output")
    if kind is ProblemKind.STDIO:
        if data is not None and not isinstance(data, str):
            raise sub.error("input", "must be text for stdio problems")
        if output_path is None and not isinstance(expected, str):
            raise sub.error("output", "must be text for stdio problems")
    elif kind is ProblemKind.FUNCTION:
        if input_path is None and not isinstance(data, list):
            raise sub.error("input", "must be a JSON array of positional arguments for function problems")
        if "output" not in obj and output_path is None:
            raise sub.error("output", "missing")
    elif kind is ProblemKind.ASSERT and not isinstance(data, str):
        raise sub.error("input", "must be test code (text) for assert problems")
    size = sub.get("size", int, None)
    if size is not None and not 0 <= size <= MAX_SIZE:
        raise sub.error("size", f"must be a whole number from 0 to {MAX_SIZE}, got {size}")
    if size is None:
        size = (
            input_path.stat().st_size
            if input_path is not None and input_path.exists()
            else default_size(data)
        )
    return TestCase(
        id=test_id,
        input=data,
        output=expected,
        size=int(size),
        hidden=bool(sub.get("hidden", bool, True)),
        tier=sub.get("tier", str, None),
        input_path=input_path,
        output_path=output_path,
    )


def _data_file(sub: _Fields, name: str, base_dir: Path | None) -> Path:
    """A test's data file, held to the one rule for paths a problem names: only a problems
    file may name files, and only inside its own directory — relative, no `..` out of it,
    no symlink leading out of it. A problem that arrives inline (an HTTP request, an object
    built in memory) has no directory and may name no file at all: otherwise a client could
    have the service read any file of the host and echo it in a verdict's detail."""
    value = sub.get(name, str)
    if base_dir is None:
        raise sub.error(name, "not allowed here: an inline problem may not name files; give `input`/`output`")
    if not value or "\0" in value:
        raise sub.error(name, "must be a file name relative to the problems file")
    relative = Path(value)
    if relative.is_absolute():
        raise sub.error(name, f"{value!r} is absolute; name a file relative to the problems file's directory")
    root = base_dir.resolve()
    resolved = (root / relative).resolve()
    if not resolved.is_relative_to(root):
        raise sub.error(
            name,
            f"{value!r} resolves outside the problems file's directory {str(root)!r} (symlinks included)",
        )
    # The resolved path is kept, so a symlink created later in the tree cannot redirect the read.
    return resolved


def problem_from_json(obj: dict[str, Any], *, path: Path | None = None, line: int | None = None) -> Problem:
    """Build a Problem from one native-format record; errors name file, line and field."""
    f = _Fields(obj, path, line)
    pid = f.get("id", (str, int))
    kind_name = f.get("kind", str)
    try:
        kind = ProblemKind(kind_name)
    except ValueError:
        raise f.error("kind", f"unknown kind {kind_name!r}; use stdio, function or assert") from None
    tests_raw = f.get("tests", list)
    if not tests_raw:
        raise f.error("tests", "problem has no tests")
    base_dir = path.parent if path is not None else None
    tests = [parse_test(t, kind, i, f, base_dir) for i, t in enumerate(tests_raw)]
    ids = [t.id for t in tests]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise f.error("tests", f"duplicate test id {dup!r}")
    entry_point = f.get("entry_point", str, None)
    if kind in (ProblemKind.FUNCTION, ProblemKind.ASSERT) and not entry_point:
        raise f.error("entry_point", f"required for {kind.value} problems")
    time_limit = _in_range(f, "time_limit_s", f.get("time_limit_s", (int, float), 2.0), *TIME_LIMIT_RANGE)
    memory = _in_range(f, "memory_mb", f.get("memory_mb", (int, float), 256), *MEMORY_RANGE)
    time_limits = f.get("time_limits", dict, {}) or {}
    for lang, value in time_limits.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise f.error(f"time_limits.{lang}", "must be a number of seconds")
        _in_range(f, f"time_limits.{lang}", value, *TIME_LIMIT_RANGE)
    solutions = []
    for i, s in enumerate(f.get("solutions", list, []) or []):
        sf = _Fields(s, path, line, f"solutions[{i}].") if isinstance(s, dict) else None
        if sf is None:
            raise f.error(f"solutions[{i}]", "must be an object")
        expected = _solution_verdict(sf)
        solutions.append(
            Solution(
                name=sf.get("name", str),
                language=sf.get("language", str),
                code=sf.get("code", str),
                expected=expected,
            )
        )
    tiers = f.get("tiers", list, []) or []
    known_tiers = set(tiers)
    for t in tests:
        if t.tier is not None and tiers and t.tier not in known_tiers:
            raise f.error("tests", f"test {t.id!r} has tier {t.tier!r} not listed in `tiers`")
    return Problem(
        id=str(pid),
        kind=kind,
        statement=f.get("statement", str, ""),
        tests=tests,
        time_limit_s=float(time_limit),
        memory_mb=int(memory),
        checker=parse_checker(obj.get("checker"), f),
        entry_point=entry_point,
        prelude=f.get("prelude", str, "") or "",
        time_limits={k: float(v) for k, v in time_limits.items()},
        tiers=[str(t) for t in tiers],
        difficulty=_opt_str(obj.get("difficulty")),
        source=f.get("source", str, None),
        starter_code=f.get("starter_code", str, None),
        suffix=f.get("suffix", str, None),
        solutions=solutions,
        limits_note=f.get("limits_note", str, None),
        metadata=f.get("metadata", dict, {}) or {},
    )


# The ranges a problem's limits must fall in: finite, positive, and what a judge can honour.
TIME_LIMIT_RANGE = (0.0, 600.0)  # CPU seconds per test: (low, high]
MEMORY_RANGE = (1.0, 65536.0)  # MiB: [low, high] (64 GiB)
MAX_SIZE = (1 << 63) - 1  # a test's size is stored as a signed 64-bit integer
MAX_TOLERANCE = 1e6


def _in_range(fields: _Fields, name: str, value: float, low: float, high: float) -> float:
    """A finite number in the documented range, or an error naming the field."""
    if not math.isfinite(value):
        raise fields.error(name, f"must be a finite number, got {value!r}")
    if name.startswith("memory") and not low <= value <= high:
        raise fields.error(name, f"must be between {low:g} and {high:g} MiB, got {value!r}")
    if not name.startswith("memory") and not low < value <= high:
        raise fields.error(name, f"must be more than {low:g} and at most {high:g} seconds, got {value!r}")
    return value


def _solution_verdict(fields: _Fields) -> Verdict:
    """The verdict a known solution must get; IE is the judge's, never a solution's."""
    name = fields.get("expected", str, "AC")
    try:
        verdict = Verdict(name)
    except ValueError:
        verdict = None
    if verdict is None or verdict is Verdict.IE:
        tags = ", ".join(v.value for v in Verdict if v is not Verdict.IE)
        raise fields.error("expected", f"unknown verdict {name!r}; use one of {tags}")
    return verdict


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def portable_problem(problem: Problem) -> Problem:
    """`problem` with every test's data in memory, so it can travel to another machine or
    into a file in another directory (tests read from `input_file`/`output_file` name paths
    on this one)."""
    if all(t.input_path is None and t.output_path is None for t in problem.tests):
        return problem
    return dataclasses.replace(problem, tests=[_test_in_memory(problem.kind, t) for t in problem.tests])


def _test_in_memory(kind: ProblemKind, test: TestCase) -> TestCase:
    data, expected = test.input, test.output
    if test.input_path is not None:
        text = test.input_path.read_text(encoding="utf-8")
        data = json.loads(text) if kind is ProblemKind.FUNCTION else text
    if test.output_path is not None:
        text = test.output_path.read_text(encoding="utf-8")
        expected = json.loads(text) if kind is ProblemKind.FUNCTION else text
    return dataclasses.replace(test, input=data, output=expected, input_path=None, output_path=None)


def problem_to_json(
    problem: Problem, *, with_solutions: bool = True, base_dir: Path | None = None
) -> dict[str, Any]:
    """One native-format record. A test whose data lives in a file keeps naming that file
    when it lies inside `base_dir` (the directory of the problems file being written), as a
    path relative to it; otherwise its data is written inline, since a problems file may
    name only files inside its own directory."""
    root = base_dir.resolve() if base_dir is not None else None
    tests = []
    for t in problem.tests:
        if not _files_inside(t, root):
            t = _test_in_memory(problem.kind, t)
        rec: dict[str, Any] = {"id": t.id}
        if t.input_path is not None:
            rec["input_file"] = str(t.input_path.relative_to(root))
        else:
            rec["input"] = t.input
        if t.output_path is not None:
            rec["output_file"] = str(t.output_path.relative_to(root))
        else:
            rec["output"] = t.output
        rec["size"] = t.size
        rec["hidden"] = t.hidden
        if t.tier is not None:
            rec["tier"] = t.tier
        tests.append(rec)
    out: dict[str, Any] = {
        "id": problem.id,
        "kind": problem.kind.value,
        "statement": problem.statement,
        "time_limit_s": problem.time_limit_s,
        "memory_mb": problem.memory_mb,
        "checker": problem.checker.to_json(),
    }
    if problem.entry_point:
        out["entry_point"] = problem.entry_point
    if problem.prelude:
        out["prelude"] = problem.prelude
    if problem.time_limits:
        out["time_limits"] = problem.time_limits
    if problem.tiers:
        out["tiers"] = problem.tiers
    for key in ("difficulty", "source", "starter_code", "suffix", "limits_note"):
        value = getattr(problem, key)
        if value is not None:
            out[key] = value
    if problem.metadata:
        out["metadata"] = problem.metadata
    out["tests"] = tests
    if with_solutions and problem.solutions:
        out["solutions"] = [
            {"name": s.name, "language": s.language, "code": s.code, "expected": s.expected.value}
            for s in problem.solutions
        ]
    return out


def _files_inside(test: TestCase, root: Path | None) -> bool:
    paths = [p for p in (test.input_path, test.output_path) if p is not None]
    return not paths or (root is not None and all(p.resolve().is_relative_to(root) for p in paths))


def load_problems(path: str | Path) -> list[Problem]:
    """Load every problem of a native JSONL file; duplicate ids are an error."""
    path = Path(path)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for lineno, obj in iter_jsonl(path):
        problem = problem_from_json(obj, path=path, line=lineno)
        if problem.id in seen:
            raise InputError(
                f"duplicate problem id {problem.id!r} (first on line {seen[problem.id]})",
                path=path,
                line=lineno,
                field="id",
            )
        seen[problem.id] = lineno
        problems.append(problem)
    return problems


def write_jsonl_atomic(path: str | Path, records: Iterable[dict[str, Any]]) -> int:
    """Write records as JSONL to a temporary file, then rename: never a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; the result is an ordinary file
    count = 0
    try:
        with _open_tmp(tmp, path) as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
                fh.write("\n")
                count += 1
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


class _DeterministicGzip(gzip.GzipFile):
    """gzip with no file name and no time in its header: same content, same bytes."""

    def __init__(self, path: str) -> None:
        self._raw = open(path, "wb")  # noqa: SIM115 - closed in close()
        super().__init__(filename="", mode="wb", fileobj=self._raw, mtime=0)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


def _open_tmp(tmp: str, final: Path) -> TextIO:
    if str(final).endswith(".gz"):
        return io.TextIOWrapper(_DeterministicGzip(tmp), encoding="utf-8")
    return open(tmp, "w", encoding="utf-8")


def save_problems(path: str | Path, problems: Iterable[Problem], *, with_solutions: bool = True) -> int:
    base_dir = Path(path).parent
    return write_jsonl_atomic(
        path, (problem_to_json(p, with_solutions=with_solutions, base_dir=base_dir) for p in problems)
    )
