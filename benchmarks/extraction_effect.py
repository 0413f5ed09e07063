"""How much the extraction rule changes a model's score: the same raw answers judged with
the plain rule (the last fenced block in the language, nothing added) and with the rule
for function and assert problems (the block that defines the entry point, the prompt's
import lines put before it).

    .venv/bin/python benchmarks/extraction_effect.py demo-out/samples/*.jsonl [--benchmark humaneval]

Reads samples files written by `codefrontier sample` / `experiment run` (each line keeps
the model's whole answer in `raw`), judges every answer twice in the sandbox, and prints
per file and overall: samples, solved under each rule, and how many changed verdict and
why (a header added, another block chosen). Not a speed benchmark: a record of what the
rule does to a score.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("samples", nargs="+", type=Path)
    parser.add_argument("--benchmark", default="humaneval")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from codefrontier.contracts import Sample
    from codefrontier.judge import extract_for_problem, extract_program, judge_samples
    from codefrontier.problems.registry import load_benchmark

    problems = {p.id: p for p in load_benchmark(args.benchmark)}
    plain, new, how = [], [], []
    for path in args.samples:
        for line in path.read_text().splitlines():
            record = json.loads(line)
            raw = record.get("raw", record["code"])
            problem = problems[record["problem_id"]]
            key = (record["problem_id"], f"{path.stem}", record["sample"])
            code, extracted = extract_program(raw, "python")
            plain.append(Sample(key[0], key[1], key[2], "python", code, extracted))
            found = extract_for_problem(raw, "python", problem)
            new.append(Sample(key[0], key[1], key[2], "python", found.code, found.extracted))
            body = found.code.split("\n\n", 1)[1] if found.header else found.code
            reasons = (["imports added"] if found.header else []) + (
                ["another block"] if body != code else []
            )
            how.append(", ".join(reasons))
    used = [problems[pid] for pid in sorted({s.problem_id for s in plain})]
    before = judge_samples(used, plain, jobs=args.jobs)
    after = judge_samples(used, new, jobs=args.jobs)
    changed = Counter()
    per_file: dict[str, list[int]] = {}
    for b, a, reason in zip(before, after, how, strict=True):
        counts = per_file.setdefault(b.policy, [0, 0, 0])
        counts[0] += 1
        counts[1] += b.verdict == "AC"
        counts[2] += a.verdict == "AC"
        if (b.verdict == "AC") != (a.verdict == "AC"):
            changed[(str(b.verdict), str(a.verdict), reason or "same code")] += 1
    print(f"# {date.today()}  {len(plain)} answers of {len(used)} {args.benchmark} problems")
    print(
        f"{'file':24s} {'samples':>7s} {'solved (last block)':>20s} {'solved (entry point + imports)':>31s}"
    )
    total = [0, 0, 0]
    for name, (n, b, a) in sorted(per_file.items()):
        print(f"{name:24s} {n:7d} {b:13d} ({b / n:5.1%}) {a:24d} ({a / n:5.1%})")
        total = [total[0] + n, total[1] + b, total[2] + a]
    n, b, a = total
    print(f"{'all':24s} {n:7d} {b:13d} ({b / n:5.1%}) {a:24d} ({a / n:5.1%})")
    for (was, now, reason), count in sorted(changed.items()):
        print(f"  {count} changed {was} -> {now} ({reason})")


if __name__ == "__main__":
    main()
