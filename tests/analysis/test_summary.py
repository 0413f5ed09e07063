"""`codefrontier summary` and `summary_text`."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_stores import StoreBuilder, Synthetic

from codefrontier.analysis.summary import summary_text
from codefrontier.cli import main
from codefrontier.errors import ConfigError


def lines_for(text: str, first_cell: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines() if line.split()[:1] == [first_cell]]


@pytest.fixture
def small_store(tmp_path: Path) -> Path:
    builder = StoreBuilder()
    for verdicts in (["AC", "AC"], ["AC", "WA"], ["TLE", "TLE"], ["AC", "IE"]):
        builder.add("p1", "base", verdicts, meta={"alpha": 0.0})
    for verdicts in (["AC", "AC"], ["AC", "AC"]):
        builder.add("p2", "base", verdicts, meta={"alpha": 0.0})
    builder.add("p1", "tuned", ["WA", "AC"], meta={"alpha": 1.0})
    builder.add("p2", "tuned", ["AC", "AC"], meta={"alpha": 1.0})
    return builder.write(tmp_path / "store")


def test_summary_shows_rates_pass_at_k_and_verdicts_per_policy(small_store: Path) -> None:
    text = summary_text([small_store], k=[1, 2])
    header = next(line.split() for line in text.splitlines() if "policy" in line)
    assert header[-4:] == ["AC", "WA", "TLE", "IE"]  # only the verdicts that occur
    base = lines_for(text, "base")[0]
    # problems, samples, IE, IE share, solved, correctness, optimization, pass@1, pass@2, AC, WA, TLE, IE
    assert base[1:4] == ["2", "5", "1"]
    assert base[5:8] == ["66.7%", "16.7%", "16.7%"]  # p1: 1/3 each; p2: all solved
    assert base[8] == "66.7%"
    assert base[10:] == ["3", "1", "1", "1"]
    assert "(1 IE excluded)" in text


def test_k_larger_than_n_is_reported_as_not_estimable(small_store: Path) -> None:
    text = summary_text([small_store], k=[3])
    assert lines_for(text, "base")[0][8:10] == ["n/e", "(1)"]  # p2 has only 2 judged samples
    assert lines_for(text, "tuned")[0][8:10] == ["n/e", "(2)"]


def test_summary_by_problem_has_a_row_per_problem_and_policy(small_store: Path) -> None:
    text = summary_text([small_store], by="problem")
    assert lines_for(text, "p1")[0][:2] == ["p1", "base"]
    assert lines_for(text, "p2")[0][:2] == ["p2", "base"]
    assert len(lines_for(text, "tuned")) == 2


def test_summary_by_bucket_groups_problems(small_store: Path) -> None:
    text = summary_text([small_store], by="bucket", buckets=2)
    assert lines_for(text, "hard")[0][:2] == ["hard", "base"]
    assert lines_for(text, "easy")[0][:2] == ["easy", "base"]


def test_bad_summary_options_are_config_errors(small_store: Path) -> None:
    with pytest.raises(ConfigError):
        summary_text([small_store], k=[0])
    with pytest.raises(ConfigError):
        summary_text([small_store], by="checkpoint")  # type: ignore[arg-type]


def test_summary_command_prints_the_table(synthetic: Synthetic, capsys) -> None:
    assert main(["summary", str(synthetic.path), "--k", "1", "10", "--by", "policy"]) == 0
    out = capsys.readouterr().out
    assert "pass@10" in out
    for policy in synthetic.policies:
        assert lines_for(out, policy), policy


def test_policy_and_problem_names_are_printed_as_text_not_markup(tmp_path: Path) -> None:
    # Brackets are common in names (a run tag, a checkpoint step); as Rich markup, "[/x]"
    # ended the command with a MarkupError and "[v2]" vanished from the table.
    builder = StoreBuilder()
    builder.add("p[/x]1", "model[/x]", ["AC", "AC"], meta={"alpha": 0.0})
    builder.add("p[/x]1", "model[v2]", ["WA", "AC"], meta={"alpha": 1.0})
    store = builder.write(tmp_path / "store")
    text = summary_text([store], by="problem")
    assert "model[/x]" in text and "model[v2]" in text and "p[/x]1" in text
