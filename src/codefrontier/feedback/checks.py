"""Static checks of a Python solution: the parser, and a linter (ruff) for undefined
names, unused imports and the like (pyflakes' rules, `F`, and syntax errors, `E9`).

Neither runs the code: the parser is `ast.parse` on the text (bounded in size), ruff
reads the text from its standard input. A check that could not run (ruff not installed,
ruff failing) is `skipped`, with the reason, and never counts as passed: a dialog is kept
only when every check passed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from enum import StrEnum

from codefrontier import pyast

MAX_SOURCE_CHARS = 200_000
LINT_RULES = "F,E9"  # pyflakes (undefined names, unused imports and variables, ...) and syntax errors
LINT_TIMEOUT_S = 30.0


class CheckStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"  # could not run: never counted as passed


@dataclass(frozen=True)
class CheckResult:
    name: str  # parser | linter | tests | own tests
    status: CheckStatus
    output: str = ""  # what the model is shown when it failed; why, when it was skipped

    @property
    def passed(self) -> bool:
        return self.status is CheckStatus.PASSED

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status.value, "output": self.output}


def parse_check(code: str) -> CheckResult:
    """Whether the code parses, and where not (line, column, message, the line itself)."""
    if len(code) > MAX_SOURCE_CHARS:
        return CheckResult(
            "parser", CheckStatus.FAILED, f"the code is longer than {MAX_SOURCE_CHARS} characters"
        )
    try:
        pyast.parse(code, filename="solution.py")
    except SyntaxError as exc:
        where = f"line {exc.lineno}, column {exc.offset}" if exc.lineno else "somewhere"
        shown = f"\n    {exc.text.rstrip()}" if exc.text else ""
        return CheckResult("parser", CheckStatus.FAILED, f"SyntaxError at {where}: {exc.msg}{shown}")
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        return CheckResult("parser", CheckStatus.FAILED, f"{type(exc).__name__}: {exc}")
    return CheckResult("parser", CheckStatus.PASSED)


def find_ruff() -> str | None:
    """The ruff executable: the one the `ruff` package installed, else one on PATH."""
    try:
        from ruff.__main__ import find_ruff_bin

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("ruff")


def lint_check(code: str, ruff: str | None = None) -> CheckResult:
    """ruff's findings on the code, one per line (`line:column: CODE message`)."""
    exe = ruff if ruff is not None else find_ruff()
    if exe is None or shutil.which(exe) is None:
        return CheckResult(
            "linter", CheckStatus.SKIPPED, "ruff is not installed (pip install 'codefrontier[feedback]')"
        )
    argv = [exe, "check", "--no-cache", "--isolated", "--select", LINT_RULES]
    argv += ["--output-format", "json", "--stdin-filename", "solution.py", "-"]
    try:
        done = subprocess.run(argv, input=code, capture_output=True, text=True, timeout=LINT_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return CheckResult("linter", CheckStatus.SKIPPED, f"ruff could not run: {exc}")
    if done.returncode not in (0, 1):
        return CheckResult("linter", CheckStatus.SKIPPED, f"ruff failed: {done.stderr.strip()[:500]}")
    try:
        findings = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        return CheckResult("linter", CheckStatus.SKIPPED, f"ruff's output is not JSON: {done.stdout[:200]!r}")
    if not findings:
        return CheckResult("linter", CheckStatus.PASSED)
    lines = [
        f"{f['location']['row']}:{f['location']['column']}: {f.get('code') or 'E999'} {f['message']}"
        for f in findings
    ]
    return CheckResult("linter", CheckStatus.FAILED, "\n".join(lines))
