"""The bundled task set: eight small command-line programs whose C sources ship with
codefrontier (each task's `reference/<name>.c`), built with the machine's C compiler on first use, each with a
fuzzed and validated suite checked in under `tasks/` (rebuild them with
`python -m codefrontier.programs.bundled.build`)."""

from __future__ import annotations

from pathlib import Path

from codefrontier.errors import CodefrontierError

TASKS = Path(__file__).parent / "tasks"

# name -> (task id, what the documentation says the program is for)
CATALOG = {
    "wc": ("codefrontier__cfwc.0001", "count lines, words, bytes and characters of files"),
    "cut": ("codefrontier__cfcut.0001", "print selected fields or character positions of each line"),
    "uniq": ("codefrontier__cfuniq.0001", "collapse or report adjacent repeated lines"),
    "tr": ("codefrontier__cftr.0001", "translate, squeeze or delete characters"),
    "base64": ("codefrontier__cfb64.0001", "encode and decode base64"),
    "nl": ("codefrontier__cfnl.0001", "number the lines of files"),
    "fold": ("codefrontier__cffold.0001", "wrap long lines to a width"),
    "calc": ("codefrontier__cfcalc.0001", "evaluate arithmetic expressions with variables, one per line"),
}


def source_of(name: str) -> Path:
    return TASKS / CATALOG[name][0] / "reference" / f"{name}.c"


def build_reference(source: Path) -> Path:
    """The executable built from a bundled C source (cached by the source's digest)."""
    from codefrontier.native import BuildError, build

    try:
        return build(source, f"programs-{source.stem}", [["-O2"]])
    except BuildError as exc:
        raise CodefrontierError(str(exc)) from None
