"""The tracer: faithful events, golden CWM traces, and every kind of bad input ending
in a trace that says what happened (never a hang or a crash of the host)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from codefrontier.traces import Trace, TraceLimits, Tracer
from codefrontier.traces.cwm import format_trace
from codefrontier.traces.tracer import TRUNCATED_MARK, parse_stream

from . import programs

GOLDEN = Path(__file__).parent / "golden"
ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def without_addresses(text: str) -> str:
    """Default reprs carry memory addresses; they are stable on one machine (the tracer
    turns address randomisation off) but not across Python builds."""
    return ADDRESS.sub(" at 0x…", text)


@pytest.mark.parametrize("name", ["recursion", "caught", "uncaught", "generator", "method", "nested"])
def test_golden_cwm_traces(tracer: Tracer, name: str) -> None:
    trace = tracer.trace(*programs.ALL[name])
    expected = (GOLDEN / f"{name}.cwm").read_text()
    assert without_addresses(format_trace(trace)) == without_addresses(expected)


def test_recursion_records_depth_and_every_return(tracer: Tracer) -> None:
    trace = tracer.trace(*programs.RECURSION)
    assert trace.outcome == "returned" and trace.value == "6"
    calls = [(e.depth, e.locals) for e in trace.events if e.kind == "call"]
    assert calls == [(0, {"n": "3"}), (1, {"n": "2"}), (2, {"n": "1"})]
    returns = [(e.depth, e.value) for e in trace.events if e.kind == "return"]
    assert returns == [(2, "1"), (1, "2"), (0, "6")]


def test_an_uncaught_exception_is_the_outcome_and_each_frame_sees_it(tracer: Tracer) -> None:
    trace = tracer.trace(*programs.UNCAUGHT)
    assert trace.outcome == "raised" and trace.value == "KeyError('missing')"
    kinds = [(e.kind, e.depth) for e in trace.events[-4:]]
    assert kinds == [("exception", 1), ("return", 1), ("exception", 0), ("return", 0)]


def test_the_top_level_return_value_is_what_the_call_returns(tracer: Tracer) -> None:
    code = "def f(xs):\n    ys = sorted(set(xs))\n    return {'n': len(ys), 'ys': tuple(ys)}\n"
    trace = tracer.trace(code, "f([3, 1, 3, 2])")
    assert trace.events[-1].kind == "return" and trace.events[-1].depth == 0
    assert trace.events[-1].value == trace.value == repr({"n": 3, "ys": (1, 2, 3)})


def test_standard_library_code_is_not_traced(tracer: Tracer) -> None:
    code = "import json\ndef f(x):\n    return json.dumps(x)\n"
    trace = tracer.trace(code, "f([1])")
    assert [e.line for e in trace.events] == [2, 3, 3]
    assert trace.value == repr("[1]")


def test_sets_of_strings_repr_the_same_on_every_run(tracer: Tracer) -> None:
    code = "def f():\n    s = set('abcdefgh')\n    return s\n"
    values = {tracer.trace(code, "f()").value for _ in range(3)}
    assert len(values) == 1


def test_program_output_is_captured_apart_from_the_trace(tracer: Tracer) -> None:
    code = (
        "import os\ndef f():\n    print('hello')\n    os.write(1, b'[\"line\", 1, 0, {}]\\n')\n    return 1\n"
    )
    trace = tracer.trace(code, "f()")
    assert trace.outcome == "returned" and trace.value == "1"
    assert trace.stdout == "hello\n"
    assert [e.kind for e in trace.events] == ["call", "line", "line", "line", "return"]


# ----------------------------------------------------------------------------- bad input


def test_a_program_that_does_not_parse_is_an_error_naming_the_line(tracer: Tracer) -> None:
    trace = tracer.trace("def f(:\n    pass\n", "f()")
    assert trace.outcome == "error" and "does not parse" in trace.message and trace.events == []


def test_a_call_that_names_no_function_of_the_program_is_an_error(tracer: Tracer) -> None:
    trace = tracer.trace("def f():\n    return 1\n", "g()")
    assert trace.outcome == "error" and "names no function" in trace.message and "g" in trace.message
    trace = tracer.trace("def f():\n    return 1\n", "len([1])")
    assert trace.outcome == "error" and "ran no code of the program" in trace.message
    trace = tracer.trace("def f():\n    return 1\n", "f(")
    assert trace.outcome == "error" and "call does not parse" in trace.message


def test_a_program_that_raises_while_loading_is_an_error(tracer: Tracer) -> None:
    trace = tracer.trace("x = 1 / 0\ndef f():\n    return 1\n", "f()")
    assert trace.outcome == "error" and "ZeroDivisionError" in trace.message


def test_a_program_that_never_returns_ends_at_a_limit() -> None:
    limits = TraceLimits(max_events=10**9, cpu_s=0.5, max_bytes=1 << 30)
    with Tracer(limits) as tracer:
        looping = tracer.trace("def f():\n    i = 0\n    while True:\n        i += 1\n", "f()")
        assert looping.outcome == "limit" and looping.limit == "cpu" and len(looping.events) > 100
        # A loop inside one C call sends no events: the sandbox stops it; the events written
        # more than 50 ms before it stay.
        code = "import time\ndef f():\n    x = 1\n    time.sleep(0.1)\n    return sum(range(10**12))\n"
        c_loop = tracer.trace(code, "f()")
        assert c_loop.outcome == "timeout" and "limit" in c_loop.message
        assert [e.line for e in c_loop.events][:3] == [2, 3, 4]


def test_the_event_and_byte_limits_end_the_trace_cleanly() -> None:
    loop = "def f(n):\n    t = 0\n    for i in range(n):\n        t += i\n    return t\n"
    with Tracer(TraceLimits(max_events=50)) as tracer:
        trace = tracer.trace(loop, "f(1000)")
        assert trace.outcome == "limit" and trace.limit == "events" and len(trace.events) == 50
    with Tracer(TraceLimits(max_bytes=2000)) as tracer:
        trace = tracer.trace(loop, "f(1000)")
        assert trace.outcome == "limit" and trace.limit == "bytes" and 0 < len(trace.events) < 60


def test_a_megabyte_per_line_of_output_is_counted_not_kept(tracer: Tracer) -> None:
    code = "def f():\n    for i in range(3):\n        print('x' * 1000000)\n    return i\n"
    trace = tracer.trace(code, "f()")
    assert trace.outcome == "returned" and trace.value == "2"
    assert len(trace.stdout) == 64 << 10 and trace.stdout_chars == 3 * 1000001


def test_a_long_value_is_cut_and_marked(tracer: Tracer) -> None:
    trace = tracer.trace("def f():\n    xs = list(range(100000))\n    return len(xs)\n", "f()")
    xs = trace.events[-2].locals["xs"]
    assert xs.endswith(TRUNCATED_MARK) and len(xs) == 1000 + len(TRUNCATED_MARK)
    assert xs.startswith("[0, 1, 2, 3") and trace.truncated_values == 1
    assert trace.value == "100000"


def test_hostile_reprs_are_recorded_as_what_happened(tracer: Tracer) -> None:
    code = """import time
