"""Sub-commands `trace`, `debug`, `traces build|eval` and `cruxeval score|generate|predict`
of the `codefrontier` command (docs/traces.md). Heavy modules load inside the commands."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from codefrontier.errors import ConfigError, InputError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    trace = subparsers.add_parser(
        "trace",
        help="trace one call of a Python program in the sandbox (CWM format or JSON)",
        description="Run CALL on the functions of FILE in the sandbox and print every call, line, return and "
        "exception event of the program's own code, in the Code World Model trace format or as JSON.",
    )
    trace.add_argument("file", type=Path, metavar="FILE.py")
    trace.add_argument("--call", required=True, metavar="EXPR", help='the call to trace, e.g. "f(1, 2)"')
    trace.add_argument("--format", choices=("cwm", "json"), default="cwm", help="output format (default cwm)")
    trace.add_argument("--diff", action="store_true", help='CWM\'s diff form: unchanged locals written ".."')
    _limit_arguments(trace)
    trace.set_defaults(func=cmd_trace)

    debug = subparsers.add_parser(
        "debug",
        help="an interactive debugger whose every answer comes from real execution or a model",
        description="Debug CALL on FILE: step, next, out, break N, continue, back (and rstep, rnext, rout, "
        "rbreak N for inverse execution), print NAME, quit. Without --model the answers come from real "
        "execution in the sandbox; with --model, from the model (nothing is executed).",
    )
    debug.add_argument("file", type=Path, metavar="FILE.py")
    debug.add_argument("--call", required=True, metavar="EXPR", help='the call to debug, e.g. "f(1, 2)"')
    _model_arguments(debug, required=False)
    debug.add_argument("--style", choices=("trace", "trajectory"), default="trace", help="model prompt style")
    _limit_arguments(debug)
    debug.set_defaults(func=cmd_debug)

    traces = subparsers.add_parser("traces", help="debugger-action datasets: build, evaluate")
    sub = traces.add_subparsers(dest="traces_command", metavar="COMMAND")
    build = sub.add_parser(
        "build",
        help="trace programs and sample debugger-action trajectories into a dataset",
        description="Trace every source in the sandbox and write random-policy trajectories (transitions."
        "parquet, trajectories.parquet, traces.parquet, provenance.json) into OUT.",
    )
    source = build.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--benchmark", help="cruxeval (its 800 programs), or a registry benchmark's references"
    )
    source.add_argument(
        "--problems", type=Path, metavar="FILE", help="a problems file: references on their tests"
    )
    source.add_argument(
        "--folder", type=Path, metavar="DIR", help="Python files, each with `# call: EXPR` lines"
    )
    build.add_argument(
        "--policy", choices=("random",), default="random", help="action policy (default random)"
    )
    build.add_argument("--actions", type=int, default=16, help="actions per trajectory (default 16)")
    build.add_argument("--seed", type=int, default=0, help="seed of the policy (default 0)")
    build.add_argument(
        "--direction",
        choices=("mixed", "forward", "inverse", "both"),
        default="mixed",
        help="mixed: any action from a random state; forward/inverse; both: one of each (default mixed)",
    )
    build.add_argument(
        "--per-trace", type=int, default=1, help="trajectories per trace and direction (default 1)"
    )
    build.add_argument(
        "--jsonl", action="store_true", help="also write transitions.jsonl and trajectories.jsonl"
    )
    build.add_argument("--out", type=Path, required=True, metavar="DIR")
    build.add_argument("--jobs", type=int, help="sandboxes (default: one per core)")
    build.add_argument("--isolation", default="auto", help="sandbox isolation level (default auto)")
    _limit_arguments(build)
    build.set_defaults(func=cmd_traces_build)

    evaluate = sub.add_parser(
        "eval",
        help="per-action accuracy of a debugger (a model, or the oracle) on a dataset's transitions",
        description="Ask each transition of DIR/transitions.parquet from its start state and compare the "
        "answer with the real next state, field by field, binned by how many states the action skips.",
    )
    evaluate.add_argument("dataset", type=Path, metavar="DIR")
    _model_arguments(evaluate, required=False)
    evaluate.add_argument(
        "--style", choices=("trace", "trajectory"), default="trace", help="model prompt style"
    )
    evaluate.add_argument("--limit", type=int, help="only the first N transitions")
    evaluate.add_argument("--concurrency", type=int, default=8, help="transitions asked at once (default 8)")
    evaluate.add_argument("--out", type=Path, metavar="FILE", help="write the accuracies as JSON")
    evaluate.set_defaults(func=cmd_traces_eval)
    traces.set_defaults(func=lambda args: _help(traces))

    crux = subparsers.add_parser("cruxeval", help="CruxEval: score, generate, predict with a debugger")
    csub = crux.add_subparsers(dest="cruxeval_command", metavar="COMMAND")
    score = csub.add_parser(
        "score",
        help="score generations exactly as CruxEval's harness does",
        description='Score a generations file in CruxEval\'s format ({"sample_0": [g, ...], ...}); writes '
        "OUT/scored.json in the original scored format and a results store (OUT/samples.parquet, ...).",
    )
    score.add_argument("generations", type=Path, metavar="GENERATIONS.json")
    score.add_argument("--mode", choices=("input", "output"), required=True)
    score.add_argument("--out", type=Path, required=True, metavar="DIR")
    score.add_argument("--policy", help="policy name in the results store (default: the file's name)")
    score.add_argument("--partial", action="store_true", help="score only the problems the file has")
    score.add_argument("--jobs", type=int, help="sandboxes (default: one per core)")
    score.add_argument("--isolation", default="auto", help="sandbox isolation level (default auto)")
    score.set_defaults(func=cmd_cruxeval_score)

    generate = csub.add_parser(
        "generate",
        help="generations from a model with CruxEval's prompts and post-processing",
        description="Prompt a model with CruxEval's prompt for each problem, cut at [/ANSWER], post-process as "
        "the original does, and write OUT (generations) and OUT_raw.json (prompt + completion). Resumable.",
    )
    _model_arguments(generate, required=True)
    generate.add_argument("--mode", choices=("input", "output"), required=True)
    generate.add_argument("--cot", action="store_true", help="the chain-of-thought prompts")
    generate.add_argument("--n", type=int, default=10, help="generations per problem (default 10)")
    generate.add_argument("--temperature", type=float, default=0.2, help="default 0.2, as the original")
    generate.add_argument("--top-p", type=float, default=0.95, help="default 0.95, as the original")
    generate.add_argument("--max-tokens", type=int, default=1024, help="tokens per completion (default 1024)")
    generate.add_argument("--limit", type=int, help="only the first N problems")
    generate.add_argument("--out", type=Path, required=True, metavar="GEN.json")
    generate.set_defaults(func=cmd_cruxeval_generate)

    predict = csub.add_parser(
        "predict",
        help="answer CruxEval with a debugger: step_return (output) or inv_step_return (input)",
        description="Predict each output by running the debugger from the call to its return, or each input "
        "by inverse execution from the return, then score with CruxEval's scorer. Without --model the "
        "debugger is real execution (CruxEval-O is then 100%%).",
    )
    _model_arguments(predict, required=False)
    predict.add_argument("--mode", choices=("input", "output"), required=True)
    predict.add_argument(
        "--style", choices=("trace", "trajectory"), default="trace", help="model prompt style"
    )
    predict.add_argument("--limit", type=int, help="only the first N problems")
    predict.add_argument("--out", type=Path, required=True, metavar="DIR")
    predict.add_argument("--jobs", type=int, help="sandboxes (default: one per core)")
    predict.set_defaults(func=cmd_cruxeval_predict)
    crux.set_defaults(func=lambda args: _help(crux))


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _limit_arguments(parser: argparse.ArgumentParser) -> None:
    from codefrontier.traces.tracer import TraceLimits

    TraceLimits.add_arguments(parser.add_argument_group("trace limits"))


def _limits(args: argparse.Namespace) -> Any:
    from codefrontier.traces.tracer import TraceLimits

    return TraceLimits.from_args(args)


def _model_arguments(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument(
        "--model", required=required, metavar="URL_OR_PATH", help="server URL or checkpoint directory"
    )
    parser.add_argument("--engine", choices=("auto", "http", "transformers", "vllm"), default="auto")
    parser.add_argument("--model-name", help="HTTP: the served model's name (default: the only one served)")
    parser.add_argument("--api-key", help="HTTP: API key (default: $OPENAI_API_KEY)")


def _backend(args: argparse.Namespace) -> Any:
    if not getattr(args, "model", None):
        return None
    from codefrontier.sampling.backends import open_backend

    return open_backend(
        args.model,
        engine=args.engine,
        model_name=args.model_name,
        api_key=args.api_key or os.environ.get("OPENAI_API_KEY"),
    )


def _read_program(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=path) from None


def _progress(label: str, total: int) -> Any:
    """A rich progress bar on a terminal (stderr), else nothing."""
    if not sys.stderr.isatty() or not total:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn(f"[bold]{label}[/bold]"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
    )
    task = bar.add_task(label, total=total)
    bar.start()
    bar.advance_one = lambda: bar.advance(task)  # type: ignore[attr-defined]
    return bar


# ----------------------------------------------------------------------------- trace, debug


def cmd_trace(args: argparse.Namespace) -> int:
    from codefrontier.traces.cwm import format_trace
    from codefrontier.traces.tracer import trace_call

    code = _read_program(args.file)
    trace = trace_call(code, args.call, _limits(args))
    if args.format == "json":
        print(json.dumps(trace.to_json(), indent=1))
    elif trace.events:
        print(format_trace(trace, diff=args.diff))
    if trace.outcome not in ("returned", "raised"):
        print(f"codefrontier trace: the trace ended {trace.outcome}: {trace.message}", file=sys.stderr)
        return 1
    return 0


DEBUG_COMMANDS = {
    "s": "step_into",
    "step": "step_into",
    "n": "step_over",
    "next": "step_over",
    "o": "step_return",
    "out": "step_return",
    "r": "step_return",
    "return": "step_return",
    "c": "continue",
    "continue": "continue",
    "rs": "inv_step_into",
    "rstep": "inv_step_into",
    "rn": "inv_step_over",
    "rnext": "inv_step_over",
    "ro": "inv_step_return",
    "rout": "inv_step_return",
}
DEBUG_HELP = (
    "step (s), next (n), out (o), break N (b N), continue (c), back, print [NAME] (p), "
    "rstep, rnext, rout, rbreak N (inverse execution), quit (q)"
)


def cmd_debug(args: argparse.Namespace) -> int:
    from codefrontier.traces import cwm
    from codefrontier.traces.debugger import ModelDebugger, OracleDebugger
    from codefrontier.traces.tracer import trace_call

    code = _read_program(args.file)
    backend = _backend(args)
    trace = trace_call(code, args.call, _limits(args))
    if not trace.events:
        raise InputError(
            f"nothing to debug: the trace ended {trace.outcome}: {trace.message}", path=args.file
        )
    if backend is None:
        debugger: Any = OracleDebugger(trace)
        print(f"debugging {args.call} (answers from real execution; {DEBUG_HELP})")
    else:
        # The model starts from the call frame (the arguments, as the sandbox evaluated them).
        debugger = ModelDebugger(backend, code, trace.entry_line, cwm.frames_of(trace)[:1], style=args.style)
        print(f"debugging {args.call} (answers from {args.model}; {DEBUG_HELP})")
    breakpoints: list[int] = []
    show(debugger.current)
    while True:
        try:
            line = input("(cfdb) ").strip()
        except EOFError:
            break
        if not line:
            continue
        word, _, rest = line.partition(" ")
        if word in ("q", "quit", "exit"):
            break
        if word in ("h", "help", "?"):
            print(DEBUG_HELP)
            continue
        if word == "back":
            show(debugger.back())
            continue
        if word in ("p", "print"):
            values = debugger.local_values()
            if not rest:
                print(values)
            else:
                print(values.get(rest.strip(), f"no local named {rest.strip()}"))
            continue
        try:
            if word in ("b", "break", "rb", "rbreak"):
                action = "inv_breakpoint" if word.startswith("r") else "breakpoint"
                arg: Any = int(rest)
                if action == "breakpoint":
                    breakpoints.append(arg)
            elif word in DEBUG_COMMANDS:
                action, arg = DEBUG_COMMANDS[word], None
                if action == "continue":
                    arg = tuple(breakpoints)
            else:
                print(f"unknown command {word!r}; {DEBUG_HELP}")
                continue
        except ValueError:
            print("break needs a line number")
            continue
        step = debugger.act(action, arg)
        if step.error is not None:
            print(f"decoding error: {step.error}")
        elif step.frame is None:
            print("(no stop: the program runs to its end)")
        else:
            show(step.frame)
    return 0


def show(frame: Any) -> None:
    print(f"-> [{frame.event}] {frame.source.rstrip()}")
    if frame.event in ("return", "exception"):
        print(f"   {frame.event} value: {frame.arg}")


# ----------------------------------------------------------------------------- traces


def cmd_traces_build(args: argparse.Namespace) -> int:
    from codefrontier.traces import trajectories as tj

    skipped = 0
    if args.benchmark == "cruxeval":
        sources = tj.cruxeval_sources()
        inputs: dict[str, Any] = {"benchmark": "cruxeval", "source": "facebookresearch/cruxeval (MIT)"}
    elif args.folder is not None:
        sources = tj.folder_sources(args.folder)
        inputs = {"folder": str(args.folder)}
    else:
        from codefrontier.problems.registry import resolve_problems

        name, problems = resolve_problems(args.benchmark, args.problems)
        sources, skipped = tj.problem_sources(problems, f"problems:{name}")
        inputs = {"benchmark": args.benchmark, "problems": str(args.problems) if args.problems else None}
        if not sources:
            raise InputError(f"{name} has no function problem with a reference solution to trace")
    bar = _progress("tracing", len(sources))
    try:
        report = tj.build_dataset(
            sources,
            args.out,
            actions=args.actions,
            seed=args.seed,
            direction=args.direction,
            per_trace=args.per_trace,
            jsonl=args.jsonl,
            limits=_limits(args),
            jobs=args.jobs,
            isolation=args.isolation,
            skipped_sources=skipped,
            inputs=inputs,
            progress=bar.advance_one if bar else None,
        )
    finally:
        if bar is not None:
            bar.stop()
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(report.traces.items()))
    print(
        f"{report.sources} traces ({outcomes}), {report.trajectories} trajectories, "
        f"{report.transitions} transitions in {report.seconds:.1f} s -> {args.out}"
    )
    if report.unusable:
        print(f"{report.unusable} traces did not finish and are left out (traces.parquet says why)")
    if skipped:
        print(f"{skipped} (problem, test) pairs could not be traced (not function problems, or no reference)")
    return 0


def cmd_traces_eval(args: argparse.Namespace) -> int:
    import pyarrow.parquet as pq

    from codefrontier.traces.debugger import FIELDS, evaluate
    from codefrontier.traces.tracer import trace_from_json

    path = args.dataset / "transitions.parquet"
    if not path.exists():
        raise InputError(
            "no transitions.parquet: build a dataset with `codefrontier traces build`", path=args.dataset
        )
    rows = pq.read_table(path).to_pylist()
    if args.limit:
        rows = rows[: args.limit]
    wanted = {r["source"] for r in rows}
    traces = {
        r["source"]: trace_from_json(json.loads(r["trace"]))
        for r in pq.read_table(args.dataset / "traces.parquet").to_pylist()
        if r["source"] in wanted
    }
    accuracy = evaluate(rows, traces, backend=_backend(args), style=args.style, concurrency=args.concurrency)
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"debugger accuracy ({'oracle' if not args.model else args.model})")
    for column in ("action", "transitions", "decoding errors", *FIELDS):
        table.add_column(column)
    for action, cell in accuracy.by_action().items():
        accs = [cell[f].accuracy for f in FIELDS]
        table.add_row(
            action,
            str(cell["transitions"]),
            str(cell["decoding_errors"]),
            *("-" if a is None else f"{a:.1%}" for a in accs),
        )
    Console().print(table)
    if args.out:
        args.out.write_text(json.dumps(accuracy.to_json(), indent=2) + "\n")
    return 0


# ----------------------------------------------------------------------------- cruxeval


def cmd_cruxeval_score(args: argparse.Namespace) -> int:
    from codefrontier.traces.cruxeval import read_generations, score_generations

    generations = read_generations(args.generations)
    count = sum(len(v) for v in generations.values())
    bar = _progress("checking", count)
    try:
        scored = score_generations(
            generations,
            args.mode,
            jobs=args.jobs,
            isolation=args.isolation,
            require_all=not args.partial,
            progress=bar.advance_one if bar else None,
        )
    finally:
        if bar is not None:
            bar.stop()
    args.out.mkdir(parents=True, exist_ok=True)
    _write_json(args.out / "scored.json", scored.to_json())
    policy = args.policy or args.generations.stem
    _store(scored, args.mode, policy, args.out, inputs={"generations": str(args.generations)})
    print(
        f"pass@1: {round(scored.pass_at_1, 1)} pass@5: {round(scored.pass_at_5, 1)} -> {args.out / 'scored.json'}"
    )
    return 0


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def _store(scored: Any, mode: str, policy: str, out: Path, inputs: dict[str, Any]) -> None:
    """One row per generation in a results store (the check as its only test)."""
    import time

    from codefrontier import __version__
    from codefrontier.judge import SampleResult, TestResult, Verdict, failure_class
    from codefrontier.store.results import ResultsStore

    store = ResultsStore(out)
    store.write_provenance(
        {
            "codefrontier_version": __version__,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "benchmark": f"cruxeval-{mode}",
            "command": sys.argv,
            "judge": {
                "harness": "CruxEval's check_correctness, 3 s, one fresh process per check, in the sandbox"
            },
            "inputs": inputs,
            "scores": {"pass_at_1": scored.pass_at_1, "pass_at_5": scored.pass_at_5},
        }
    )
    for problem, checks in scored.checks.items():
        for j, check in enumerate(checks):
            if check.skipped:
                verdict, detail = Verdict.WA, "not run: CruxEval's rule leaves this generation out"
            elif check.passed:
                verdict, detail = Verdict.AC, ""
            elif check.result == "timed out":
                verdict, detail = Verdict.TLE, check.result
            else:
                verdict = Verdict.WA if check.result == "failed: " else Verdict.RE
                detail = check.result
            test = TestResult(
                "check", 0, 0, None, verdict, cpu_s=check.cpu_s, wall_s=check.wall_s, detail=detail
            )
            store.add(
                SampleResult(
                    benchmark=f"cruxeval-{mode}",
                    problem_id=problem,
                    policy=policy,
                    sample=j,
                    language="python",
                    verdict=verdict,
                    failure_class=failure_class([verdict]),
                    tests=[test],
                    tests_total=1,
                    highest_level=1.0 if verdict is Verdict.AC else 0.0,
                    highest_tier=None,
                    detail=detail,
                )
            )
    store.finalize()


def cmd_cruxeval_generate(args: argparse.Namespace) -> int:
    import asyncio

    from codefrontier.sampling import GenerationParams
    from codefrontier.traces.cruxeval import STOP, load_cruxeval, make_prompt, postprocess

    if args.n < 1:
        raise ConfigError("--n must be at least 1")
    params = GenerationParams(args.temperature, args.top_p, args.max_tokens, stop=tuple(STOP))
    backend = _backend(args)
    items = load_cruxeval()[: args.limit] if args.limit else load_cruxeval()
    partial = args.out.with_name(args.out.name + ".partial.jsonl")
    done: dict[str, dict[str, Any]] = {}
    if partial.exists():  # a resumed run: the problems already generated are not asked again
        for line in partial.read_text().splitlines():
            try:
                rec = json.loads(line)
                done[rec["id"]] = rec
            except (json.JSONDecodeError, KeyError):
                continue  # a line cut by an interruption
    todo = [item for item in items if item.id not in done]
    bar = _progress("generating", len(todo))

    async def one(item: Any, gate: asyncio.Semaphore, sink: Any) -> None:
        prompt = make_prompt(item, args.mode, args.cot)
        async with gate:
            completions = await backend.complete(prompt, params, n=args.n)
        raw = [prompt + c.text for c in completions]
        rec = {
            "id": item.id,
            "generations": [postprocess(c.text, args.mode, args.cot) for c in completions],
            "raw": raw,
        }
        sink.write(json.dumps(rec) + "\n")
        sink.flush()
        done[item.id] = rec
        if bar is not None:
            bar.advance_one()

    async def run() -> None:
        gate = asyncio.Semaphore(max(1, getattr(backend, "max_concurrency", 8)))
        with open(partial, "a", encoding="utf-8") as sink:
            try:
                await asyncio.gather(*(one(item, gate, sink) for item in todo))
            finally:
                await backend.aclose()

    try:
        asyncio.run(run())
    finally:
        if bar is not None:
            bar.stop()
    _write_json(args.out, {item.id: done[item.id]["generations"] for item in items})
    raw = args.out.with_name(args.out.stem + "_raw" + args.out.suffix)
    _write_json(raw, {item.id: done[item.id]["raw"] for item in items})
    partial.unlink(missing_ok=True)
    print(f"{len(items)} problems x {args.n} generations -> {args.out} (prompt + completion: {raw})")
    return 0


def cmd_cruxeval_predict(args: argparse.Namespace) -> int:
    from codefrontier.traces.cruxeval import load_cruxeval, score_generations
    from codefrontier.traces.predictor import predict

    items = load_cruxeval()[: args.limit] if args.limit else load_cruxeval()
    backend = _backend(args)
    bar = _progress("predicting", len(items))
    try:
        predictions = predict(
            args.mode,
            items=items,
            backend=backend,
            style=args.style,
            jobs=args.jobs,
            progress=bar.advance_one if bar else None,
        )
    finally:
        if bar is not None:
            bar.stop()
    generations = {p.id: [p.generation] for p in predictions}
    scored = score_generations(generations, args.mode, items=items, jobs=args.jobs, require_all=False)
    args.out.mkdir(parents=True, exist_ok=True)
    _write_json(args.out / "generations.json", generations)
    _write_json(args.out / "scored.json", scored.to_json())
    who = "the oracle (real execution)" if backend is None else args.model
    policy = "oracle-debugger" if backend is None else f"debugger:{args.model}"
    _store(scored, args.mode, policy, args.out, inputs={"predictor": who})
    errors = sum(1 for p in predictions if p.error)
    task = "CruxEval-O" if args.mode == "output" else "CruxEval-I"
    print(
        f"{task} by the debugger ({who}): pass@1 {scored.pass_at_1:.2f} on {len(items)} problems -> {args.out}"
    )
    if errors:
        print(
            f"{errors} problems got no prediction (decoding errors or unfinished traces; generations.json has '')"
        )
    return 0
