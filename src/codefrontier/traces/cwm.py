"""The Code World Model (CWM) trace format: serializer, parser, diff form (docs/traces.md).

The format is CWM's (facebookresearch/cwm, PROMPTING_GUIDE.md and demos/cwmdbg.py):

    <|trace_context_start|>{SOURCE}<|frame_sep|>                 the prompt
    <|call_sep|>{LOCALS}<|action_sep|>{LINE}<|frame_sep|>          a call frame
    <|line_sep|>{LOCALS}<|action_sep|>{LINE}<|frame_sep|>          a line frame
    <|return_sep|><|action_sep|>{LINE}<|arg_sep|>{VALUE}<|frame_sep|>
    <|exception_sep|><|action_sep|>{LINE}<|arg_sep|>{VALUE}<|frame_sep|>

SOURCE is the program with ``  # << START_OF_TRACE`` at the end of the entry function's
`def` line; LINE is the executed source line with its newline (no marker); LOCALS is a
JSON object whose values are JSON strings holding reprs (``{"x": "1", "s": "'a'"}``);
VALUE is the repr as a JSON string. JSON is written as `json.dumps` writes it by default
(ASCII, ``", "`` and ``": "``), except that ``<|`` inside a JSON string is written
``<\\u007c`` so that no value can forge a separator (the JSON value is the same).

The diff form writes a local whose value is unchanged as ``".."``. A reader resolves it
as CWM's debugger does: walk back through the earlier frames to the last one that gave
that local a value, stopping after a call or return frame. The writer uses ``".."``
exactly where that walk finds the same value, and never in a call frame.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from codefrontier.errors import InputError

TRACE_CONTEXT_START = "<|trace_context_start|>"
FRAME_SEP = "<|frame_sep|>"
CALL_SEP = "<|call_sep|>"
LINE_SEP = "<|line_sep|>"
RETURN_SEP = "<|return_sep|>"
EXCEPTION_SEP = "<|exception_sep|>"
ACTION_SEP = "<|action_sep|>"
ARG_SEP = "<|arg_sep|>"
END_OF_TEXT = "<|end_of_text|>"
START_MARKER = "  # << START_OF_TRACE"
PLACEHOLDER = ".."

EVENT_TOKENS = {"call": CALL_SEP, "line": LINE_SEP, "return": RETURN_SEP, "exception": EXCEPTION_SEP}
TOKEN_EVENTS = {token: event for event, token in EVENT_TOKENS.items()}
# Tokens the text of a source line or the context may not contain (the trajectory
# format's separator is listed by `trajectories`, which extends this set).
SPECIAL_TOKENS = (
    TRACE_CONTEXT_START,
    FRAME_SEP,
    CALL_SEP,
    LINE_SEP,
    RETURN_SEP,
    EXCEPTION_SEP,
    ACTION_SEP,
    ARG_SEP,
    END_OF_TEXT,
)
TOKEN_RE = re.compile("|".join(re.escape(t) for t in SPECIAL_TOKENS))


class TraceFormatError(InputError):
    """A CWM trace that does not follow the format; the message names the character
    position and the frame."""

    def __init__(self, message: str, position: int, frame: int | None = None, path: Any = None) -> None:
        self.position = position
        self.frame = frame
        where = f"character {position}" + (f" (frame {frame})" if frame is not None else "")
        super().__init__(f"{where}: {message}", path=path)


@dataclass(frozen=True)
class Frame:
    """One CWM frame: `locals` for call and line frames, `arg` (a repr) for return and
    exception frames. `source` is the line's text with its newline."""

    event: str
    source: str
    locals: dict[str, str] | None = None
    arg: str | None = None

    @property
    def has_locals(self) -> bool:
        return self.event in ("call", "line")


# ----------------------------------------------------------------------------- building


def frames_of(trace: Any) -> list[Frame]:
    """The full-form frames of a `Trace` (every local written out)."""
    lines = trace.lines
    out = []
    for e in trace.events:
        source = lines[e.line - 1]
        if e.kind in ("call", "line"):
            out.append(Frame(e.kind, source, dict(e.locals or {})))
        else:
            out.append(Frame(e.kind, source, None, e.value))
    return out


