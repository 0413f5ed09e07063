"""Debuggers: the oracle is real execution; a model behind a sampling backend is prompted
as CWM's debugger prompts it (forced separators), and what it writes is parsed, scored
field by field, and never crashes the debugger when it does not parse."""

from __future__ import annotations

import pytest

from codefrontier.sampling import open_backend
from codefrontier.traces import Tracer
from codefrontier.traces.cruxeval import load_cruxeval, score_generations
from codefrontier.traces.cwm import frames_of
from codefrontier.traces.debugger import FIELDS, ModelDebugger, OracleDebugger, evaluate
from codefrontier.traces.predictor import call_from_locals, predict
from codefrontier.traces.trajectories import Source, _sample
from sampling.openai_server import MODEL, LoopbackServer

from . import programs
from .oracle_model import OracleModel, garbage


@pytest.fixture(scope="module")
def traces(tracer: Tracer) -> dict[str, object]:
    return {name: tracer.trace(code, call) for name, (code, call) in programs.ALL.items()}


def backend_for(server: LoopbackServer):  # noqa: ANN201 - the sampling backend
    return open_backend(server.url, model_name=MODEL)


def transitions(traces: dict[str, object]) -> list[dict]:
    rows = []
    for name, trace in sorted(traces.items()):
        source = Source(name, trace.code, trace.call, "test")
        rows += _sample(source, trace, 12, 7, ("forward", "inverse", "mixed"), 1)[0]
    return rows


def test_the_oracle_debugger_walks_the_real_trace(traces: dict[str, object]) -> None:
    debugger = OracleDebugger(traces["recursion"])
    assert debugger.act("step_over").frame.source == "    if n <= 1:\n"
    assert debugger.act("step_return").frame.arg == "6"
    assert debugger.local_values() == {"n": "3"}
    assert debugger.act("step_over").frame is None  # the entry returned: no stop left
    assert debugger.back().event == "line" and debugger.act("inv_step_return").frame.event == "call"


def test_step_forces_a_line_frame_after_a_call_and_next_forces_a_return(traces: dict[str, object]) -> None:
    model = OracleModel(traces)
    with LoopbackServer(model) as server:
        trace = traces["two_calls"]
        debugger = ModelDebugger(backend_for(server), trace.code, trace.entry_line, frames_of(trace)[:1])
        step = debugger.act("step_into")
        assert model.prompts[-1].endswith(
            "<|call_sep|>" + '{"a": "2", "b": "3"}' + "<|action_sep|>def h(a, b):\n<|frame_sep|><|line_sep|>"
        )
        assert step.frame.source == "    return sq(a) + sq(b)\n"
        step = debugger.act("step_over")  # over both calls of sq: each call collapses to call + return
        assert step.frame.event == "return" and step.frame.arg == "13"
        forced = [p for p in model.prompts if p.endswith("<|return_sep|>")]
        assert len(forced) == 2 and all(
            p[: -len("<|return_sep|>")].endswith("def sq(x):\n<|frame_sep|>") for p in forced
        )
        assert step.frames_generated == 5  # call, return, call, return, the stop
        debugger.close()


@pytest.mark.parametrize("style", ["trace", "trajectory"])
def test_a_model_that_answers_like_the_program_scores_full_accuracy(
    traces: dict[str, object], style: str
) -> None:
    rows = transitions(traces)
    by_source = {name: t for name, t in traces.items()}
    with LoopbackServer(OracleModel(traces)) as server:
        accuracy = evaluate(rows, by_source, backend=backend_for(server), style=style, concurrency=4)
    table = accuracy.by_action()
    assert set(table) >= {"step_into", "step_over", "step_return", "breakpoint", "inv_step_over"}
    for action, cell in table.items():
        assert cell["decoding_errors"] == 0, action
        for f in FIELDS:
            assert cell[f].accuracy in (None, 1.0), (action, f)
    assert sum(cell["transitions"] for cell in table.values()) == len(rows)


def test_the_oracle_is_exact_on_every_transition(traces: dict[str, object]) -> None:
    accuracy = evaluate(transitions(traces), traces)
    assert all(cell["line"].accuracy == 1.0 for cell in accuracy.by_action().values())
    assert accuracy.to_json()["bins"] == ["0", "1", "2-3", "4-7", "8-15", "16+"]


def test_a_frame_that_does_not_parse_is_a_decoding_error_not_a_crash(traces: dict[str, object]) -> None:
    with LoopbackServer(garbage) as server:
        trace = traces["loop"]
        debugger = ModelDebugger(backend_for(server), trace.code, trace.entry_line, frames_of(trace)[:1])
        step = debugger.act("step_over")
        assert step.frame is None and "does not parse" in step.error
        assert debugger.current == frames_of(trace)[0]  # it stays where it was
        rows = transitions({"loop": trace})[:10]
        accuracy = evaluate(rows, {"loop": trace}, backend=backend_for(server))
        debugger.close()
    cells = accuracy.by_action().values()
    assert sum(c["decoding_errors"] for c in cells) == len(rows)
    assert all(c["event"].accuracy == 0.0 for c in cells)


def test_the_debugger_answers_cruxeval_through_a_model(tracer: Tracer) -> None:
    items = load_cruxeval()[:5]
    traced = {item.id: tracer.trace(item.code, item.call) for item in items}
    with LoopbackServer(OracleModel(traced)) as server:
        outputs = predict("output", items=items, backend=backend_for(server), jobs=2)
    scored = score_generations(
        {p.id: [p.generation] for p in outputs}, "output", items=items, require_all=False
    )
    assert scored.pass_at_1 == 100.0
    with LoopbackServer(garbage) as server:
        inputs = predict("input", items=items, backend=backend_for(server), jobs=2)
    assert all(p.generation == "" and "does not parse" in p.error for p in inputs)


def test_the_oracle_debugger_gets_cruxeval_o_right_and_i_from_the_call_frame() -> None:
    items = load_cruxeval()[:12]
    for mode in ("output", "input"):
        predictions = predict(mode, items=items, jobs=2)
        scored = score_generations(
            {p.id: [p.generation] for p in predictions}, mode, items=items, require_all=False
        )
        assert scored.pass_at_1 == 100.0, mode


def test_a_call_is_rebuilt_from_a_call_frame_in_signature_order() -> None:
    code = "def f(a, b=2, *rest, key=None, **more):\n    return a\n"
    assert call_from_locals(code, {"a": "1", "b": "2", "rest": "(3,)", "key": "'k'", "more": "{}"}) == (
        "f(1, 2, *(3,), key='k', **{})"
    )
    assert call_from_locals(code, {"b": "5", "a": "1"}) == "f(1, 5)"
