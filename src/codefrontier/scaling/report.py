"""`codefrontier scale report DIR`: the run's methods side by side at their cost, the
equal-cost comparison, the warnings, and the HTML report of its results store (with
the solve-rate-vs-tokens figure attached)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codefrontier.errors import InputError
from codefrontier.scaling.outputs import SUMMARY_FORMAT


def read_summary(run_dir: str | Path) -> dict[str, Any]:
    path = Path(run_dir) / "summary.json"
    if not path.is_file():
        raise InputError(
            "no summary.json: not a finished scaling run (run `codefrontier scale run` first)", path=path
        )
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", path=path, line=exc.lineno) from None
    if data.get("format") != SUMMARY_FORMAT:
        raise InputError(f"not a {SUMMARY_FORMAT} file", path=path)
    return data


def _pct(value: float | None) -> str:
    return "n/e" if value is None else f"{100 * value:.1f}%"


def summary_text(data: dict[str, Any]) -> str:
    """The methods table, the equal-cost comparison and the warnings, as plain text."""
    lines = [f"{data['name']}: {data['tasks']} tasks"]
    header = f"{'method':<16}{'n':>5}{'solved':>9}{'tokens/task':>13}{'generator':>11}{'summarizer':>11}{'judge':>9}{'verifier':>10}{'calls':>8}{'wall s':>9}{'cpu s':>8}"
    lines += ["", header, "-" * len(header)]
    for p in data["points"]:
        roles = p["tokens_by_role"]
        lines.append(
            f"{p['method']:<16}{p['n']:>5}{_pct(p['solve_rate']):>9}{p['tokens'] or 0:>13,.0f}"
            f"{roles['generator']:>11,.0f}{roles['summarizer']:>11,.0f}{roles['judge']:>9,.0f}{roles['verifier']:>10,.0f}"
            f"{p['calls']:>8.1f}{p['wall_s']:>9.2f}{p['sandbox_cpu_s']:>8.2f}"
        )
    if data.get("equal_cost"):
        tokens = data["equal_cost"][0]["tokens"]
        lines += ["", f"at the cost of {data['reference']} ({tokens:,.0f} tokens per task):"]
        for a in data["equal_cost"]:
            how = {
                "beyond": "its largest size; it was not measured at this cost",
                "below": "not measured this low",
            }.get(a["how"], a["how"])
            lines.append(f"  {a['method']:<16}{_pct(a['solve_rate']):>9}  ({how})")
    for warning in data.get("warnings", []):
        lines.append(f"warning: {warning}")
    return "\n".join(lines)


def report_scaling(
    run_dir: str | Path, *, out: str | Path | None = None, html: bool = True
) -> tuple[str, Path | None]:
    """The text summary, and the HTML report written from RUN/results (into RUN/report by default)."""
    run_dir = Path(run_dir)
    data = read_summary(run_dir)
    index = None
    if html:
        from codefrontier.analysis import write_report

        index = write_report(
            [run_dir / "results"], Path(out) if out else run_dir / "report", title=data["name"]
        )
    return summary_text(data), index
