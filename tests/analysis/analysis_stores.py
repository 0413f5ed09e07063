"""Results stores built by hand for the analysis tests.

`StoreBuilder` writes a results store with exactly the columns of the contract
(samples.parquet, tests.parquet, provenance.json). A sample is given by its test
verdicts in suite order; its sample-level columns are derived from them the way
the judge derives them (`sample_verdict`, `failure_class`, the all-AC prefix).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from codefrontier.contracts import failure_class, sample_verdict
from codefrontier.store.results import SAMPLES_SCHEMA, TESTS_SCHEMA

# The contract's columns, from the judge's own store (less its bookkeeping columns).
BOOKKEEPING = ("attempts", "seq")
SAMPLE_SCHEMA = pa.schema([f for f in SAMPLES_SCHEMA if f.name not in BOOKKEEPING])
TEST_SCHEMA = pa.schema([f for f in TESTS_SCHEMA if f.name not in BOOKKEEPING])
TIERS = ("small", "medium", "large")


@dataclass
class StoreBuilder:
    """Collects judged samples, then writes them as a results store."""

    benchmark: str = "bench"
    samples: list[dict[str, Any]] = field(default_factory=list)
    tests: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        problem: str,
        policy: str,
        verdicts: list[str],
        *,
        sample: int | None = None,
        meta: dict[str, Any] | None = None,
        difficulty: str | None = None,
        full_run: bool = True,
        stored_class: str | None = None,
    ) -> None:
        """One sample judged on len(verdicts) tests (suite order). With full_run=False
        only the tests up to the first non-AC have rows (first-fail mode).
        `stored_class` overrides the derived failure class (a corrupt store)."""
        if sample is None:
            sample = sum(1 for s in self.samples if s["problem_id"] == problem and s["policy"] == policy)
        ran = verdicts
        if not full_run:
            first_bad = next((i for i, v in enumerate(verdicts) if v != "AC"), len(verdicts))
            ran = verdicts[: first_bad + 1]
        prefix = next((i for i, v in enumerate(verdicts) if v != "AC"), len(verdicts))
        tiers = [TIERS[min(len(TIERS) - 1, i * len(TIERS) // len(verdicts))] for i in range(len(verdicts))]
        passed_tiers = [
            t for t in TIERS if all(v == "AC" for v, tt in zip(verdicts, tiers, strict=True) if tt == t)
        ]
        cpu = [0.01 * (i + 1) * (5 if v == "TLE" else 1) for i, v in enumerate(ran)]
        self.samples.append(
            {
                "benchmark": self.benchmark,
                "problem_id": problem,
                "policy": policy,
                "sample": sample,
                "language": "python",
                "verdict": sample_verdict(ran).value,
                "failure_class": stored_class or failure_class(ran).value,
                "tests_passed": sum(v == "AC" for v in ran),
                "tests_total": len(verdicts),
                "tests_run": len(ran),
                "max_cpu_s": max(cpu, default=0.0),
                "sum_cpu_s": sum(cpu),
                "max_rss_mb": 10.0,
                "highest_level": prefix / len(verdicts),
                "highest_tier": next((t for t in reversed(TIERS) if t in passed_tiers), None),
                "first_failed_test": None if prefix == len(verdicts) else str(prefix),
                "difficulty": difficulty,
                "extracted": True,
                "code_sha256": f"{hash((problem, policy, sample)) & 0xFFFFFFFF:064x}",
                "policy_meta": json.dumps(meta or {}),
                "detail": "",
            }
        )
        for i, v in enumerate(ran):
            self.tests.append(
                {
                    "benchmark": self.benchmark,
                    "problem_id": problem,
                    "policy": policy,
                    "sample": sample,
                    "test_id": str(i),
                    "test_index": i,
                    "size": 10 * (i + 1),
                    "tier": tiers[i],
                    "verdict": v,
                    "cpu_s": cpu[i],
                    "wall_s": cpu[i] * 1.1,
                    "rss_mb": 10.0,
                    "exit_code": 0 if v in ("AC", "WA") else (None if v == "TLE" else 1),
                    "signal": 9 if v == "TLE" else None,
                    "detail": "",
                }
            )

    def write(self, root: Path, *, with_tests: bool = True, provenance: dict[str, Any] | None = None) -> Path:
        root.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(self.samples, schema=SAMPLE_SCHEMA), root / "samples.parquet")
        if with_tests:
            pq.write_table(pa.Table.from_pylist(self.tests, schema=TEST_SCHEMA), root / "tests.parquet")
        prov = provenance if provenance is not None else {"judge": "hand-made", "isolation": "none"}
        (root / "provenance.json").write_text(json.dumps(prov))
        return root


# One test-verdict list per failure class (suite order, 4 tests).
CLASS_VERDICTS = {
    "solved": ["AC", "AC", "AC", "AC"],
    "correctness": ["AC", "WA", "AC", "TLE"],
    "optimization": ["AC", "AC", "TLE", "TLE"],
    "internal": ["AC", "IE", "AC", "AC"],
}


@dataclass
class Synthetic:
    """A synthetic store and the counts it was built from: `counts[policy][problem]`
    is a dict with keys solved, correctness, optimization, internal."""

    path: Path
    policies: list[str]
    problems: list[str]
    counts: dict[str, dict[str, dict[str, int]]]
    meta: dict[str, dict[str, Any]]

    def n(self, policy: str, problem: str) -> int:
        c = self.counts[policy][problem]
        return c["solved"] + c["correctness"] + c["optimization"]


def build_synthetic(
    root: Path,
    *,
    problems: int = 12,
    policies: int = 4,
    samples: int = 10,
    seed: int = 0,
    difficulty: bool = False,
) -> Synthetic:
    """Policies along an alpha line from 0 to 1: low alpha fails by being slow,
    high alpha by being wrong; each problem has its own difficulty, and each
    (policy, problem) pair its own luck, so policies solve different problems."""
    rng = np.random.default_rng(seed)
    builder = StoreBuilder()
    names = [f"a{j}" for j in range(policies)]
    pids = [f"p{p:02d}" for p in range(problems)]
    hardness = rng.uniform(-2, 2, size=problems)
    counts: dict[str, dict[str, dict[str, int]]] = {}
    meta = {}
    for j, policy in enumerate(names):
        alpha = j / max(policies - 1, 1)
        meta[policy] = {"alpha": alpha, "checkpoint": f"ckpt-{j}"}
        counts[policy] = {}
        for p, pid in enumerate(pids):
            solve = 1 / (1 + np.exp(hardness[p] + rng.normal(0, 1.5)))
            probs = np.array(
                [solve, (1 - solve) * (0.2 + 0.6 * alpha), (1 - solve) * (0.8 - 0.6 * alpha), 0.02]
            )
            classes = rng.choice(4, size=samples, p=probs / probs.sum())
            tally = {name: int((classes == k).sum()) for k, name in enumerate(CLASS_VERDICTS)}
            counts[policy][pid] = tally
            level = ["hard", "medium", "easy"][min(2, int((2 - hardness[p]) * 3 / 4))] if difficulty else None
            for s, k in enumerate(classes):
                builder.add(
                    pid,
                    policy,
                    CLASS_VERDICTS[list(CLASS_VERDICTS)[k]],
                    sample=s,
                    meta=meta[policy],
                    difficulty=level,
                )
    return Synthetic(builder.write(root), names, pids, counts, meta)
