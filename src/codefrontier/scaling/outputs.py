"""The derived files of a scaling run (rewritten, atomically, at the end of each run):
brackets.jsonl, selections.jsonl, methods.csv, equal_cost.csv, rollouts.parquet,
results/ (a results store of the picked programs, with the solve-rate-vs-tokens figure
attached) and summary.json. Formats: docs/scaling.md ("The run directory")."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from codefrontier.scaling.accounting import ROLES, Point, equal_cost
from codefrontier.scaling.config import ScalingExperiment
from codefrontier.scaling.plot import write_figure

SUMMARY_FORMAT = "codefrontier-scaling-summary/1"


def reference_method(points: Sequence[Point]) -> str:
    """The method the equal-cost comparison is read at: PDR if it ran, else the costliest."""
    methods = {p.method for p in points}
    if "pdr" in methods:
        return "pdr"
    return max(points, key=lambda p: p.tokens).method


def write_outputs(
    exp: ScalingExperiment,
    benchmark: str,
    outcomes: Sequence[Any],
    rows: Sequence[Any],
    verdicts: dict[str, Any],
    oracle: Any,
    warnings: list[str],
) -> list[Point]:
    from codefrontier.problems.io import write_jsonl_atomic
    from codefrontier.scaling.pipeline import points as mean_points

    out = exp.run_dir
    pts = mean_points(rows)
    write_jsonl_atomic(out / "brackets.jsonl", (b.to_json() for o in outcomes for b in o.brackets))
    write_jsonl_atomic(
        out / "selections.jsonl",
        ({**r.to_json(), "verdict": verdicts[r.rollout].verdict} for r in rows),
    )
    per_role = _per_role(rows)
    _write_text(out / "methods.csv", _methods_csv(pts, per_role))
    reference = reference_method(pts) if pts else ""
    comparison = equal_cost(pts, reference) if pts else []
    _write_text(out / "equal_cost.csv", _equal_cost_csv(comparison, reference))
    _write_rollouts_parquet(out / "rollouts.parquet", outcomes, verdicts)
    _write_results_store(exp, benchmark, rows, pts, oracle, outcomes)
    summary = {
        "format": SUMMARY_FORMAT,
        "name": exp.name,
        "tasks": len(outcomes),
        "methods": exp.methods,
        "settings": asdict(exp.scaling),
        "points": [{**asdict(p), "tokens_by_role": per_role[(p.method, p.n)]} for p in pts],
        "reference": reference,
        "equal_cost": [asdict(a) for a in comparison],
        "warnings": warnings,
    }
    _write_text(out / "summary.json", json.dumps(_finite(summary), indent=2) + "\n")
    return pts


def _per_role(rows: Sequence[Any]) -> dict[tuple[str, int], dict[str, float]]:
    groups: dict[tuple[str, int], list[Any]] = {}
    for row in rows:
        groups.setdefault((row.method, row.n), []).append(row)
    return {
        key: {role: sum(r.cost.tokens(role) for r in g) / len(g) for role in ROLES}
        for key, g in groups.items()
    }


def _methods_csv(pts: Sequence[Point], per_role: dict[tuple[str, int], dict[str, float]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "method",
            "n",
            "tasks",
            "solve_rate",
            "tokens",
            *(f"tokens_{r}" for r in ROLES),
            "calls",
            "wall_s",
            "sandbox_cpu_s",
        ]
    )
    for p in pts:
        roles = per_role[(p.method, p.n)]
        writer.writerow(
            [
                p.method,
                p.n,
                p.tasks,
                f"{p.solve_rate:.6g}",
                f"{p.tokens:.6g}",
                *(f"{roles[r]:.6g}" for r in ROLES),
                f"{p.calls:.6g}",
                f"{p.wall_s:.6g}",
                f"{p.sandbox_cpu_s:.6g}",
            ]
        )
    return buffer.getvalue()


def _equal_cost_csv(comparison: Sequence[Any], reference: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["reference", "method", "tokens", "solve_rate", "how", "at_tokens"])
    for a in comparison:
        writer.writerow(
            [
                reference,
                a.method,
                f"{a.tokens:.6g}",
                "" if math.isnan(a.solve_rate) else f"{a.solve_rate:.6g}",
                a.how,
                f"{a.at_tokens:.6g}",
            ]
        )
    return buffer.getvalue()


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _write_rollouts_parquet(path: Path, outcomes: Sequence[Any], verdicts: dict[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = []
    for outcome in outcomes:
        for r in sorted(outcome.rollouts.values(), key=lambda r: (r.stage, r.index)):
            passed, total = r.public_score
            v = verdicts.get(r.id)
            rows.append(
                {
                    "rollout": r.id,
                    "task": r.task,
                    "stage": r.stage,
                    "index": r.index,
                    "status": r.status,
                    "stop": r.stop,
                    "steps": len(r.steps),
                    "public_passed": passed,
                    "public_total": total,
                    "verdict": v.verdict if v else None,
                    "passed": v.passed if v else None,
                    "prompt_tokens": r.cost.prompt_tokens.get("generator", 0),
                    "completion_tokens": r.cost.completion_tokens.get("generator", 0),
                    "calls": r.cost.total_calls(),
                    "wall_s": r.cost.wall_s,
                    "sandbox_cpu_s": r.cost.sandbox_cpu_s,
                    "context_sources": len(r.sources),
                    "code_sha256": r.code_sha256,
                }
            )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(pa.Table.from_pylist(rows), tmp)
    os.replace(tmp, path)


def _write_results_store(
    exp: ScalingExperiment,
    benchmark: str,
    rows: Sequence[Any],
    pts: Sequence[Point],
    oracle: Any,
    outcomes: Sequence[Any],
) -> None:
    """results/: one policy per method and size (`pdr@32`), one sample per task: the
    picked program's verdict, as the judge gave it. Built aside, then moved into place."""
    from codefrontier.store.results import ResultsStore

    rollouts = {r.id: r for o in outcomes for r in o.rollouts.values()}
    tokens = {(p.method, p.n): p.tokens for p in pts}
    final = exp.run_dir / "results"
    building = exp.run_dir / ".results.building"
    shutil.rmtree(building, ignore_errors=True)
    store = ResultsStore(building)
    for row in rows:
        result = oracle.sample_result(rollouts[row.rollout])
        if result is None:
            continue
        meta = {"method": row.method, "n": row.n, "tokens_per_task": round(tokens[(row.method, row.n)], 1)}
        store.add(
            replace(result, benchmark=benchmark, policy=f"{row.method}@{row.n}", sample=0, policy_meta=meta)
        )
    store.finalize()
    store.write_provenance(
        {
            "format": "codefrontier-scaling-results/1",
            "what": "the program each test-time scaling method picked, per task, judged on the hidden tests",
            "judge": oracle.settings(),
            "run": str(exp.run_dir),
        }
    )
    write_figure(pts, building / "figures", title=f"{exp.name}: solve rate against tokens")
    old = exp.run_dir / ".results.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(building, final)
    shutil.rmtree(old, ignore_errors=True)
