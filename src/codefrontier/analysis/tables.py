"""The report's tables: one frozen dataclass per table row, and `Table`, which
writes the CSV and the page's HTML table from the row type's fields.

A row type declares each column once, as a field. The field's name is the CSV
column; `column(...)` metadata says how the page shows it:

- `title`: the page's header for this column (a field without one is CSV only);
- `show`: the value as page text (default `str`, with None as empty);
- `cell`: the page text from the whole row, for a cell built from several fields
  (an interval from its low and high ends);
- `csv`: the value as the CSV writes it (a split `{policy: k}` as `policy=k;...`);
- `expand`: a mapping field spreads into one column per key, named
  `expand.format(key=key)`, in the order of `keys` (fixed by the row type) or of
  the table's `keys[field]` (chosen by the analysis, like the report's k values).

The CSV format is fixed (docs/report.md): one header line, `\\n` line ends,
floats with 10 significant digits, NaN and None as empty fields, booleans as
true/false, so the same rows always give the same bytes.
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np

R = TypeVar("R")

# ------------------------------------------------------------------ formatting


def pct(value: float | None) -> str:
    """A fraction as a percentage with one decimal; `n/e` for NaN or None."""
    return "n/e" if value is None or math.isnan(value) else f"{100 * value:.1f}%"


def pp(value: float) -> str:
    """A difference of fractions in signed percentage points; `n/e` for NaN."""
    return "n/e" if math.isnan(value) else f"{100 * value:+.1f} pp"


def ci(low: float, high: float, fmt: Callable[[float], str] = pct) -> str:
    """An interval `[low, high]`, empty when it was not estimable."""
    return "" if math.isnan(low) else f"[{fmt(low)}, {fmt(high)}]"


def fmt_split(split: Mapping[str, int]) -> str:
    """A split of a sample budget as `policy=k;policy=k` (zero k omitted)."""
    return ";".join(f"{p}={k}" for p, k in split.items())


def column(
    *,
    title: str | None = None,
    show: Callable[[Any], str] | None = None,
    cell: Callable[[Any], str] | None = None,
    csv: Callable[[Any], Any] | None = None,
    expand: str | None = None,
    keys: Sequence[Any] | None = None,
) -> Any:
    """A row field with the metadata the module docstring describes."""
    meta = dict(title=title, show=show, cell=cell, csv=csv, expand=expand, keys=keys)
    return field(metadata={k: v for k, v in meta.items() if v is not None})


def csv_field(value: Any) -> str:
    """One CSV field in the report's fixed format."""
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        return "" if math.isnan(value) else format(float(value), ".10g")
    text = str(value)
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


@dataclass(frozen=True)
class _Column:
    name: str  # the CSV header
    field: str  # the row field it comes from
    key: Any = None  # for an expanded field: the mapping key


@dataclass(frozen=True)
class Table(Generic[R]):
    """A named table of rows of one frozen dataclass: written as `<name>.csv` and
    shown in the report. `keys[f]` gives the keys of an expanded field `f` whose
    keys are not fixed by the row type."""

    name: str
    row_type: type[R]
    rows: list[R]
    keys: Mapping[str, Sequence[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not dataclasses.is_dataclass(self.row_type):
            raise TypeError(f"table {self.name!r}: row type {self.row_type!r} is not a dataclass")
        for row in self.rows:
            if type(row) is not self.row_type:
                raise TypeError(f"table {self.name!r}: row {row!r} is not a {self.row_type.__name__}")

    def _columns(self) -> Iterator[_Column]:
        for f in dataclasses.fields(self.row_type):  # type: ignore[arg-type]
            pattern = f.metadata.get("expand")
            if pattern is None:
                yield _Column(f.name, f.name)
                continue
            keys = f.metadata.get("keys") or self.keys.get(f.name)
            if keys is None:
                raise KeyError(f"table {self.name!r}: no keys for the expanded field {f.name!r}")
            for key in keys:
                yield _Column(pattern.format(key=key), f.name, key)

    @property
    def columns(self) -> tuple[str, ...]:
        """The CSV header, from the row type's fields."""
        return tuple(c.name for c in self._columns())

    def _value(self, row: R, col: _Column, *, for_csv: bool = False) -> Any:
        value = getattr(row, col.field)
        if col.key is not None:
            return value[col.key]
        if for_csv:
            to_csv = self.row_type.__dataclass_fields__[col.field].metadata.get("csv")  # type: ignore[attr-defined]
            if to_csv is not None:
                return to_csv(value)
        return value

    def column(self, name: str) -> list[Any]:
        """The values of one CSV column, row by row (before CSV formatting)."""
        col = next((c for c in self._columns() if c.name == name), None)
        if col is None:
            raise KeyError(f"table {self.name!r} has no column {name!r}")
        return [self._value(row, col) for row in self.rows]

    def to_csv(self) -> str:
        """The table in the report's CSV format (module docstring)."""
        cols = list(self._columns())
        lines = [",".join(c.name for c in cols)]
        lines += [",".join(csv_field(self._value(row, c, for_csv=True)) for c in cols) for row in self.rows]
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """The page's table: the fields with a `title`, in field order; an expanded
        field shows only its keys that are non-zero in some row. Numbers are
        right-aligned."""
        heads: list[str] = []
        getters: list[Callable[[R], tuple[str, bool]]] = []
        for f in dataclasses.fields(self.row_type):  # type: ignore[arg-type]
            meta = f.metadata
            if "expand" in meta:
                keys = meta.get("keys") or self.keys.get(f.name, ())
                for key in keys:
                    if any(getattr(r, f.name)[key] for r in self.rows):
                        heads.append(meta.get("title", "{key}").format(key=key))
                        getters.append(lambda r, n=f.name, k=key: (str(getattr(r, n)[k]), True))
                continue
            if "title" not in meta:
                continue
            heads.append(meta["title"])
            getters.append(lambda r, n=f.name, m=meta: _html_cell(r, n, m))
        head = "".join(f"<th>{html.escape(h)}</th>" for h in heads)
        body = []
        for row in self.rows:
            cells = []
            for get in getters:
                text, numeric = get(row)
                klass = ' class="num"' if numeric else ""
                cells.append(f"<td{klass}>{html.escape(text)}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _html_cell(row: Any, name: str, meta: Mapping[str, Any]) -> tuple[str, bool]:
    value = getattr(row, name)
    if "cell" in meta:
        text = meta["cell"](row)
    elif "show" in meta:
        text = meta["show"](value)
    else:
        text = "" if value is None else str(value)
    return text, _is_number(value)
