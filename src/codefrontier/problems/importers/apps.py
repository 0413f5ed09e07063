"""APPS (`codeparrot/apps` JSONL) and TACO (`BAAI/TACO`, Parquet or JSONL).

Both store tests as `input_output`, JSON text {"inputs": [...], "outputs": [...],
optional "fn_name"}, and solutions as JSON text (a list of Python programs). TACO adds
limits and tags. Conversions follow what the two datasets' evaluators do
(hendrycks/apps eval/testing_util.py; FlagOpen/TACO metrics/testing_util.py); see
docs/importers.md.
"""

from __future__ import annotations

import math
import re
from typing import Any

from codefrontier import pyast
from codefrontier.contracts import Problem, ProblemKind, Solution, TestCase, default_size
from codefrontier.problems.importers._common import (
    DEFAULT_MEMORY_MB,
    DatasetFormat,
    Record,
    RecordError,
    entry_point_for,
    get_str,
    guess_checker,
    id_text,
    json_field,
    json_safe,
    text_lines,
)

# The header both evaluators prepend to every program, minus `import numpy as np`: numpy
# is not in the sandbox's standard library and importing it costs ~0.1 s of CPU per test.
APPS_PRELUDE = (
    "import sys\nimport time\nimport itertools\nfrom itertools import accumulate, product, permutations, "
    "combinations\nimport collections\nfrom collections import Counter, OrderedDict, deque, defaultdict, "
    "ChainMap\nfrom functools import lru_cache\nimport math\nfrom math import sqrt, sin, cos, tan, ceil, "
    "fabs, floor, gcd, exp, log, log2\nimport fractions\nfrom typing import List, Tuple\nimport random\n"
    "import heapq\nfrom heapq import *\n"
)
EVALUATOR_TIME_LIMIT_S = 4.0  # both evaluators' per-test timeout
APPS_LIMITS_NOTE = (
    "APPS gives no limits: 4 s per test is its evaluator's timeout; "
    "1024 MB is codefrontier's default for datasets without a memory limit"
)

_SECONDS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|milliseconds?|ms)\s*$", re.IGNORECASE)
_MEGABYTES = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(megabytes?|mb|mib|m|kilobytes?|kb|kib|gigabytes?|gb|gib)\s*$", re.IGNORECASE
)


def apps_record_id(record: Record) -> str | None:
    return id_text(record.data.get("problem_id"))


def taco_record_id(record: Record) -> str:
    """TACO records carry no id: the id is the record's position in the import run
    (its index in the split when the split's shards are imported together, in order)."""
    return str(record.ordinal)


def _io_spec(data: dict[str, Any]) -> dict[str, Any]:
    raw = data.get("input_output")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise RecordError("problem has no tests (input_output is empty)", "input_output")
    spec = json_field(data, "input_output", already=(dict,))
    if not isinstance(spec, dict):
        raise RecordError(f"must decode to an object, got {type(spec).__name__}", "input_output")
    inputs, outputs = spec.get("inputs"), spec.get("outputs")
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise RecordError("must hold lists `inputs` and `outputs`", "input_output")
    if not inputs:
        raise RecordError("problem has no tests (inputs is empty)", "input_output")
    if len(inputs) != len(outputs):
        raise RecordError(f"{len(inputs)} inputs but {len(outputs)} outputs", "input_output")
    return spec


def _int_keyed(value: Any) -> bool:
    """True where the evaluators turn a dict's keys into ints (every key int()-able),
    which JSON - and so the native format - cannot express."""
    if not isinstance(value, dict) or not value:
        return False
    try:
        for key in value:
            int(key)
    except (TypeError, ValueError):
        return False
    return True


def _unwrap_outputs(outputs: list[Any]) -> tuple[list[Any], bool]:
    """Expected return values of a call-based problem.

    The evaluators accept a return value equal to the stored output OR to its first
    element (`out == exp or out == exp[0]`), because the datasets usually store a
    return value `v` wrapped as `[v]`. A problem wraps all its outputs or none, so:
    when every output is a one-element list, each is unwrapped to its element;
    otherwise all are kept as stored."""
    if all(isinstance(o, list) and len(o) == 1 for o in outputs):
        return [o[0] for o in outputs], True
    return list(outputs), False


def _function_tests(spec: dict[str, Any]) -> tuple[list[TestCase], bool]:
    outputs, unwrapped = _unwrap_outputs(spec["outputs"])
    tests = []
    for i, (args, expected) in enumerate(zip(spec["inputs"], outputs, strict=True)):
        field = f"input_output.inputs[{i}]"
        if not isinstance(args, list):
            raise RecordError(f"must be a list of arguments, got {type(args).__name__}", field)
        if args and _int_keyed(args[0]):
            raise RecordError(
                "the first argument is a dict whose keys the evaluator converts to int; "
                "JSON cannot hold int keys, so the test cannot be expressed faithfully",
                field,
            )
        if _int_keyed(expected) or (isinstance(expected, list) and expected and _int_keyed(expected[0])):
            raise RecordError(
                "the expected value is a dict whose keys the evaluator converts to int; "
                "JSON cannot hold int keys, so the test cannot be expressed faithfully",
                f"input_output.outputs[{i}]",
            )
        tests.append(TestCase(str(i), args, expected, default_size(args), hidden=True))
    return tests, unwrapped