def trace_context(code: str, entry_line: int | None) -> str:
    """The program with CWM's start marker at the end of line `entry_line`."""
    from codefrontier.traces.tracer import source_lines

    lines = source_lines(code)
    if entry_line is not None and 1 <= entry_line <= len(lines):
        lines[entry_line - 1] = lines[entry_line - 1][:-1] + START_MARKER + "\n"
    context = "".join(lines)
    if not code.endswith(("\n", "\r")):
        context = context[:-1]
    _check_plain(context, "the program")
    return context


def format_prompt(code: str, entry_line: int | None) -> str:
    """``<|trace_context_start|>{SOURCE}<|frame_sep|>``: what a model continues."""
    return TRACE_CONTEXT_START + trace_context(code, entry_line) + FRAME_SEP


def format_trace(trace: Any, *, diff: bool = False) -> str:
    """A whole trace: the prompt, then every frame (diff form when `diff`)."""
    frames = frames_of(trace)
    return format_prompt(trace.code, trace.entry_line) + format_frames(to_diff(frames) if diff else frames)


# ----------------------------------------------------------------------------- diff form


def to_diff(frames: Sequence[Frame]) -> list[Frame]:
    """The diff form: a line frame's local is ``".."`` where resolving gives its value."""
    out: list[Frame] = []
    known: dict[str, str] = {}
    for frame in frames:
        if frame.event == "call":
            out.append(frame)
            known = dict(frame.locals or {})
        elif frame.event == "line":
            assert frame.locals is not None
            out.append(
                Frame(
                    "line",
                    frame.source,
                    {k: PLACEHOLDER if known.get(k) == v else v for k, v in frame.locals.items()},
                )
            )
            known.update(frame.locals)
        else:
            out.append(frame)
            if frame.event == "return":
                known = {}
    return out


def resolve(frames: Sequence[Frame]) -> list[Frame]:
    """Full locals from the diff form, by CWM's rule: a ``".."`` takes the value of the last
    earlier frame that gave one, the walk stopping after a call or return frame. A
    ``".."`` the walk cannot resolve stays ``".."``."""
    out: list[Frame] = []
    for i, frame in enumerate(frames):
        if not frame.has_locals or frame.locals is None or PLACEHOLDER not in frame.locals.values():
            out.append(frame)
            continue
        resolved = dict(frame.locals)
        for key, value in frame.locals.items():
            if value != PLACEHOLDER:
                continue
            j = i - 1
            while j >= 0:
                earlier = frames[j]
                found = (earlier.locals or {}).get(key, PLACEHOLDER)
                if found != PLACEHOLDER:
                    resolved[key] = found
                    break
                if earlier.event in ("call", "return"):
                    break
                j -= 1
        out.append(Frame(frame.event, frame.source, resolved, frame.arg))
    return out


# ----------------------------------------------------------------------------- writing


def format_json(value: Any) -> str:
    """JSON as `json.dumps` writes it, with ``<|`` in strings escaped (the same value)."""
    return json.dumps(value).replace("<|", "<\\u007c")


def format_frame(frame: Frame) -> str:
    if frame.event not in EVENT_TOKENS:
        raise ValueError(f"unknown frame event {frame.event!r}")
    _check_plain(frame.source, "a source line")
    if frame.has_locals:
        return (
            EVENT_TOKENS[frame.event]
            + format_json(frame.locals or {})
            + ACTION_SEP
            + frame.source
            + FRAME_SEP
        )
    return (
        EVENT_TOKENS[frame.event] + ACTION_SEP + frame.source + ARG_SEP + format_json(frame.arg) + FRAME_SEP
    )


def format_frames(frames: Iterable[Frame]) -> str:
    return "".join(format_frame(f) for f in frames)


def _check_plain(text: str, what: str) -> None:
    found = TOKEN_RE.search(text)
    if found:
        raise InputError(
            f"{what} contains the special token {found.group()}, which the CWM text format cannot carry"
        )


# ----------------------------------------------------------------------------- reading


def _tokens(text: str, base: int) -> list[tuple[str, int, int]]:
    return [(m.group(), base + m.start(), base + m.end()) for m in TOKEN_RE.finditer(text)]


