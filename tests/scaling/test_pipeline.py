"""The whole pipeline on bundled problems, with a scripted model behind the loopback
OpenAI-compatible server: every method, judged for real on the hidden tests, a report
with the solve-rate-vs-tokens figure, and runs that resume without paying twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codefrontier.cli import main
from codefrontier.sampling.samplefile import read_records
from codefrontier.scaling import run_scaling

from .conftest import TASKS, write_experiment

SRC = Path(__file__).resolve().parents[2] / "src"


def lines(path: Path) -> list[dict]:
    return [record for _, record in read_records(path)]


def contents(requests: list[dict]) -> list[str]:
    return [m.get("content") or "" for r in requests for m in r.get("messages", [])]


def test_the_whole_pipeline_runs_every_method_on_bundled_problems(tmp_path, scripted, tasks, capsys):
    server, model = scripted()
    exp = write_experiment(tmp_path, server.url)
    assert main(["scale", "run", str(exp), "--no-progress"]) == 0
    out = tmp_path / "exp"
    printed = capsys.readouterr().out
    assert "2 tasks; paid for" in printed and "at the cost of pdr" in printed

    selections = lines(out / "selections.jsonl")
    methods = {(s["method"], s["n"]) for s in selections}
    assert {("pdr", 8), ("random_k", 8), ("single_summary", 8), ("rtv", 4), ("rtv", 8)} <= methods
    assert (
        {("best_of_n", n) for n in (1, 2, 4, 8)} <= methods
        and ("majority", 8) in methods
        and ("oracle", 8) in methods
    )
    assert len(selections) == len(methods) * len(TASKS)
    oracle = {(s["task"], s["n"]): s["passed"] for s in selections if s["method"] == "oracle"}
    assert all(oracle[(t, 8)] for t in TASKS)  # the scripted model solves each task in some rollout
    pdr = [s for s in selections if s["method"] == "pdr"]
    assert all(s["passed"] for s in pdr)  # refinement rollouts see the context and answer the reference
    roles = pdr[0]["cost"]["tokens"]
    assert (
        roles["generator"] > 0 and roles["summarizer"] > 0 and roles["judge"] > 0 and roles["verifier"] == 0
    )
    majority = next(s for s in selections if s["method"] == "majority")
    assert majority["cost"]["tokens"]["verifier"] > 0 and majority["cost"]["sandbox_cpu_s"] > 0

    rollouts = lines(out / "rollouts.jsonl")
    assert {r["stage"] for r in rollouts} == {"r0", "pdr.r1", "random_k.r1", "single_summary.r1"}
    step = rollouts[0]["steps"][0]
    assert set(step) == {"turn", "action", "observation"} and "```python" in step["action"]["text"]
    refined = next(r for r in rollouts if r["stage"] == "pdr.r1")
    assert len(refined["sources"]) == 2 and "Earlier attempts at this task" in refined["prompt"][1]["content"]
    summaries = lines(out / "summaries.jsonl")
    assert {s["source"] for s in summaries} == {"model"} and any(s["attempts"] == 2 for s in summaries)
    brackets = lines(out / "brackets.jsonl")
    vote = brackets[0]["rounds"][0][0]["votes"][0]
    assert vote["answer"].rstrip().splitlines()[-1].startswith("FINAL: ") and vote["choice"] in vote["shown"]

    # the selector never saw a hidden test: no hidden input is in any request
    hidden = [t.input_bytes().decode().strip() for p in tasks for t in p.tests if t.hidden]
    public = {t.input_bytes().decode().strip() for p in tasks for t in p.public_tests()}
    texts = contents(server.requests)
    assert all(h not in text for h in hidden if h not in public and len(h) > 20 for text in texts)

    summary = json.loads((out / "summary.json").read_text())
    assert summary["reference"] == "pdr" and {a["method"] for a in summary["equal_cost"]} >= {
        "pdr",
        "best_of_n",
    }
    assert (out / "results" / "figures" / "solve_rate_vs_tokens.png").stat().st_size > 1000
    assert (out / "rollouts.parquet").exists() and (out / "methods.csv").read_text().startswith(
        "method,n,tasks"
    )

    assert main(["scale", "report", str(out)]) == 0
    index = (out / "report" / "index.html").read_text()
    assert "Attached figures" in index and "solve rate against tokens" in index and "pdr@8" in index
    assert (out / "report" / "attached_solve_rate_vs_tokens.png").exists()

    requests = len(server.requests)
    again = run_scaling(exp)
    assert len(server.requests) == requests and again.paid == 0 and again.reused > 0
    assert lines(out / "selections.jsonl") == selections


def test_an_endpoint_that_fails_mid_run_records_the_rollouts_as_failed_and_the_run_goes_on(
    tmp_path, scripted, capsys
):
    server, model = scripted(fail_agent=lambda seed: seed % 3 == 0)
    exp = write_experiment(
        tmp_path, server.url, methods=["oracle", "best_of_n", "rtv"], body="#replace n = 4 => n = 3"
    )
    assert main(["scale", "run", str(exp), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "rollouts failed after every retry (recorded as failed)" in err and "--retry-failed" in err
    out = tmp_path / "exp"
    failed = [r for r in lines(out / "rollouts.jsonl") if r["status"] == "failed"]
    assert failed and all(
        r["stop"] == "failed"
        and "gave up after 2 attempts: the scripted endpoint is down" in r["error"]
        and r["program"] == ""
        for r in failed
    )
    summaries = {s["rollout"]: s for s in lines(out / "summaries.jsonl")}
    assert all(
        summaries[r["key"]]["final_status"] != "passed_public_tests" for r in failed if r["key"] in summaries
    )
    assert any("recorded as failed" in w for w in json.loads((out / "summary.json").read_text())["warnings"])
    assert len(lines(out / "selections.jsonl")) > 0  # the run went on to the end

    agent_requests = model.kinds["agent"]
    assert main(["scale", "run", str(exp), "--no-progress"]) == 1  # failed rollouts stay failed ...
    assert model.kinds["agent"] == agent_requests
    model.fail_agent = None
    assert main(["scale", "run", str(exp), "--no-progress", "--retry-failed"]) == 0  # ... until retried
    assert model.kinds["agent"] > agent_requests
    latest = {r["key"]: r for r in lines(out / "rollouts.jsonl")}
    assert all(latest[r["key"]]["status"] == "ok" for r in failed)
    retried = {r["key"] for r in failed}
    fresh = [s for s in lines(out / "summaries.jsonl") if s["rollout"] in retried and s["source"] == "model"]
    assert {s["rollout"] for s in fresh} == retried  # the drawn-again rollouts were summarized again


@pytest.mark.slow
def test_a_run_killed_midway_resumes_without_paying_again_for_anything_on_disk(tmp_path, scripted):
    server, model = scripted()
    methods = ["oracle", "best_of_n", "rtv", "pdr"]
    clean_dir, killed_dir = tmp_path / "clean", tmp_path / "killed"
    clean_dir.mkdir()
    killed_dir.mkdir()
    clean = run_scaling(write_experiment(clean_dir, server.url, methods=methods))
    exp = write_experiment(killed_dir, server.url, methods=methods)
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    child = subprocess.Popen(
        [sys.executable, "-m", "codefrontier.cli", "scale", "run", str(exp), "--no-progress"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    out = killed_dir / "exp"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if (out / "votes.jsonl").exists() and len(lines(out / "votes.jsonl")) >= 6:
            break
        time.sleep(0.05)
    assert child.poll() is None, "the run ended before it could be killed"
    child.send_signal(signal.SIGKILL)
    child.wait()
    on_disk = {
        name: {r["key"] for r in lines(out / f"{name}.jsonl")} for name in ("rollouts", "summaries", "votes")
    }
    assert on_disk["rollouts"] and not (out / "summary.json").exists()

    resumed = run_scaling(exp)
    assert resumed.drawn == clean.drawn - len(on_disk["rollouts"])
    assert resumed.summaries == clean.summaries - len(on_disk["summaries"])
    assert resumed.votes == clean.votes - len(on_disk["votes"])
    assert _picks(out) == _picks(clean_dir / "exp")


def _picks(out: Path) -> list[tuple]:
    return sorted(
        (s["task"], s["method"], s["n"], s["rollout"], s["passed"]) for s in lines(out / "selections.jsonl")
    )
