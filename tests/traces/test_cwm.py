"""The CWM trace format: serializer and parser round-trip (property tests), the diff form
resolves as CWM's debugger resolves it, and malformed traces name their position."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codefrontier.errors import InputError
from codefrontier.traces.cwm import (
    PLACEHOLDER,
    TOKEN_RE,
    Frame,
    TraceFormatError,
    format_frames,
    format_prompt,
    format_trace,
    frames_of,
    parse_frames,
    parse_trace,
    resolve,
    to_diff,
)

from . import programs

# Text with the characters that make the format hard: separators' pieces, quotes, escapes.
chars = st.one_of(st.sampled_from(list('<|>_."\\\n\x00é')), st.characters())
text = st.text(chars, max_size=30)
plain = text.filter(lambda s: not TOKEN_RE.search(s))
source = plain.map(lambda s: s.replace("\n", "") + "\n")
reprs = text.filter(lambda s: s != PLACEHOLDER)
names = st.sampled_from(["x", "y", "n", "text", "out", ".0", "i"])
local_sets = st.dictionaries(names, reprs, max_size=4)


@st.composite
def frame(draw: st.DrawFn) -> Frame:
    event = draw(st.sampled_from(["call", "line", "return", "exception"]))
    if event in ("call", "line"):
        return Frame(event, draw(source), draw(local_sets))
    return Frame(event, draw(source), None, draw(reprs))


frames = st.lists(frame(), max_size=10)
relaxed = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


@relaxed
@given(frames)
def test_frames_round_trip_through_the_text(fs: list[Frame]) -> None:
    text = format_frames(fs)
    assert parse_frames(text) == fs
    assert format_frames(parse_frames(text)) == text


@relaxed
@given(frames)
def test_the_diff_form_resolves_to_the_full_locals(fs: list[Frame]) -> None:
    diff = to_diff(fs)
    assert resolve(diff) == fs
    assert resolve(parse_frames(format_frames(diff))) == fs
    assert all(PLACEHOLDER not in (f.locals or {}).values() for f in diff if f.event == "call")


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text, text)
def test_no_value_can_forge_a_separator(a: str, b: str) -> None:
    forged = a + "<|frame_sep|><|line_sep|>{}<|action_sep|>" + b
    fs = [Frame("line", "x = 1\n", {"x": forged}), Frame("return", "return x\n", None, forged)]
    text = format_frames(fs)
    assert parse_frames(text) == fs
    assert len(TOKEN_RE.findall(text)) == 7  # the two frames' own separators, nothing else


def test_unchanged_values_are_dots_until_a_call_or_return(tracer) -> None:
    trace = tracer.trace(*programs.TWO_CALLS_ON_A_LINE)
    diff = to_diff(frames_of(trace))
    assert [(f.event, f.locals) for f in diff] == [
        ("call", {"a": "2", "b": "3"}),
        ("line", {"a": "..", "b": ".."}),
        ("call", {"x": "2"}),
        ("line", {"x": ".."}),
        ("return", None),
        ("call", {"x": "3"}),  # a call frame is always written in full
        ("line", {"x": ".."}),
        ("return", None),
        ("return", None),
    ]


def test_a_dot_after_a_return_does_not_resolve_across_it() -> None:
    fs = [
        Frame("call", "def f(a):\n", {"a": "1"}),
        Frame("line", "    g()\n", {"a": "1"}),
        Frame("call", "def g():\n", {}),
        Frame("return", "    pass\n", None, "None"),
        Frame("line", "    return a\n", {"a": PLACEHOLDER}),
    ]
    assert resolve(fs)[-1].locals == {"a": PLACEHOLDER}  # CWM's walk stops at the return frame
    assert to_diff(resolve(fs[:4]) + [Frame("line", "    return a\n", {"a": "1"})])[-1].locals == {"a": "1"}


def test_whole_traces_parse_back(tracer) -> None:
    for code, call in programs.ALL.values():
        trace = tracer.trace(code, call)
        context, fs = parse_trace(format_trace(trace))
        assert fs == frames_of(trace)
        assert format_prompt(code, trace.entry_line) == "<|trace_context_start|>" + context + "<|frame_sep|>"
        _, diff = parse_trace(format_trace(trace, diff=True))
        assert resolve(diff) == frames_of(trace)


def test_the_start_marker_goes_on_the_entry_def_line_not_a_decorator(tracer) -> None:
    code = "import functools\n\n@functools.lru_cache\ndef f(n):\n    return n\n"
    trace = tracer.trace(code, "f(1)")
    assert trace.events[0].line == 3  # a decorated function's code starts at its decorator
    lines = format_prompt(code, trace.entry_line).splitlines()
    assert lines[3] == "def f(n):  # << START_OF_TRACE"


@pytest.mark.parametrize(
    ("text", "position", "frame", "message"),
    [
        ('<|line_sep|>{"x": "1"}<|frame_sep|>', 22, 0, "expected <|action_sep|>, found <|frame_sep|>"),
        ('<|line_sep|>{"x": 1}<|action_sep|>y\n<|frame_sep|>', 12, 0, "must be a JSON string"),
        ('<|line_sep|>{"x": "1",}<|action_sep|>y\n<|frame_sep|>', 22, 0, "not JSON"),
        ('<|line_sep|>{"x": "1", "x": "2"}<|action_sep|>y\n<|frame_sep|>', 12, 0, "appears twice"),
        ("<|return_sep|><|action_sep|>y\n<|arg_sep|>3<|frame_sep|>", 41, 0, "must be a JSON string"),
        ('<|return_sep|>{}<|action_sep|>y\n<|arg_sep|>"3"<|frame_sep|>', 14, 0, "has no locals"),
        ("junk<|line_sep|>{}<|action_sep|>y\n<|frame_sep|>", 0, 0, "text before"),
        ("<|line_sep|>{}<|action_sep|>y\n<|frame_sep|>tail", 43, 1, "text after"),
        ("<|line_sep|>{}<|action_sep|>y\n", 30, 0, "ends early"),
    ],
)
def test_a_malformed_trace_names_the_position(text: str, position: int, frame: int, message: str) -> None:
    with pytest.raises(TraceFormatError, match=message) as info:
        parse_frames(text)
    assert info.value.position == position and info.value.frame == frame
    assert str(info.value).startswith(f"character {position} (frame {frame})")


def test_a_trace_without_its_context_is_refused() -> None:
    with pytest.raises(TraceFormatError, match="starts with"):
        parse_trace("def f(): pass")
    with pytest.raises(TraceFormatError, match="not closed"):
        parse_trace("<|trace_context_start|>def f(): pass")


def test_a_source_line_holding_a_separator_cannot_be_written() -> None:
    with pytest.raises(InputError, match="special token"):
        format_frames([Frame("line", "s = '<|frame_sep|>'\n", {})])


def test_locals_are_written_as_json_dumps_writes_them() -> None:
    text = format_frames([Frame("call", "def f(s):\n", {"s": "'é'"})])
    assert text == "<|call_sep|>" + json.dumps({"s": "'é'"}) + "<|action_sep|>def f(s):\n<|frame_sep|>"