def parse_frames(text: str, *, base: int = 0, first_frame: int = 0) -> list[Frame]:
    """The frames in `text` (a sequence of whole frames). `base` is the position of `text`
    in a larger string, for the messages; any deviation raises TraceFormatError."""
    frames: list[Frame] = []
    tokens = _tokens(text, base)
    i = 0
    pos = base
    while i < len(tokens):
        index = first_frame + len(frames)
        frame, i, pos = _parse_one(text, base, tokens, i, pos, index)
        frames.append(frame)
    if pos != base + len(text):
        raise TraceFormatError("text after the last frame", pos, first_frame + len(frames))
    return frames


def _parse_one(
    text: str, base: int, tokens: list[tuple[str, int, int]], i: int, pos: int, index: int
) -> tuple[Frame, int, int]:
    def expect(k: int, wanted: tuple[str, ...]) -> tuple[str, int, int]:
        if k >= len(tokens):
            raise TraceFormatError(
                f"the frame ends early; expected {' or '.join(wanted)}", base + len(text), index
            )
        token = tokens[k]
        if token[0] not in wanted:
            raise TraceFormatError(f"expected {' or '.join(wanted)}, found {token[0]}", token[1], index)
        return token

    def between(start: int, end: int) -> str:
        return text[start - base : end - base]

    head = expect(i, tuple(TOKEN_EVENTS))
    if head[1] != pos:
        raise TraceFormatError(f"text before {head[0]}: {between(pos, head[1])[:40]!r}", pos, index)
    event = TOKEN_EVENTS[head[0]]
    action = expect(i + 1, (ACTION_SEP,))
    if event in ("call", "line"):
        local_vars = parse_locals(between(head[2], action[1]), head[2], index)
        end = expect(i + 2, (FRAME_SEP,))
        return Frame(event, between(action[2], end[1]), local_vars), i + 3, end[2]
    if action[1] != head[2]:
        raise TraceFormatError(f"a {event} frame has no locals before {ACTION_SEP}", head[2], index)
    arg = expect(i + 2, (ARG_SEP,))
    end = expect(i + 3, (FRAME_SEP,))
    value = parse_json(between(arg[2], end[1]), arg[2], index)
    if not isinstance(value, str):
        raise TraceFormatError(f"the {event} value must be a JSON string", arg[2], index)
    return Frame(event, between(action[2], arg[1]), None, value), i + 4, end[2]


def parse_json(payload: str, position: int, frame: int) -> Any:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise TraceFormatError(f"the local {key!r} appears twice", position, frame)
            out[key] = value
        return out

    try:
        return json.loads(payload, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise TraceFormatError(f"not JSON: {exc.msg}", position + exc.pos, frame) from None


def parse_locals(payload: str, position: int, frame: int) -> dict[str, str]:
    value = parse_json(payload, position, frame)
    if not isinstance(value, dict):
        raise TraceFormatError("the locals must be a JSON object", position, frame)
    for key, item in value.items():
        if not isinstance(item, str):
            raise TraceFormatError(f"the local {key!r} must be a JSON string (a repr)", position, frame)
    return value


def parse_trace(text: str) -> tuple[str, list[Frame]]:
    """(context, frames) of a whole trace: the prompt, then frames."""
    if not text.startswith(TRACE_CONTEXT_START):
        raise TraceFormatError(f"a trace starts with {TRACE_CONTEXT_START}", 0)
    start = len(TRACE_CONTEXT_START)
    end = text.find(FRAME_SEP, start)
    if end < 0:
        raise TraceFormatError(f"the context is not closed by {FRAME_SEP}", len(text))
    context = text[start:end]
    found = TOKEN_RE.search(context)
    if found:
        raise TraceFormatError(f"{found.group()} inside the context", start + found.start())
    body = end + len(FRAME_SEP)
    return context, parse_frames(text[body:], base=body)


def strip_marker(source: str) -> str:
    """A source line without CWM's start marker (a model may copy it from the context)."""
    newline = "\n" if source.endswith("\n") else ""
    body = source[: len(source) - len(newline)]
    if body.endswith(START_MARKER):
        body = body[: -len(START_MARKER)]
    return body + newline
