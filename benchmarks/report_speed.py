"""How long `codefrontier report` takes on a large results store.

Synthesizes a store of 100 problems x 8 policies x 100 samples x 20 tests (80,000
sample rows, 1,600,000 test rows, every test run as in full-run judging) with the
columns of the results-store contract, then times `write_report` on it, stage by
stage, and `summary_text`. Prints times; never passes or fails on them.

    .venv/bin/python benchmarks/report_speed.py [--problems 100 --policies 8 --samples 100 --tests 20]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from codefrontier.analysis.analyze import Options, analyze
from codefrontier.analysis.plots import FIGURES, write_plot
from codefrontier.analysis.report import render_html, write_report
from codefrontier.analysis.summary import summary_text
from codefrontier.store.queries import VERDICTS, load_outcomes

V = {v: i for i, v in enumerate(VERDICTS)}
CLASSES = np.array(["solved", "correctness", "optimization", "internal"])
TIERS = np.array(["small", "medium", "large"])
TIME_LIMIT_S = 2.0


def _strings(values: np.ndarray) -> pa.Array:
    """A string column from small integer codes into a numpy array of labels."""
    labels, codes = np.unique(values, return_inverse=True)
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(labels.tolist())).cast(
        pa.string()
    )


def synthesize(root: Path, problems: int, policies: int, samples: int, tests: int, seed: int = 0) -> Path:
    """Write a results store: policies on an alpha line (low alpha slow, high alpha
    wrong), problems of spread-out difficulty, per-pair luck for complementarity."""
    rng = np.random.default_rng(seed)
    alphas = np.linspace(-0.25, 1.5, policies)
    hardness = rng.uniform(-3, 6, problems)
    skill = 0.8 - 0.9 * (alphas - 0.6) ** 2
    luck = rng.normal(0, 1.5, (policies, problems))
    solve = 1 / (1 + np.exp(hardness[None, :] - skill[:, None] - luck))
    wrong = np.clip(0.15 + 0.5 * alphas, 0.05, 0.95)[:, None]
    probs = np.stack(
        [solve, (1 - solve) * wrong, (1 - solve) * (1 - wrong), np.full_like(solve, 0.004)], axis=-1
    )
    probs /= probs.sum(axis=-1, keepdims=True)

    q_idx, p_idx, s_idx = (
        a.ravel()
        for a in np.meshgrid(np.arange(policies), np.arange(problems), np.arange(samples), indexing="ij")
    )
    n = q_idx.size
    cum = probs.cumsum(axis=-1)[q_idx, p_idx]
    cls = (rng.random(n)[:, None] > cum).sum(axis=1).clip(0, 3)

    # Test verdicts [sample, test], consistent with the class.
    verd = np.full((n, tests), V["AC"], dtype=np.int8)
    col = np.arange(tests)[None, :]
    first = rng.integers(0, tests, n)
    is_c, is_o, is_i = cls == 1, cls == 2, cls == 3
    after = col > first[:, None]
    noise = rng.random((n, tests))
    c_rows = is_c[:, None]
    verd[c_rows & (col == first[:, None])] = V["WA"]
    verd[c_rows & (col == first[:, None]) & (noise < 0.3)] = V["RE"]
    verd[c_rows & after & (noise < 0.3)] = V["WA"]
    verd[c_rows & after & (noise > 0.9)] = V["TLE"]
    o_first = rng.integers(tests // 2, tests, n)
    o_rows = is_o[:, None]
    verd[o_rows & (col >= o_first[:, None]) & (noise < 0.7)] = V["TLE"]
    verd[o_rows & (col >= o_first[:, None]) & (noise > 0.95)] = V["MLE"]
    verd[o_rows & (col == o_first[:, None])] = V["TLE"]
    verd[is_i[:, None] & (col == first[:, None])] = V["IE"]

    size = (np.arange(tests) + 1) * 1000
    cpu = (0.002 * size[None, :] / 1000 * rng.uniform(0.5, 1.5, (n, tests))).astype(np.float64)
    cpu[verd == V["TLE"]] = TIME_LIMIT_S
    rss = 20 + 0.01 * size[None, :] * rng.uniform(0.8, 1.2, (n, tests))
    rss[verd == V["MLE"]] = 256.0

    non_ac = verd != V["AC"]
    first_bad = np.where(non_ac.any(axis=1), non_ac.argmax(axis=1), tests)
    sample_verdict = np.where(
        first_bad < tests, verd[np.arange(n), np.minimum(first_bad, tests - 1)], V["AC"]
    )
    sample_verdict[(verd == V["IE"]).any(axis=1)] = V["IE"]
    tier_index = np.arange(tests) * len(TIERS) // tests
    tier_of_test = TIERS[tier_index]
    tier_end = np.searchsorted(tier_index, np.arange(len(TIERS)), side="right")  # tests in tiers <= j
    tiers_passed = (first_bad[:, None] >= tier_end[None, :]).sum(axis=1)
    pids = np.array([f"p{p:03d}" for p in range(problems)])
    names = np.array([f"alpha{a:+.2f}" for a in alphas])
    metas = np.array([json.dumps({"alpha": float(a), "checkpoint": f"ckpt/{a:+.2f}"}) for a in alphas])
    difficulty_by_problem = np.where(hardness > 3, "hard", np.where(hardness > 0, "medium", "easy"))

    samples_table = pa.table(
        {
            "benchmark": _strings(np.full(n, "synthetic")),
            "problem_id": _strings(pids[p_idx]),
            "policy": _strings(names[q_idx]),
            "sample": pa.array(s_idx.astype(np.int64)),
            "language": _strings(np.full(n, "python")),
            "verdict": _strings(np.array(VERDICTS)[sample_verdict]),
            "failure_class": _strings(CLASSES[cls]),
            "tests_passed": pa.array((verd == V["AC"]).sum(axis=1).astype(np.int64)),
            "tests_total": pa.array(np.full(n, tests, dtype=np.int64)),
            "tests_run": pa.array(np.full(n, tests, dtype=np.int64)),
            "max_cpu_s": pa.array(cpu.max(axis=1)),
            "sum_cpu_s": pa.array(cpu.sum(axis=1)),
            "max_rss_mb": pa.array(rss.max(axis=1)),
            "highest_level": pa.array(first_bad / tests),
            "highest_tier": pa.array([TIERS[k - 1] if k else None for k in tiers_passed], type=pa.string()),
            "first_failed_test": pa.array(
                [None if f == tests else str(f) for f in first_bad], type=pa.string()
            ),
            "difficulty": _strings(difficulty_by_problem[p_idx]),
            "extracted": pa.array(np.ones(n, dtype=bool)),
            "code_sha256": _strings(np.full(n, "0" * 64)),
            "policy_meta": _strings(metas[q_idx]),
            "detail": _strings(np.full(n, "")),
        }
    )
    root.mkdir(parents=True, exist_ok=True)
    pq.write_table(samples_table, root / "samples.parquet")

    rows = n * tests
    rep = lambda a: np.repeat(a, tests)  # noqa: E731
    tile = lambda a: np.tile(a, n)  # noqa: E731
    flat_verd = verd.ravel()
    tests_table = pa.table(
        {
            "benchmark": _strings(np.full(rows, "synthetic")),
            "problem_id": _strings(rep(pids[p_idx])),
            "policy": _strings(rep(names[q_idx])),
            "sample": pa.array(rep(s_idx).astype(np.int64)),
            "test_id": _strings(tile(np.arange(tests).astype(str))),
            "test_index": pa.array(tile(np.arange(tests)).astype(np.int64)),
            "size": pa.array(tile(size).astype(np.int64)),
            "tier": _strings(tile(tier_of_test)),
            "verdict": _strings(np.array(VERDICTS)[flat_verd]),
            "cpu_s": pa.array(cpu.ravel()),
            "wall_s": pa.array(cpu.ravel() * 1.05),
            "rss_mb": pa.array(rss.ravel()),
            "exit_code": pa.array(np.where(flat_verd == V["RE"], 1, 0).astype(np.int64)),
            "signal": pa.array(
                np.where(flat_verd == V["TLE"], 9, 0).astype(np.int64), mask=flat_verd != V["TLE"]
            ),
            "detail": _strings(np.full(rows, "")),
        }
    )
    pq.write_table(tests_table, root / "tests.parquet")
    (root / "provenance.json").write_text(
        json.dumps({"judge": "synthetic (benchmarks/report_speed.py)", "seed": seed})
    )
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=100)
    parser.add_argument("--policies", type=int, default=8)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--tests", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="write the store and the report here instead of a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        t0 = time.perf_counter()
        store = synthesize(base / "store", args.problems, args.policies, args.samples, args.tests)
        made = time.perf_counter() - t0
        print(
            f"store: {args.problems} problems x {args.policies} policies x {args.samples} samples x {args.tests} tests "
            f"= {args.problems * args.policies * args.samples:,} sample rows, "
            f"{args.problems * args.policies * args.samples * args.tests:,} test rows (synthesized in {made:.1f} s)"
        )

        t0 = time.perf_counter()
        index = write_report([store], base / "report")
        total = time.perf_counter() - t0
        print(f"codefrontier report (write_report), end to end: {total:.2f} s -> {index}")

        # The same work stage by stage, to see where the time goes.
        stages = {}
        t = time.perf_counter()
        results = load_outcomes([store])
        stages["load (DuckDB aggregates of samples.parquet)"] = time.perf_counter() - t
        t = time.perf_counter()
        analysis = analyze(results, Options())
        stages["analyze (estimators, ensembles, tests.parquet by tier, class check)"] = (
            time.perf_counter() - t
        )
        t = time.perf_counter()
        out = base / "stages"
        out.mkdir(exist_ok=True)
        images = {name: write_plot(name, analysis, out / name) for name in FIGURES}
        stages["plots (5 PNGs)"] = time.perf_counter() - t
        t = time.perf_counter()
        render_html(analysis, images)
        stages["HTML"] = time.perf_counter() - t
        for name, seconds in stages.items():
            print(f"  {name}: {seconds:.2f} s")

        t = time.perf_counter()
        summary_text([store], k=(1, 10, 100))
        print(f"codefrontier summary --k 1 10 100: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
