"""The fill-in-the-middle training transform: its parts always make the document again,
its orders come at their probabilities, and it is the same through `datasets` and the
command."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codefrontier.cli import main
from codefrontier.errors import ConfigError
from codefrontier.sampling.fim import FimSettings, FimTransform, draw, render, rng_for
from codefrontier.sampling.infilling import FORMATS, InfillOrder

# documents that hold no sentinel of either format, so the text can be split back on them
plain_text = st.text(alphabet=st.characters(blacklist_characters="<>"), max_size=300)


@given(document=st.text(max_size=400), seed=st.integers(0, 2**32), index=st.integers(0, 10**6))
def test_the_three_parts_always_concatenate_back_to_the_document(document, seed, index):
    drawn = draw(document, rng_for(seed, index), FimSettings(rate=0.9))
    assert drawn.prefix + drawn.middle + drawn.suffix == document


def _parse(text: str, fmt_name: str) -> tuple[str, str, str, InfillOrder]:
    fmt = FORMATS[fmt_name]
    s = fmt.space
    assert text.startswith(fmt.prefix) and text.endswith(fmt.end)
    body = text[len(fmt.prefix) : -len(fmt.end)]
    if body.startswith(s + fmt.suffix):  # SPM
        suffix, rest = body[len(s + fmt.suffix) :].split(s + fmt.middle + s, 1)
        return rest, "", suffix, InfillOrder.SPM  # prefix and middle side by side
    prefix, rest = body[len(s) :].split(s + fmt.suffix, 1)
    suffix, middle = rest.split(s + fmt.middle, 1)
    return prefix, middle, suffix, InfillOrder.PSM


@given(document=plain_text, seed=st.integers(0, 2**32), fmt=st.sampled_from(sorted(FORMATS)))
@settings(max_examples=200)
def test_the_training_text_holds_the_parts_in_their_order(document, seed, fmt):
    fim = FimSettings(seed=seed, rate=1.0, format=fmt)
    drawn = draw(document, rng_for(seed, 0), fim)
    prefix, middle, suffix, order = _parse(render(drawn, fim), fmt)
    assert suffix == drawn.suffix
    if drawn.prefix or FORMATS[fmt].space:  # without spaces, an empty prefix reads the same in both
        assert order is drawn.order
    if order is InfillOrder.PSM:
        assert (prefix, middle) == (drawn.prefix, drawn.middle)
    else:
        assert prefix == drawn.prefix + drawn.middle


def _within(observed: int, n: int, p: float, sigmas: float = 4.5) -> bool:
    return abs(observed - n * p) <= sigmas * math.sqrt(n * p * (1 - p))


@pytest.mark.parametrize("rate,spm_rate", [(0.9, 0.5), (0.5, 0.2)])
def test_orders_and_untransformed_documents_come_at_their_probabilities(rate, spm_rate):
    fim = FimSettings(seed=7, rate=rate, spm_rate=spm_rate)
    n = 20_000
    counts = Counter(draw("x" * 50, rng_for(7, i), fim).order for i in range(n))
    assert _within(counts[None], n, 1 - rate)
    assert _within(counts[InfillOrder.PSM], n, rate * (1 - spm_rate))
    assert _within(counts[InfillOrder.SPM], n, rate * spm_rate)


def test_split_points_are_uniform_over_the_document():
    fim = FimSettings(rate=1.0)
    n, length = 20_000, 99
    cuts = [draw("y" * length, rng_for(3, i), fim) for i in range(n)]
    # the smaller of two uniform points has mean 1/3, the larger 2/3 (of the length)
    low = sum(len(c.prefix) for c in cuts) / n / length
    high = sum(len(c.prefix) + len(c.middle) for c in cuts) / n / length
    assert abs(low - 1 / 3) < 0.01 and abs(high - 2 / 3) < 0.01
    assert any(c.middle == "" for c in cuts) and any(c.prefix == "" for c in cuts)


def test_a_datasets_map_gives_what_the_command_writes(tmp_path: Path):
    from datasets import Dataset

    rng = random.Random(0)
    docs = ["".join(rng.choice("abc \n") for _ in range(rng.randint(0, 60))) for _ in range(40)]
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": d}) + "\n" for i, d in enumerate(docs)))
    out = tmp_path / "fim.jsonl"
    assert main(["fim", "transform", str(source), "--out", str(out), "--seed", "11"]) == 0
    written = [json.loads(line) for line in out.read_text().splitlines()]
    mapped = Dataset.from_list([{"id": i, "text": d} for i, d in enumerate(docs)]).map(
        FimTransform(FimSettings(seed=11)), with_indices=True
    )
    assert [r["text"] for r in written] == mapped["text"]
    assert [r["fim_order"] for r in written] == mapped["fim_order"]
    assert [r["id"] for r in written] == list(range(40))
    assert {r["fim_order"] for r in written} == {"psm", "spm", None}

    again = tmp_path / "again.jsonl"
    assert main(["fim", "transform", str(source), "--out", str(again), "--seed", "11"]) == 0
    assert again.read_bytes() == out.read_bytes()
    other = tmp_path / "other.jsonl"
    assert main(["fim", "transform", str(source), "--out", str(other), "--seed", "12"]) == 0
    assert other.read_bytes() != out.read_bytes()


def test_a_record_without_the_document_field_names_its_line_and_writes_nothing(tmp_path, capsys):
    source = tmp_path / "docs.jsonl"
    source.write_text('{"text": "a"}\n{"content": "b"}\n')
    out = tmp_path / "fim.jsonl"
    assert main(["fim", "transform", str(source), "--out", str(out)]) == 2
    assert "docs.jsonl:2: field 'text'" in capsys.readouterr().err
    assert not out.exists() and list(tmp_path.iterdir()) == [source]


def test_a_rate_outside_zero_to_one_is_refused():
    with pytest.raises(ConfigError, match="rate"):
        FimSettings(rate=1.5)
