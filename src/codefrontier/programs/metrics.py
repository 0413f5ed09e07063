"""Structure metrics of a submission: lines of code, files, functions, mean function length.

Source files are recognized by extension (C, C++, Go, Rust, Python, shell, Java, Haskell)
plus `compile.sh`; lines of code are the non-blank lines that are not only a comment.
Functions are found per language family: brace languages by a definition line that opens
a body (the function's length runs to the matching brace), Python by `def` (its length
runs to the next line indented no deeper), shell by `name() {`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from codefrontier.programs.files import read_archive

BRACE = {".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".go", ".rs", ".java", ".js", ".ts"}
EXTENSIONS = BRACE | {".py", ".sh", ".hs"}
_COMMENT = {".py": "#", ".sh": "#", ".hs": "--"}
_BRACE_DEF = re.compile(
    r"^\s*(?:(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?fn\s+\w+|func\s+(?:\([^)]*\)\s*)?\w+|"
    r"(?:[\w:<>,\*&\[\]]+\s+)+\**[\w:~]+)\s*(?:<[^>]*>)?\s*\([^;]*$"
)
_CONTROL = re.compile(r"^\s*(?:if|for|while|switch|else|do|return|catch|match|loop)\b")
_PY_DEF = re.compile(r"^(\s*)(?:async\s+)?def\s+\w+")
_SH_DEF = re.compile(r"^\s*(?:function\s+)?[\w-]+\s*\(\)\s*\{?")


@dataclass(frozen=True)
class StructureMetrics:
    files: int
    lines_of_code: int
    functions: int
    mean_function_length: float

    def to_json(self) -> dict[str, float | int]:
        return asdict(self)


def structure_metrics(submission: str | Path) -> StructureMetrics:
    """Metrics of a submission folder or archive."""
    files = loc = 0
    lengths: list[int] = []
    for name, kind, data, _mode in read_archive(Path(submission)):
        suffix = Path(name).suffix.lower()
        if (
            kind != "file"
            or not isinstance(data, bytes)
            or (suffix not in EXTENSIONS and Path(name).name != "compile.sh")
        ):
            continue
        text = data.decode(errors="replace")
        files += 1
        loc += _lines_of_code(text, suffix or ".sh")
        lengths += _function_lengths(text, suffix or ".sh")
    mean = round(sum(lengths) / len(lengths), 2) if lengths else 0.0
    return StructureMetrics(files, loc, len(lengths), mean)


def _lines_of_code(text: str, suffix: str) -> int:
    marker = _COMMENT.get(suffix, "//")
    count = 0
    in_block = False
    for line in text.splitlines():
        s = line.strip()
        if marker == "//":
            if in_block:
                if "*/" in s:
                    in_block, s = False, s.split("*/", 1)[1].strip()
                else:
                    continue
            if s.startswith("/*"):
                in_block = "*/" not in s
                s = s.split("*/", 1)[1].strip() if "*/" in s else ""
        if s and not s.startswith(marker):
            count += 1
    return count


def _function_lengths(text: str, suffix: str) -> list[int]:
    lines = text.splitlines()
    if suffix == ".py":
        return _python_lengths(lines)
    if suffix in BRACE or suffix == ".sh":
        pattern = _SH_DEF if suffix == ".sh" else _BRACE_DEF
        return _brace_lengths(lines, pattern)
    return []


def _brace_lengths(lines: list[str], pattern: re.Pattern[str]) -> list[int]:
    lengths = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if pattern.match(line) and not _CONTROL.match(line) and not line.rstrip().endswith(";"):
            # the body opens on this line or within the next two (K&R or Allman style)
            opener = next((j for j in range(i, min(i + 3, len(lines))) if "{" in lines[j]), None)
            if opener is not None and not any(lines[k].rstrip().endswith(";") for k in range(i, opener)):
                depth, j = 0, opener
                while j < len(lines):
                    depth += lines[j].count("{") - lines[j].count("}")
                    if depth <= 0:
                        break
                    j += 1
                lengths.append(j - i + 1)
                i = j + 1
                continue
        i += 1
    return lengths


def _python_lengths(lines: list[str]) -> list[int]:
    lengths = []
    for i, line in enumerate(lines):
        m = _PY_DEF.match(line)
        if not m:
            continue
        indent = len(m.group(1))
        end = i
        for j in range(i + 1, len(lines)):
            if lines[j].strip() and len(lines[j]) - len(lines[j].lstrip()) <= indent:
                break
            if lines[j].strip():
                end = j
        lengths.append(end - i + 1)
    return lengths
