"""Tables are rows of frozen dataclasses: the CSV header and the page's table come
from the row type's fields, and docs/report.md documents every column."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from analysis_stores import Synthetic

from codefrontier.analysis.analyze import analyze
from codefrontier.analysis.tables import Table, column, pct
from codefrontier.store.queries import VERDICTS, load_outcomes

DOCS = Path(__file__).resolve().parents[2] / "docs" / "report.md"


@dataclass(frozen=True)
class Row:
    name: str = column(title="name")
    rate: float = column(title="rate", show=pct)
    low: float = column(title="interval", cell=lambda r: f"{r.low}..{r.high}")
    high: float = column()
    hidden: str = column()
    counts: dict[str, int] = column(expand="n_{key}", keys=("a", "b"))


def test_csv_header_and_values_come_from_the_fields() -> None:
    table = Table("t", Row, [Row("x", 0.5, 0.1, 0.9, "h,1", {"a": 1, "b": 0})])
    assert table.columns == ("name", "rate", "low", "high", "hidden", "n_a", "n_b")
    assert table.to_csv() == 'name,rate,low,high,hidden,n_a,n_b\nx,0.5,0.1,0.9,"h,1",1,0\n'
    assert table.column("n_a") == [1]


def test_html_table_shows_the_titled_fields_and_non_zero_expanded_keys() -> None:
    page = Table("t", Row, [Row("x", 0.5, 0.1, 0.9, "secret", {"a": 1, "b": 0})]).to_html()
    heads = re.findall(r"<th>(.*?)</th>", page)
    assert heads == ["name", "rate", "interval", "a"]
    assert re.findall(r"<td[^>]*>(.*?)</td>", page) == ["x", "50.0%", "0.1..0.9", "1"]
    assert "secret" not in page


def test_a_row_of_another_type_is_refused() -> None:
    @dataclass(frozen=True)
    class Other:
        name: str

    with pytest.raises(TypeError, match="not a Row"):
        Table("t", Row, [Other("x")])  # type: ignore[list-item]


def test_every_report_table_is_rows_of_one_frozen_dataclass(synthetic: Synthetic) -> None:
    analysis = analyze(load_outcomes([synthetic.path]))
    for table in analysis.tables.values():
        assert dataclasses.is_dataclass(table.row_type) and table.row_type.__dataclass_params__.frozen
        assert all(type(row) is table.row_type for row in table.rows), table.name
        assert table.to_csv().splitlines()[0] == ",".join(table.columns)


def _doc_section(text: str, name: str) -> str:
    start = text.index(f"### {name}.csv")
    end = text.find("\n### ", start + 1)
    return text[start:end]


def test_docs_describe_every_csv_column(synthetic: Synthetic) -> None:
    docs = DOCS.read_text()
    analysis = analyze(load_outcomes([synthetic.path]))
    for table in analysis.tables.values():
        section = _doc_section(docs, table.name)
        for name in table.columns:
            if table.name == "problems" and name.startswith("pass_at_"):
                name = "pass_at_<k>"
            if table.name == "tests_by_tier" and name in VERDICTS:
                continue  # "one count column per verdict"
            assert f"`{name}`" in section, (table.name, name)
