"""MBPP as a named benchmark, judged as MBPP's own harness judges it.

MBPP's harness execs a program's code, its `test_setup_code` and its asserts in one
namespace. `mbpp_own_harness.py` is that logic as a program, run in the sandbox over the
whole file; every reference it accepts must be AC through `codefrontier judge`, and the
ones it rejects are the dataset's own faults, listed in docs/benchmarks.md.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from codefrontier.cli import main
from codefrontier.contracts import Sample, Verdict
from codefrontier.judge.api import judge_samples
from codefrontier.problems.registry import load_benchmark, mbpp_file
from codefrontier.sandbox import Limits, Sandbox, memfd_from_bytes

REPO = Path(__file__).resolve().parents[2]
OWN_HARNESS = Path(__file__).with_name("mbpp_own_harness.py")
# References whose verdict depends on the machine (docs/benchmarks.md lists them with the
# reason): near the 3 s of CPU the usual MBPP harnesses allow, they pass on a fast machine and
# not on a slow or loaded one, in MBPP's harness and in codefrontier alike.
NEAR_THE_LIMIT = {123: "amicable_numbers_sum(9999): 2.0 s of CPU on the development machine"}


@pytest.fixture(scope="module")
def problems():
    return {p.id: p for p in load_benchmark("mbpp")}


def test_mbpp_ships_unchanged_with_its_license(problems) -> None:
    assert len(problems) == 974
    notice = mbpp_file().with_name("mbpp.LICENSE").read_text()
    assert "CC BY 4.0" in notice and "Austin et al." in notice
    digest = hashlib.sha256(mbpp_file().read_bytes()).hexdigest()
    assert f"sha256 {digest}" in notice  # the copy is the one the notice describes


REWRITTEN = {
    "601": "max_chain_length",  # asserts build the solution's Pair objects
    "533": "remove_datatype",  # a type as an argument
    "596": "tuple_size",  # sys.getsizeof in the assert, sys imported by the solution
    "367": "is_tree_balanced",  # test_setup_code builds Node trees with the solution's class
    "927": "max_height",
}


@pytest.mark.parametrize("task", list(REWRITTEN))
def test_references_a_one_value_protocol_judged_wrong_are_accepted(problems, task: str) -> None:
    problem = problems[task]
    assert problem.entry_point == REWRITTEN[task]
    reference = problem.solutions[0].code
    broken = reference + f"\n\ndef {problem.entry_point}(*args):\n    return None\n"
    right, wrong = judge_samples(
        [problem],
        [Sample(task, "reference", 0, "python", reference), Sample(task, "broken", 0, "python", broken)],
        jobs=1,
    )
    assert right.verdict is Verdict.AC, right.detail
    assert wrong.verdict is not Verdict.AC


def own_harness_verdicts() -> dict[int, dict]:
    """MBPP's harness logic over the whole shipped file, in the sandbox."""
    sandbox = Sandbox()
    try:
        code = memfd_from_bytes(OWN_HARNESS.read_bytes(), "harness.py")
        data = memfd_from_bytes(mbpp_file().read_bytes(), "mbpp.jsonl")
        run = sandbox.run_python(code, data, Limits(cpu_s=600, wall_s=1800, memory_mb=2048))
    finally:
        sandbox.close()
    assert run.ok, run.stderr.decode(errors="replace")[-2000:]
    lines = [json.loads(line) for line in run.stdout.decode().splitlines()]
    return {line["task_id"]: line for line in lines}


@pytest.mark.slow
def test_every_reference_mbpp_s_own_harness_accepts_is_accepted_by_codefrontier_judge(tmp_path: Path) -> None:
    own = own_harness_verdicts()
    assert len(own) == 974
    rejected = {task for task, line in own.items() if not line["passed"]}
    assert rejected <= set(NEAR_THE_LIMIT), {t: own[t]["error"] for t in rejected}

    out = tmp_path / "judged"
    assert main(["judge", "--benchmark", "mbpp", "--solutions", "--out", str(out), "--no-progress"]) == 0
    judged = pq.read_table(out / "samples.parquet").to_pylist()
    verdicts = {int(row["problem_id"]): (row["verdict"], row["detail"]) for row in judged}
    assert len(verdicts) == 974
    not_accepted = {
        task: verdicts[task]
        for task, line in own.items()
        if line["passed"] and verdicts[task][0] != "AC" and task not in NEAR_THE_LIMIT
    }
    assert not_accepted == {}
    assert all(verdicts[task][0] in ("AC", "TLE") for task in NEAR_THE_LIMIT), verdicts
    accepted = sum(1 for verdict, _ in verdicts.values() if verdict == "AC")
    assert accepted >= 974 - len(NEAR_THE_LIMIT)

    # The figure and the list in the docs are these.
    docs = (REPO / "docs" / "benchmarks.md").read_text()
    assert f"{974 - len(NEAR_THE_LIMIT)} of 974 references AC on any machine" in docs
    for task in NEAR_THE_LIMIT:
        assert f"| {task} |" in docs
