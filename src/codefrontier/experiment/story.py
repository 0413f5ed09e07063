"""What the experiment's report says before its analysis: the model and its size, where
each compared checkpoint came from (its training runs, their logs and reward curves),
the problems, the samples, and what the numbers can and cannot say at this size.

`experiment_section(exp, report_dir)` returns that section's HTML and writes beside it
`training.png` (reward and loss per step of each run) and `training.csv` (every logged
step of every run). It reads only files the experiment wrote (manifest, train logs,
checkpoint configs).
"""

from __future__ import annotations

import csv
import html
import json
from pathlib import Path
from typing import Any

from codefrontier.experiment.config import TRAIN, Experiment


def _e(value: Any) -> str:
    return html.escape(str(value))


def model_size(directory: Path) -> int | None:
    """Parameters of a checkpoint, from its safetensors headers (no weights are read)."""
    import struct

    total = 0
    files = sorted(directory.glob("*.safetensors"))
    if not files:
        return None
    seen: set[str] = set()
    for file in files:
        with open(file, "rb") as fh:
            (length,) = struct.unpack("<Q", fh.read(8))
            header = json.loads(fh.read(length))
        for name, info in header.items():
            if name == "__metadata__" or name in seen:
                continue
            seen.add(name)
            count = 1
            for dim in info["shape"]:
                count *= dim
            total += count
    return total


def read_logs(exp: Experiment) -> dict[str, list[dict[str, Any]]]:
    logs: dict[str, list[dict[str, Any]]] = {}
    directory = exp.out / TRAIN / "logs"
    names = (["warmup"] if exp.train and exp.train.warmup_steps else []) + (
        [r.name for r in exp.train.runs] if exp.train else []
    )
    for name in names:
        path = directory / f"{name}.jsonl"
        if path.exists():
            logs[name] = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return logs


def write_training_files(logs: dict[str, list[dict[str, Any]]], report_dir: Path) -> list[str]:
    """training.csv and training.png in `report_dir`; the names written."""
    if not logs:
        return []
    keys = [
        "run",
        "step",
        "loss",
        "reward",
        "reward_std",
        "passed",
        "completion_length",
        "seconds",
        "cpu_seconds",
    ]
    with open(report_dir / "training.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=keys, extrasaction="ignore")
        writer.writeheader()
        for name, lines in logs.items():
            for line in lines:
                writer.writerow({"run": name, **line})
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    for name, lines in logs.items():
        steps = [line["step"] for line in lines]
        if any(line.get("reward") is not None for line in lines):
            left.plot(steps, [line.get("reward") for line in lines], marker="o", label=name)
        right.plot(steps, [line.get("loss") for line in lines], marker="o", label=name)
    left.set(
        title="GRPO: mean reward of the step's completions",
        xlabel="step",
        ylabel="reward",
        ylim=(-0.05, 1.05),
    )
    right.set(title="loss per step", xlabel="step", ylabel="loss")
    for axis in (left, right):
        axis.grid(alpha=0.3)
        if axis.get_legend_handles_labels()[0]:
            axis.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(report_dir / "training.png", dpi=110)
    plt.close(fig)
    return ["training.csv", "training.png"]


def experiment_section(
    exp: Experiment, report_dir: Path, problem_count: int, manifest: dict[str, Any]
) -> str:
    """The report's opening section (see the module doc)."""
    report_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    base = exp.train.base if exp.train else (exp.merge.inputs[0][1] if exp.merge else None)
    if base is not None:
        size = model_size(base)
        sized = f"{size / 1e6:.0f}M parameters" if size else "size unknown"
        rows.append(("model", f"<code>{_e(base)}</code> ({sized})"))
    source = exp.benchmark or str(exp.problems_file)
    rows.append(
        ("evaluation problems", f"{problem_count} of {_e(source)}: {_e(', '.join(exp.problem_ids or []))}")
    )
    sampling = exp.sampling
    rows.append(
        (
            "samples",
            f"{sampling.n} per problem and policy ({sampling.setting.setting.value} setting, temperature "
            f"{sampling.setting.temperature:g}, at most {sampling.setting.max_tokens} tokens)",
        )
    )
    parts = ["<h2>The experiment</h2>", "<table>"]
    parts += [f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows]
    parts.append("</table>")
    if exp.train is not None:
        logs = read_logs(exp)
        written = write_training_files(logs, report_dir)
        outputs = manifest.get("stages", {}).get("train", {}).get("outputs", {})
        parts.append(
            f"<h3>Training</h3><p>From the model above, on {len(exp.train.problem_ids)} training problems "
            f"({_e(', '.join(exp.train.problem_ids))}), none of them evaluated below.</p>"
        )
        head = "<tr><th>run</th><th>what</th><th>steps</th><th>last loss</th><th>last reward</th><th>seconds</th></tr>"
        body = []
        if exp.train.warmup_steps:
            body.append(_run_row("warmup", "supervised, reference solutions", logs, outputs))
        for run in exp.train.runs:
            what = f"GRPO, reward: every test of coverage level {run.level} passes"
            body.append(_run_row(run.name, what, logs, outputs))
        parts.append("<table>" + head + "".join(body) + "</table>")
        if "training.png" in written:
            parts.append('<p><img src="training.png" alt="reward and loss per training step"></p>')
            parts.append('<p>Every logged step: <a href="training.csv">training.csv</a>.</p>')
    parts.append(
        "<p><b>What this can say.</b> Every rate below comes from "
        f"{problem_count} problems &times; {sampling.n} samples per policy; the brackets are 95% bootstrap "
        "intervals over problems, and at this size they are wide: read differences inside them as noise. "
        "Nothing here says how the same training would do on other problems, with more samples, or on a "
        "larger model.</p>"
    )
    return "\n".join(parts)


def _run_row(name: str, what: str, logs: dict[str, list[dict[str, Any]]], outputs: dict[str, Any]) -> str:
    lines = logs.get(name, [])
    last = lines[-1] if lines else {}

    def num(value: Any) -> str:
        return f"{value:.3g}" if isinstance(value, int | float) else "-"

    seconds = outputs.get(name, {}).get("seconds")
    return (
        f"<tr><td>{_e(name)}</td><td>{_e(what)}</td><td>{len(lines)}</td><td>{num(last.get('loss'))}</td>"
        f"<td>{num(last.get('reward'))}</td><td>{num(seconds)}</td></tr>"
    )