class Raises:
    def __repr__(self):
        raise ValueError('no')
class Recurses:
    def __repr__(self):
        return repr(self)
class Slow:
    def __repr__(self):
        time.sleep(1.0)
        return 'slow'
class NotAString:
    def __repr__(self):
        return 5
def f():
    a, b, c, d = Raises(), Recurses(), Slow(), NotAString()
    return 7
"""
    trace = tracer.trace(code, "f()")
    assert trace.outcome == "returned" and trace.value == "7"
    seen = trace.events[-2].locals
    assert seen["a"] == "<repr of Raises failed: ValueError>"
    assert seen["b"] == "<repr of Recurses failed: RecursionError>"
    assert seen["c"] == "<repr of Slow timed out>"
    assert seen["d"] == "<repr of NotAString failed: TypeError>"
    assert trace.wall_s < 3.0  # the slow repr ran once per event, each cut at 0.25 s


def test_object_graphs_with_cycles_repr_as_python_does(tracer: Tracer) -> None:
    code = "def f():\n    a = [1]\n    a.append(a)\n    d = {'self': None}\n    d['self'] = d\n    t = (a, d)\n    return repr(t)\n"
    trace = tracer.trace(code, "f()")
    last = trace.events[-2].locals
    assert last["a"] == "[1, [...]]" and last["d"] == "{'self': {...}}"
    assert last["t"] == "([1, [...]], {'self': {...}})"
    assert trace.value == repr("([1, [...]], {'self': {...}})")


def test_a_program_that_leaves_the_process_or_stops_the_tracer_is_reported(tracer: Tracer) -> None:
    trace = tracer.trace("import os\ndef f():\n    os._exit(0)\n", "f()")
    assert trace.outcome == "crashed" and "before the call returned" in trace.message
    trace = tracer.trace("import sys\ndef f():\n    sys.settrace(None)\n    return 1\n", "f()")
    assert trace.outcome == "crashed" and "turned the tracer off" in trace.message


def test_a_memory_bomb_is_contained() -> None:
    with Tracer(TraceLimits(memory_mb=256)) as tracer:
        trace = tracer.trace("def f():\n    x = bytearray(1 << 31)\n    return len(x)\n", "f()")
    # Stopped by the sandbox at the memory limit (the run cgroup's OOM kill), or refused by
    # the address-space backstop before any page was touched (a MemoryError the call raised).
    assert trace.outcome == "memory" or (trace.outcome == "raised" and trace.value == "MemoryError()")


def test_a_garbled_stream_is_crashed_not_trusted() -> None:
    code = "def f():\n    return 1\n"
    good = b'["call", 1, 0, {}, "f", false]\n'
    assert parse_stream(code, "f()", good).outcome == "crashed"
    for bad in (
        b'["call", 99, 0, {}, "f", false]\n',
        b'["line", 2, 0, {}]\n',
        b"not json\n",
        b'{"end": "x"}\n',
    ):
        trace = parse_stream(code, "f()", bad)
        assert trace.outcome == "crashed" and "garbled" in trace.message


def test_limits_are_validated() -> None:
    from codefrontier.errors import ConfigError

    with pytest.raises(ConfigError, match="max_events"):
        TraceLimits(max_events=0)


def test_a_trace_round_trips_through_json(tracer: Tracer) -> None:
    from codefrontier.traces import trace_from_json

    trace = tracer.trace(*programs.METHOD)
    again = trace_from_json(trace.to_json())
    assert isinstance(again, Trace) and again == trace


def test_calls_of_one_batch_cannot_reach_each_other() -> None:
    """Many calls share one sandbox run (a fresh fork each): a process or a file one of
    them leaves is gone before the next, and a call that hangs ends alone."""
    calls = [
        ("import os, time\ndef f():\n    open('left.txt', 'w').write('x')\n    if os.fork() == 0:\n        time.sleep(30)\n    return 1\n", "f()"),
        ("import os\ndef g():\n    return (sorted(os.listdir('.')), len(os.listdir('/proc')))\n", "g()"),
        ("def h():\n    return sum(range(10**12))\n", "h()"),
        ("import os\ndef e():\n    os._exit(0)\n", "e()"),
        ("def k():\n    return 3\n", "k()"),
    ]  # fmt: skip
    with Tracer(TraceLimits(cpu_s=0.5, wall_s=2.0)) as tracer:
        traces = list(tracer.trace_many(calls, batch=5))
    assert [t.outcome for t in traces] == ["returned", "returned", "timeout", "crashed", "returned"]
    listing, _ = ast.literal_eval(traces[1].value)
    assert listing == [] and traces[0].wall_s < 1.5  # the forked sleeper did not hold the trace open
    assert traces[4].value == "3"
