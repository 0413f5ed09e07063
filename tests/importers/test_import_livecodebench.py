"""LiveCodeBench importer: stdin and functional problems, both private-test encodings,
the refusal of pickle payloads that are anything but a string."""

from __future__ import annotations

import base64
import json
import pickle
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from importer_helpers import FIXTURES, problems_by_id, read_records, write_records

from codefrontier.contracts import CheckerKind, ProblemKind
from codefrontier.errors import InputError
from codefrontier.problems.importers import import_dataset, livecodebench
from codefrontier.problems.importers._common import RecordError
from codefrontier.problems.io import load_problems, save_problems

LCB = FIXTURES / "livecodebench.jsonl"


def _by_id(path: Path = LCB) -> dict:
    return problems_by_id("livecodebench", path)


def test_stdin_problem_keeps_public_tests_public_and_private_tests_hidden() -> None:
    p = _by_id()["abc900_a"]
    assert p.kind is ProblemKind.STDIO
    assert p.entry_point is None
    assert [(t.id, t.hidden) for t in p.tests] == [
        ("public-0", False),
        ("private-0", True),
        ("private-1", True),
        ("private-2", True),
    ]
    assert p.tests[0].input == "4\n1 2 3 4\n" and p.tests[0].output == "6\n"
    assert p.tests[0].size == len(b"4\n1 2 3 4\n")
    assert p.statement.startswith("You are given N integers")
    assert p.difficulty == "easy" and p.source == "livecodebench"
    assert p.metadata["platform"] == "atcoder" and p.metadata["contest_date"] == "2024-03-02T00:00:00"
    assert p.time_limit_s == 6.0 and p.memory_mb == 1024 and "6 s" in p.limits_note
    assert p.prelude == livecodebench.LCB_PRELUDE


def test_functional_problem_calls_solution_method_with_one_argument_per_json_line() -> None:
    p = _by_id()["3901"]
    assert p.kind is ProblemKind.FUNCTION
    assert p.entry_point == "Solution.countPairs"
    assert p.starter_code.startswith("class Solution:")
    public = p.tests[0]
    assert (public.id, public.hidden, public.input, public.output) == (
        "public-0",
        False,
        [[1, 5, 3, 2], 6],
        3,
    )
    assert public.size == len("[[1,5,3,2],6]")
    assert p.prelude.startswith("from string import *\n") and p.prelude.endswith(
        "sys.setrecursionlimit(50000)\n"
    )
    assert p.metadata["lcb_metadata"] == {"func_name": "countPairs"}


def test_compressed_private_tests_decode_to_hidden_tests() -> None:
    p = _by_id()["3902"]
    hidden = [t for t in p.tests if t.hidden]
    assert len(hidden) == 3
    assert all(isinstance(t.input, list) and len(t.input) == 1 for t in hidden)
    assert all(t.output == [max(t.input[0][: i + 1]) for i in range(len(t.input[0]))] for t in hidden)
    raw = next(r for r in read_records(LCB) if r["question_id"] == "3902")["private_test_cases"]
    assert not raw.lstrip().startswith("[")  # the fixture really uses the compressed encoding


def test_decimal_outputs_get_the_float_checker_and_integer_outputs_tokens() -> None:
    problems = _by_id()
    assert problems["abc900_b"].checker.kind is CheckerKind.FLOAT
    assert problems["abc900_b"].checker.abs_tol == 1e-6
    assert problems["abc900_a"].checker.kind is CheckerKind.TOKENS


def test_native_jsonl_round_trip_is_lossless(tmp_path: Path) -> None:
    problems = import_dataset("livecodebench", LCB).problems
    out = tmp_path / "lcb-native.jsonl"
    assert save_problems(out, problems) == 4
    assert load_problems(out) == problems


def test_hf_parquet_layout_converts_like_jsonl(tmp_path: Path) -> None:
    table = pa.Table.from_pylist(read_records(LCB))  # every column is a string, as on the Hub
    assert all(pa.types.is_string(f.type) for f in table.schema)
    pq.write_table(table, tmp_path / "test.parquet")
    assert (
        import_dataset("livecodebench", tmp_path / "test.parquet").problems
        == import_dataset("livecodebench", LCB).problems
    )