def _stdio_tests(spec: dict[str, Any]) -> list[TestCase]:
    tests = []
    for i, (inp, out) in enumerate(zip(spec["inputs"], spec["outputs"], strict=True)):
        text_in = text_lines(inp, f"input_output.inputs[{i}]")
        text_out = text_lines(out, f"input_output.outputs[{i}]")
        tests.append(TestCase(str(i), text_in, text_out, default_size(text_in), hidden=True))
    return tests


def _solutions(data: dict[str, Any]) -> list[Solution]:
    raw = data.get("solutions")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return []
    codes = json_field(data, "solutions", already=(list,))
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise RecordError("must decode to a list of programs (text)", "solutions")
    return [Solution(name=f"solution-{i}", language="python", code=c) for i, c in enumerate(codes)]


def _problem(pid: str, data: dict[str, Any], source: str) -> Problem:
    spec = _io_spec(data)
    starter = get_str(data, "starter_code", "") or None
    fn_name = spec.get("fn_name")
    metadata: dict[str, Any] = {}
    if fn_name is not None:
        if not isinstance(fn_name, str) or not fn_name:
            raise RecordError("`fn_name` must be a function name", "input_output")
        tests, unwrapped = _function_tests(spec)
        problem = Problem(
            id=pid,
            kind=ProblemKind.FUNCTION,
            statement="",
            tests=tests,
            entry_point=entry_point_for(fn_name, starter),
        )
        metadata["outputs_unwrapped"] = unwrapped
    else:
        tests = _stdio_tests(spec)
        problem = Problem(
            id=pid,
            kind=ProblemKind.STDIO,
            statement="",
            tests=tests,
            checker=guess_checker(t.output for t in tests),
        )
    problem.statement = get_str(data, "question", required=True)
    problem.prelude = APPS_PRELUDE
    problem.starter_code = starter
    problem.source = source
    problem.solutions = _solutions(data)
    difficulty = data.get("difficulty")
    problem.difficulty = None if difficulty is None else str(difficulty)
    if isinstance(data.get("url"), str) and data["url"]:
        metadata["url"] = data["url"]
    problem.metadata = metadata
    return problem


def convert_apps(record: Record) -> Problem:
    pid = apps_record_id(record)
    if pid is None:
        raise RecordError("missing (an integer or text id)", "problem_id")
    problem = _problem(pid, record.data, "apps")
    problem.time_limit_s, problem.memory_mb = EVALUATOR_TIME_LIMIT_S, DEFAULT_MEMORY_MB
    problem.limits_note = APPS_LIMITS_NOTE
    return problem


def parse_seconds(value: Any) -> float | None:
    """TACO's `time_limit` text ("1 second", "2.5 seconds", "500 ms"), or None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if value > 0 else None
    if not isinstance(value, str) or not (m := _SECONDS.match(value)):
        return None
    number = float(m.group(1))
    seconds = number / 1000 if m.group(2).lower().startswith("m") else number
    return seconds if seconds > 0 else None


def parse_megabytes(value: Any) -> int | None:
    """TACO's `memory_limit` text ("256 megabytes", "256.0 megabytes", "1 GB"), or None."""
    if not isinstance(value, str) or not (m := _MEGABYTES.match(value)):
        return None
    number, unit = float(m.group(1)), m.group(2).lower()
    if unit.startswith("k"):
        number /= 1024
    elif unit.startswith("g"):
        number *= 1024
    mb = math.ceil(number)
    return mb if mb > 0 else None


def _literal(value: Any) -> Any:
    """TACO stores tag lists as Python literals ("['Sorting']"); read them without eval."""
    if not isinstance(value, str):
        return json_safe(value)
    try:
        return json_safe(pyast.literal_eval(value))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return value


def convert_taco(record: Record) -> Problem:
    data = record.data
    problem = _problem(taco_record_id(record), data, "taco")
    seconds, megabytes = parse_seconds(data.get("time_limit")), parse_megabytes(data.get("memory_limit"))
    problem.time_limit_s = seconds if seconds is not None else EVALUATOR_TIME_LIMIT_S
    problem.memory_mb = megabytes if megabytes is not None else DEFAULT_MEMORY_MB
    parts = [
        f"time limit {data.get('time_limit')!r} from TACO"
        if seconds is not None
        else f"TACO gives no usable time limit ({data.get('time_limit')!r}): 4 s, its evaluator's timeout",
        f"memory limit {data.get('memory_limit')!r} from TACO"
        if megabytes is not None
        else f"TACO gives no usable memory limit ({data.get('memory_limit')!r}): codefrontier's default 1024 MB",
    ]
    problem.limits_note = "; ".join(parts)
    for key in (
        "name",
        "source",
        "date",
        "picture_num",
        "Expected Time Complexity",
        "Expected Auxiliary Space",
    ):
        if data.get(key) not in (None, ""):
            problem.metadata[key if key != "source" else "platform"] = json_safe(data[key])
    for key in ("raw_tags", "tags", "skill_types"):
        if data.get(key) not in (None, ""):
            problem.metadata[key] = _literal(data[key])
    return problem


APPS_FORMAT = DatasetFormat(
    name="apps",
    title="APPS",
    signature=frozenset({"problem_id", "question", "input_output"}),
    convert=convert_apps,
    record_id=apps_record_id,
)
TACO_FORMAT = DatasetFormat(
    name="taco",
    title="TACO",
    signature=frozenset({"question", "input_output", "raw_tags", "skill_types"}),
    convert=convert_taco,
    record_id=taco_record_id,
)
