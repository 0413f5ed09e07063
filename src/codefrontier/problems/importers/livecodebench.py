"""LiveCodeBench code generation (`livecodebench/code_generation_lite` JSONL, or Parquet).

Fields read: question_id, question_title, question_content, platform, contest_id,
contest_date, starter_code, difficulty, public_test_cases, private_test_cases, metadata.
See docs/importers.md for the mapping.

`private_test_cases` is either JSON text or base64(zlib(pickle(JSON text))). The pickle
is read by an Unpickler that refuses every global, so a payload can only yield
primitive values, never run code; anything but a pickled `str` is a decode error.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import pickle
import zlib
from typing import Any, NoReturn

from codefrontier.contracts import Problem, ProblemKind, TestCase, default_size
from codefrontier.problems.importers._common import (
    DEFAULT_MEMORY_MB,
    DatasetFormat,
    Record,
    RecordError,
    entry_point_for,
    get_str,
    guess_checker,
    json_field,
    json_safe,
)

# LiveCodeBench's evaluator (lcb_runner/evaluation/testing_util.py, `import_string`)
# prepends exactly this to every program, stdin and functional alike.
LCB_PRELUDE = (
    "from string import *\nfrom re import *\nfrom datetime import *\nfrom collections import *\n"
    "from heapq import *\nfrom bisect import *\nfrom copy import *\nfrom math import *\n"
    "from random import *\nfrom statistics import *\nfrom itertools import *\nfrom functools import *\n"
    "from operator import *\nfrom io import *\nfrom sys import *\nfrom json import *\n"
    "from builtins import *\nfrom typing import *\nimport string\nimport re\nimport datetime\n"
    "import collections\nimport heapq\nimport bisect\nimport copy\nimport math\nimport random\n"
    "import statistics\nimport itertools\nimport functools\nimport operator\nimport io\nimport sys\n"
    "import json\nsys.setrecursionlimit(50000)\n"
)
# LiveCodeBench ships no limits; its evaluator allows 6 s a test (codegen_metrics timeout=6).
LCB_TIME_LIMIT_S = 6.0
LIMITS_NOTE = (
    "LiveCodeBench gives no limits: 6 s per test is its evaluator's timeout; "
    "1024 MB is codefrontier's default for datasets without a memory limit"
)
# A decompressed private-test payload larger than this is refused (a zip bomb, not a test set).
MAX_PAYLOAD_BYTES = 1 << 30


class _NoGlobalsUnpickler(pickle.Unpickler):
    """Loads only primitive values: any class or function reference is refused, so no
    constructor, `__reduce__` callable or `__setstate__` can ever run."""

    def find_class(self, module: str, name: str) -> NoReturn:
        raise pickle.UnpicklingError(f"refused to load global {module}.{name}")

    def persistent_load(self, pid: Any) -> NoReturn:
        raise pickle.UnpicklingError("refused a persistent id")


def decode_private_tests(value: str) -> Any:
    """Decode `private_test_cases`: JSON text, else base64(zlib(pickle(JSON text))).
    Raises RecordError (field `private_test_cases`) saying which layer failed."""
    field = "private_test_cases"
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        pass  # the compressed encoding
    try:
        compressed = base64.b64decode(value.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise RecordError(f"neither JSON nor base64 of the compressed encoding ({exc})", field) from None
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(compressed, MAX_PAYLOAD_BYTES)
    except zlib.error as exc:
        raise RecordError(f"not JSON, and its base64 payload is not zlib data ({exc})", field) from None
    if inflater.unconsumed_tail:
        raise RecordError(f"compressed payload expands beyond {MAX_PAYLOAD_BYTES >> 20} MiB; refused", field)
    if not inflater.eof:
        raise RecordError("compressed payload is truncated", field)
    try:
        payload = _NoGlobalsUnpickler(io.BytesIO(raw)).load()
    except pickle.UnpicklingError as exc:
        raise RecordError(f"unsafe or invalid pickle payload: {exc}", field) from None
    except Exception as exc:  # any malformed opcode stream; nothing of the payload's can have run
        raise RecordError(f"invalid pickle payload ({type(exc).__name__}: {exc})", field) from None
    if not isinstance(payload, str):
        raise RecordError(f"pickle payload must be a str of JSON, got {type(payload).__name__}", field)
    try:
        return json.loads(payload)
    except json.JSONDecodeError as exc:
        raise RecordError(f"decompressed payload is not JSON ({exc.msg} at char {exc.pos})", field) from None


def encode_private_tests(tests: list[dict[str, Any]]) -> str:
    """The compressed encoding LiveCodeBench publishes (used to write fixtures)."""
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(tests)))).decode("ascii")


def _tests_list(value: Any, field: str) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise RecordError(f"must decode to a list of tests, got {type(value).__name__}", field)
    for i, t in enumerate(value):
        if not isinstance(t, dict):
            raise RecordError("must be an object {input, output, testtype}", f"{field}[{i}]")
        for key in ("input", "output", "testtype"):
            if not isinstance(t.get(key), str):
                raise RecordError(f"`{key}` must be text", f"{field}[{i}]")
        if t["testtype"] not in ("stdin", "functional"):
            raise RecordError(
                f"unknown testtype {t['testtype']!r} (expected stdin or functional)", f"{field}[{i}]"
            )
    return value


def _functional_test(t: dict[str, str], field: str) -> tuple[list[Any], Any]:
    """LCB stores each argument as one JSON line of `input`, and `output` as JSON."""
    args = []
    for n, line in enumerate(t["input"].split("\n"), 1):
        try:
            args.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise RecordError(f"input line {n} is not JSON ({exc.msg})", field) from None
    try:
        expected = json.loads(t["output"])
    except json.JSONDecodeError as exc:
        raise RecordError(f"output is not JSON ({exc.msg})", field) from None
    return args, expected


def record_id(record: Record) -> str | None:
    value = record.data.get("question_id")
    return None if value is None else str(value)


def convert(record: Record) -> Problem:
    data = record.data
    qid = record_id(record)
    if not qid:
        raise RecordError("missing", "question_id")
    public = _tests_list(json_field(data, "public_test_cases", already=(list,)), "public_test_cases")
    private_raw = data.get("private_test_cases")
    if private_raw is None or private_raw == "":
        private: list[dict[str, str]] = []
    elif isinstance(private_raw, list):
        private = _tests_list(private_raw, "private_test_cases")
    elif isinstance(private_raw, str):
        private = _tests_list(decode_private_tests(private_raw), "private_test_cases")
    else:
        raise RecordError(f"must be text, got {type(private_raw).__name__}", "private_test_cases")
    if not public and not private:
        raise RecordError(
            "problem has no tests (both public and private lists are empty)", "public_test_cases"
        )
    meta = json_field(data, "metadata", already=(dict,)) if data.get("metadata") not in (None, "") else {}
    if not isinstance(meta, dict):
        raise RecordError(f"must decode to an object, got {type(meta).__name__}", "metadata")
    types = {t["testtype"] for t in public + private}
    if len(types) > 1:
        raise RecordError("mixes stdin and functional tests", "public_test_cases")
    starter = get_str(data, "starter_code", "") or None
    functional = types == {"functional"}
    tests: list[TestCase] = []
    for group, hidden, items in (("public", False, public), ("private", True, private)):
        for i, t in enumerate(items):
            field = f"{group}_test_cases[{i}]"
            if functional:
                args, expected = _functional_test(t, field)
                tests.append(TestCase(f"{group}-{i}", args, expected, default_size(args), hidden))
            else:
                tests.append(
                    TestCase(f"{group}-{i}", t["input"], t["output"], default_size(t["input"]), hidden)
                )
    if functional:
        func_name = meta.get("func_name")
        if not isinstance(func_name, str) or not func_name:
            raise RecordError("functional tests need `func_name` in metadata", "metadata")
        kind, entry_point, checker = ProblemKind.FUNCTION, entry_point_for(func_name, starter), None
    else:
        kind, entry_point = ProblemKind.STDIO, None
        checker = guess_checker(t.output for t in tests)
    extra = {
        "title": json_safe(data.get("question_title")),
        "platform": json_safe(data.get("platform")),
        "contest_id": json_safe(data.get("contest_id")),
        "contest_date": json_safe(data.get("contest_date")),
        "lcb_metadata": json_safe(meta),
    }
    problem = Problem(
        id=qid,
        kind=kind,
        statement=get_str(data, "question_content", required=True),
        tests=tests,
        time_limit_s=LCB_TIME_LIMIT_S,
        memory_mb=DEFAULT_MEMORY_MB,
        entry_point=entry_point,
        prelude=LCB_PRELUDE,
        difficulty=get_str(data, "difficulty"),
        source="livecodebench",
        starter_code=starter,
        limits_note=LIMITS_NOTE,
        metadata={k: v for k, v in extra.items() if v is not None},
    )
    if checker is not None:
        problem.checker = checker
    return problem


FORMAT = DatasetFormat(
    name="livecodebench",
    title="LiveCodeBench code generation",
    signature=frozenset({"question_id", "question_content", "public_test_cases", "private_test_cases"}),
    convert=convert,
    record_id=record_id,
)