class _WritesMarker:
    """A pickle that runs code when unpickled normally: it calls exec to create a file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({str(self.marker)!r}, 'w').write('pwned')",))


def _compressed(obj: object) -> str:
    return base64.b64encode(zlib.compress(pickle.dumps(obj))).decode()


def test_malicious_pickle_payload_is_refused_and_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    payload = _compressed(_WritesMarker(marker))
    records = read_records(LCB)
    records[1]["private_test_cases"] = payload
    path = write_records(tmp_path / "evil.jsonl", records)

    with pytest.raises(InputError) as info:
        import_dataset("livecodebench", path)
    err = info.value
    assert (err.path, err.line, err.field) == (str(path), 2, "private_test_cases")
    assert "'3901'" in str(err) and "refused to load global builtins.exec" in str(err)
    assert not marker.exists()

    # Skipping it converts the others, and still runs nothing.
    result = import_dataset("livecodebench", path, on_error="skip")
    assert [p.id for p in result.problems] == ["abc900_a", "3902", "abc900_b"]
    assert result.skipped[0][0] == f"{path}:2 (record '3901')"
    assert "builtins.exec" in result.skipped[0][1]
    assert not marker.exists()

    # The payload is real: a plain pickle.loads would have run it.
    pickle.loads(zlib.decompress(base64.b64decode(payload)))
    assert marker.read_text() == "pwned"


def test_a_pickled_payload_that_is_not_a_string_is_a_decode_error() -> None:
    with pytest.raises(RecordError, match="must be a str of JSON, got list"):
        livecodebench.decode_private_tests(_compressed([{"input": "1", "output": "1", "testtype": "stdin"}]))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("%%% not base64 or JSON %%%", "neither JSON nor base64"),
        (base64.b64encode(b"plain bytes").decode(), "not zlib data"),
        (base64.b64encode(zlib.compress(pickle.dumps("[{]"))).decode(), "decompressed payload is not JSON"),
        (base64.b64encode(zlib.compress(b"\x80\x04not a pickle")).decode(), "pickle payload"),
        (base64.b64encode(zlib.compress(pickle.dumps("[]"))[:-4]).decode(), "truncated"),
    ],
)
def test_undecodable_private_tests_say_which_layer_failed(payload: str, message: str) -> None:
    with pytest.raises(RecordError, match=message) as info:
        livecodebench.decode_private_tests(payload)
    assert info.value.field == "private_test_cases"


def test_a_payload_expanding_beyond_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(livecodebench, "MAX_PAYLOAD_BYTES", 1000)
    big = livecodebench.encode_private_tests([{"input": "x" * 5000, "output": "", "testtype": "stdin"}])
    with pytest.raises(RecordError, match="expands beyond"):
        livecodebench.decode_private_tests(big)


_texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.fixed_dictionaries({"input": _texts, "output": _texts, "testtype": st.just("stdin")})))
def test_compressed_encoding_round_trips(tests: list[dict[str, str]]) -> None:
    assert livecodebench.decode_private_tests(livecodebench.encode_private_tests(tests)) == tests


def test_functional_input_line_that_is_not_json_names_the_test(tmp_path: Path) -> None:
    records = read_records(LCB)
    records[1]["public_test_cases"] = json.dumps(
        [{"input": "[1, 2\n3", "output": "1", "testtype": "functional"}]
    )
    with pytest.raises(InputError, match="input line 1 is not JSON") as info:
        import_dataset("livecodebench", write_records(tmp_path / "bad.jsonl", records))
    assert info.value.field == "public_test_cases[0]" and info.value.line == 2


def test_functional_tests_without_func_name_are_an_error(tmp_path: Path) -> None:
    records = read_records(LCB)
    records[1]["metadata"] = "{}"
    with pytest.raises(InputError, match="func_name"):
        import_dataset("livecodebench", write_records(tmp_path / "bad.jsonl", records))


def test_record_without_tests_is_an_error(tmp_path: Path) -> None:
    records = read_records(LCB)
    records[0]["public_test_cases"] = "[]"
    records[0]["private_test_cases"] = "[]"
    with pytest.raises(InputError, match="no tests") as info:
        import_dataset("livecodebench", write_records(tmp_path / "bad.jsonl", records))
    assert info.value.line == 1 and "'abc900_a'" in str(info.value)


def test_public_tests_that_are_not_json_are_an_error(tmp_path: Path) -> None:
    records = read_records(LCB)
    records[3]["public_test_cases"] = '[{"input": "1"'
    with pytest.raises(InputError, match="does not decode as JSON") as info:
        import_dataset("livecodebench", write_records(tmp_path / "bad.jsonl", records))
    assert (info.value.line, info.value.field) == (4, "public_test_cases")
