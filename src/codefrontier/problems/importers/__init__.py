"""Importers: real datasets in their published formats -> native `Problem`s.

    from codefrontier.problems.importers import import_dataset
    result = import_dataset("livecodebench", "test5.jsonl", on_error="skip")
    result.problems, result.skipped

Each format lives in its own module and is registered in `IMPORTERS`. A record that
cannot be converted faithfully is never converted approximately: with
`on_error="stop"` (the default) the run raises InputError naming the file, line or
row, dataset id and field; with `on_error="skip"` it is left out and listed in
`skipped`. docs/importers.md documents every format's mapping and conventions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from codefrontier.contracts import Problem
from codefrontier.errors import ConfigError, InputError
from codefrontier.problems.importers import apps, codecontests, livecodebench, mbpp
from codefrontier.problems.importers._common import DatasetFormat, Record, RecordError, where
from codefrontier.problems.importers._read import data_files, iter_raw_records

__all__ = [
    "IMPORTERS",
    "DatasetFormat",
    "ImportResult",
    "ImportRun",
    "OnError",
    "import_dataset",
    "iter_import",
]

OnError = Literal["stop", "skip"]

IMPORTERS: dict[str, DatasetFormat] = {
    f.name: f
    for f in (
        livecodebench.FORMAT,
        codecontests.FORMAT,
        apps.APPS_FORMAT,
        apps.TACO_FORMAT,
        mbpp.FORMAT,
    )
}


@dataclass
class ImportResult:
    """What an import produced: the problems, and each skipped record as (where, reason)."""

    problems: list[Problem]
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def num_tests(self) -> int:
        return sum(len(p.tests) for p in self.problems)


def get_format(name: str) -> DatasetFormat:
    try:
        return IMPORTERS[name]
    except KeyError:
        raise ConfigError(f"unknown dataset format {name!r}; use one of {', '.join(IMPORTERS)}") from None


# Formats read elsewhere, recognised only to say so when one is given to an importer.
OTHER_SIGNATURES = {
    "a HumanEval record (HumanEval is read by its own loader, not an importer)": frozenset(
        {"task_id", "prompt", "canonical_solution", "test", "entry_point"}
    ),
    "a codefrontier native record (load it with problems.io.load_problems)": frozenset(
        {"id", "kind", "tests"}
    ),
}


def looks_like(data: dict[str, object]) -> list[str]:
    """What the record looks like: "a 'name' record" for each importer format whose
    signature fields it has, and the descriptions of known non-importer formats."""
    names = [f"a {f.name!r} record" for f in IMPORTERS.values() if f.signature <= data.keys()]
    return names + [text for text, sig in OTHER_SIGNATURES.items() if sig <= data.keys()]


class ImportRun:
    """A streaming import: iterate it for problems; `converted`, `tests` and `skipped`
    count as it goes. Reads one record at a time, so a dataset of any size converts in
    the memory of its largest record (or Parquet batch)."""

    def __init__(
        self,
        fmt: str | DatasetFormat,
        path: str | Path,
        *,
        on_error: OnError = "stop",
        limit: int | None = None,
    ) -> None:
        if on_error not in ("stop", "skip"):
            raise ConfigError(f"on_error must be 'stop' or 'skip', got {on_error!r}")
        if limit is not None and limit < 1:
            raise ConfigError(f"limit must be at least 1, got {limit}")
        self.format = fmt if isinstance(fmt, DatasetFormat) else get_format(fmt)
        self.path = Path(path)
        self.on_error = on_error
        self.limit = limit
        self.skipped: list[tuple[str, str]] = []
        self.converted = 0
        self.tests = 0
        self._first_error: InputError | None = None

    def __iter__(self) -> Iterator[Problem]:
        self.skipped, self.converted, self.tests, self._first_error = [], 0, 0, None
        seen: dict[str, str] = {}
        ordinal = 0
        for path in data_files(self.path):
            records = iter_raw_records(path)
            while True:
                try:
                    raw = next(records)
                except StopIteration:
                    break
                except InputError as exc:  # the rest of this file cannot be read
                    self._fail(where(path, exc.line, None, None), exc.message, exc)
                    break
                record = Record(raw.data or {}, raw.path, raw.line, raw.row, ordinal)
                ordinal += 1
                problem = self._convert(record, raw.error, seen)
                if problem is None:
                    continue
                self.converted += 1
                self.tests += len(problem.tests)
                yield problem
                if self.limit is not None and self.converted >= self.limit:
                    return
        if self.converted == 0:
            first = self._first_error
            raise InputError(
                f"no record could be converted as {self.format.title}"
                + (f"; first error: {first}" if first is not None else ""),
                path=self.path,
            )

    def _convert(self, record: Record, read_error: str | None, seen: dict[str, str]) -> Problem | None:
        fmt = self.format
        if read_error is not None:
            self._fail(record.where(), read_error, record.error(read_error))
            return None
        rid = fmt.record_id(record)
        missing = fmt.signature - record.data.keys()
        if missing:
            others = [text for text in looks_like(record.data) if text != f"a {fmt.name!r} record"]
            hint = f"; it looks like {others[0]}" if others else ""
            message = f"not a {fmt.title} record: missing field(s) {', '.join(sorted(missing))}{hint}"
            exc = record.error(message, None, rid)
            if others and record.ordinal == 0:
                raise exc  # the whole file is of another format: no point skipping record by record
            self._fail(record.where(rid), message, exc)
            return None
        try:
            problem = fmt.convert(record)
        except RecordError as err:
            reason = (f"field '{err.field}': " if err.field else "") + err.message
            self._fail(record.where(rid), reason, record.error(err.message, err.field, rid))
            return None
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as err:
            # A layout no converter rule anticipated: still a bad record, named, never a traceback.
            message = f"unexpected record layout ({type(err).__name__}: {err})"
            self._fail(record.where(rid), message, record.error(message, None, rid))
            return None
        if problem.id in seen:
            message = f"duplicate problem id (first at {seen[problem.id]})"
            self._fail(record.where(problem.id), message, record.error(message, None, problem.id))
            return None
        seen[problem.id] = record.where()
        return problem

    def _fail(self, where_text: str, reason: str, exc: InputError) -> None:
        """Stop with `exc`, or (on_error="skip") record (where, reason) and go on."""
        if self.on_error == "stop":
            raise exc
        if self._first_error is None:
            self._first_error = exc
        self.skipped.append((where_text, reason))


def iter_import(
    fmt: str, path: str | Path, *, on_error: OnError = "stop", limit: int | None = None
) -> ImportRun:
    """A streaming import (see ImportRun); iterate it for problems."""
    return ImportRun(fmt, path, on_error=on_error, limit=limit)


def import_dataset(
    fmt: str, path: str | Path, on_error: OnError = "stop", *, limit: int | None = None
) -> ImportResult:
    """Convert a dataset file (or a directory of its shards) to native problems."""
    run = ImportRun(fmt, path, on_error=on_error, limit=limit)
    problems = list(run)
    return ImportResult(problems=problems, skipped=run.skipped)
