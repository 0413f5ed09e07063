"""Scripted models for the debugger tests: they answer from a real trace (an "oracle
model": the plumbing must then give full accuracy) or with garbage (decoding errors)."""

from __future__ import annotations

from typing import Any

from codefrontier.traces import cwm
from codefrontier.traces.trajectories import DEBUGGER_ACTION_SEP, parse_action
from codefrontier.traces.tree import StateTree, apply
from sampling.openai_server import Reply, answer  # tests/ is on sys.path (pytest rootdir)


class OracleModel:
    """Answers every completion request with the true next frame of the trace it knows.
    `requests` keeps the prompts, to check what the debugger forced."""

    def __init__(self, traces: dict[str, Any]) -> None:
        self.by_code = {t.code: t for t in traces.values()}
        self.prompts: list[str] = []

    def __call__(self, request: dict[str, Any], index: int) -> Reply:
        prompt = request["prompt"]
        self.prompts.append(prompt)
        context_end = prompt.index(cwm.FRAME_SEP)
        context = prompt[len(cwm.TRACE_CONTEXT_START) : context_end]
        trace = next(t for code, t in self.by_code.items() if _same_program(code, context))
        frames = cwm.frames_of(trace)
        tree = StateTree.of(trace)
        body = prompt[context_end + len(cwm.FRAME_SEP) :]
        if DEBUGGER_ACTION_SEP in body:
            return answer(self._trajectory(body, frames, tree))
        return answer(self._trace(body, frames, tree))

    def _trace(self, body: str, frames: list[cwm.Frame], tree: StateTree) -> str:
        forced = next((e for e, tok in cwm.EVENT_TOKENS.items() if body.endswith(tok)), None)
        if forced:
            body = body[: -len(cwm.EVENT_TOKENS[forced])]
        seen = cwm.parse_frames(body)
        pos = frames.index(cwm.resolve(seen)[0])
        for j in range(1, len(seen)):
            if seen[j].event == "return" and seen[j - 1].event == "call" and frames[pos].event == "call":
                pos = tree.activation(pos).ret  # a nested call the debugger collapsed
            else:
                pos += 1
        if forced == "return":
            nxt = tree.activation(pos).ret
        else:
            nxt = pos + 1
        if nxt is None or nxt >= len(frames):
            return cwm.END_OF_TEXT
        text = cwm.format_frame(frames[nxt])[: -len(cwm.FRAME_SEP)]
        return text[len(cwm.EVENT_TOKENS[forced]) :] if forced else text

    def _trajectory(self, body: str, frames: list[cwm.Frame], tree: StateTree) -> str:
        parts = body.split(DEBUGGER_ACTION_SEP)
        state = frames.index(cwm.parse_frames(parts[0])[0])
        for part in parts[1:]:
            cut = part.index(cwm.FRAME_SEP) + len(cwm.FRAME_SEP)
            action, arg = parse_action(DEBUGGER_ACTION_SEP + part[:cut])
            stop = apply(tree, state, action, arg)
            if stop is None:
                return cwm.END_OF_TEXT
            state = stop
        return cwm.format_frame(frames[state])[: -len(cwm.FRAME_SEP)]


def _same_program(code: str, context: str) -> bool:
    return context.replace(cwm.START_MARKER, "").rstrip("\n") == code.rstrip("\n")


def garbage(request: dict[str, Any], index: int) -> Reply:
    return answer('{"x": 1, this is not a frame')
