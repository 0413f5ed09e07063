"""HumanEval infilling through the judge: canonical middles AC, empty middles not, on
every split; `{task_id, completion}` files and the native format through `codefrontier
judge`; the split and the order recorded in the results store; hostile middles caught by
the assert path exactly as in HumanEval."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import duckdb
import pytest

from codefrontier.cli import main
from codefrontier.contracts import Problem, ProblemKind, Sample, Verdict
from codefrontier.errors import ConfigError
from codefrontier.judge import judge_samples
from codefrontier.problems.humaneval_infilling import SPLITS, data_dir, load_split, split_of
from codefrontier.problems.io import problem_from_json, problem_to_json
from codefrontier.problems.registry import load_benchmark

# sha256 (first 16 hex digits) of the files as shared/data has them: shipped unchanged
PUBLISHED = {
    "HumanEval-MultiLineInfilling.jsonl.gz": "2f341612eee1d35d",
    "HumanEval-RandomSpanInfilling.jsonl.gz": "b4f330d8a8ff97bf",
    "HumanEval-RandomSpanInfillingLight.jsonl.gz": "1432250ecac0cb56",
    "HumanEval-SingleLineInfilling.jsonl.gz": "1277073e7ddce163",
}
FAST_SAMPLE = 6  # tasks per split in the fast suite
# Tasks whose removed code the task's own check does not need: their empty middle passes
# here and in the original harness alike (see the file). Every other empty middle fails.
EMPTY_MIDDLE_ACCEPTED = {
    split: set(ids)
    for split, ids in json.loads(
        (Path(__file__).parent / "infilling_empty_middle_accepted.json").read_text()
    ).items()
    if not split.startswith("_")
}
ADD_TASK = "MultiLineInfilling/HumanEval/53/L0_L0"  # def add(x, y): the middle is the whole body


@pytest.fixture(scope="module")
def splits() -> dict[str, list[Problem]]:
    return {name: load_split(name) for name in SPLITS}


def _canonical_and_empty(problems: list[Problem]) -> list[Sample]:
    samples = []
    for p in problems:
        samples.append(
            Sample(p.id, "canonical", 0, "python", p.program_for_completion(p.metadata["canonical_middle"]))
        )
        samples.append(Sample(p.id, "empty", 0, "python", p.program_for_completion("")))
    return samples


def _judge_canonical_and_empty(problems: list[Problem]) -> tuple[list[str], list[str]]:
    results = judge_samples(problems, _canonical_and_empty(problems))
    rejected = [
        f"{r.problem_id}: {r.verdict} {r.detail[:200]}"
        for r in results
        if r.policy == "canonical" and not r.passed
    ]
    accepted_empty = [r.problem_id for r in results if r.policy == "empty" and r.passed]
    return rejected, accepted_empty


def test_each_split_has_its_task_count_and_the_data_ships_with_its_license(splits):
    for name, split in SPLITS.items():
        problems = splits[name]
        assert len(problems) == split.tasks
        assert len({p.id for p in problems}) == split.tasks
        assert all(p.kind is ProblemKind.ASSERT and p.infilling and p.entry_point for p in problems)
    assert sum(s.tasks for s in SPLITS.values()) == 8652
    assert "MIT License" in (data_dir() / "LICENSE").read_text()


def test_the_data_files_are_the_published_ones_unchanged():
    digests = {f.name: hashlib.sha256(f.read_bytes()).hexdigest()[:16] for f in data_dir().glob("*.jsonl.gz")}
    assert digests == PUBLISHED


def test_a_completion_is_judged_as_prefix_middle_suffix(splits):
    problem = splits["single"][0]
    assert problem.program_for_completion("MIDDLE") == problem.starter_code + "MIDDLE" + problem.suffix
    assert problem.solutions[0].code == problem.program_for_completion(problem.metadata["canonical_middle"])


def test_canonical_middles_pass_and_empty_middles_fail_on_a_sample_of_every_split(splits):
    rng = random.Random(19)
    known = set().union(*EMPTY_MIDDLE_ACCEPTED.values())
    chosen = [
        p for name in SPLITS for p in rng.sample([p for p in splits[name] if p.id not in known], FAST_SAMPLE)
    ]
    rejected, accepted_empty = _judge_canonical_and_empty(chosen)
    assert rejected == []
    assert accepted_empty == []


def test_an_empty_middle_passes_only_where_the_tasks_tests_do_not_need_the_middle(splits):
    pinned = [
        p
        for split in ("single", "random-span")
        for p in splits[split]
        if p.id in EMPTY_MIDDLE_ACCEPTED[split]
    ]
    results = judge_samples(
        pinned[:6], [Sample(p.id, "empty", 0, "python", p.program_for_completion("")) for p in pinned[:6]]
    )
    assert all(r.passed for r in results)


# The multi-line split (5,815 tasks, ~8 minutes here) is judged on every fourth HumanEval
# problem's tasks in the suite; `benchmarks/infilling_judge.py` judges all 8,652 tasks.
EVERY_NTH_PROBLEM = {"multi": 4}


def _humaneval_index(problem: Problem) -> int:
    return int(problem.id.split("/")[2])  # MultiLineInfilling/HumanEval/53/L0_L0


@pytest.mark.slow
@pytest.mark.parametrize("split", list(SPLITS))
def test_every_canonical_middle_passes_and_no_empty_middle_does(splits, split):
    every = EVERY_NTH_PROBLEM.get(split, 1)
    chosen = [p for p in splits[split] if _humaneval_index(p) % every == 0]
    rejected, accepted_empty = _judge_canonical_and_empty(chosen)
    assert rejected == []
    ids = {p.id for p in chosen}
    assert set(accepted_empty) == EMPTY_MIDDLE_ACCEPTED[split] & ids


def test_infilling_problems_survive_the_native_format(splits):
    problem = splits["random-span-light"][3]
    again = problem_from_json(problem_to_json(problem))
    assert again.suffix == problem.suffix and again.program_for_completion(
        "x"
    ) == problem.program_for_completion("x")


def test_an_unknown_split_is_an_error_naming_the_known_ones():
    with pytest.raises(ConfigError, match="humaneval-infilling-single"):
        split_of("humaneval-infilling-double")
    with pytest.raises(ConfigError, match="humaneval-infilling-multi"):
        load_benchmark("humaneval-infilling-double")


def _write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_judge_command_reads_task_id_completion_lines_and_the_native_format(tmp_path, splits):
    problems = splits["single"][:2]
    a, b = problems
    samples = _write_jsonl(
        tmp_path / "s.jsonl",
        [
            {"task_id": a.id, "completion": a.metadata["canonical_middle"]},
            {"task_id": b.id, "completion": ""},
            {
                "problem_id": b.id,
                "policy": "native",
                "sample": 0,
                "language": "python",
                "code": b.program_for_completion(b.metadata["canonical_middle"]),
                "policy_meta": {"infill_split": "single", "infill_order": "spm"},
            },
        ],
    )
    out = tmp_path / "run"
    assert (
        main(
            [
                "judge",
                "--benchmark",
                "humaneval-infilling-single",
                "--samples",
                str(samples),
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 0
    )
    rows = duckdb.sql(
        f"select benchmark, problem_id, policy, verdict, json_extract_string(policy_meta, '$.infill_order') as o "
        f"from '{out}/samples.parquet' order by policy, problem_id"
    ).fetchall()
    assert rows == [
        ("humaneval-infilling-single", a.id, "default", "AC", None),
        ("humaneval-infilling-single", b.id, "default", rows[1][3], None),
        ("humaneval-infilling-single", b.id, "native", "AC", "spm"),
    ]
    assert rows[1][3] != "AC"


def test_a_completion_for_a_task_not_in_the_split_names_its_line(tmp_path, capsys):
    samples = _write_jsonl(
        tmp_path / "s.jsonl",
        [
            {"task_id": "SingleLineInfilling/HumanEval/0/L0", "completion": "    pass\n"},
            {"task_id": "MultiLineInfilling/HumanEval/0/L0_L0", "completion": "    pass\n"},
        ],
    )
    code = main(
        [
            "judge",
            "--benchmark",
            "humaneval-infilling-single",
            "--samples",
            str(samples),
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "s.jsonl:2" in err and "MultiLineInfilling/HumanEval/0/L0_L0" in err
    assert not (tmp_path / "o" / "samples.parquet").exists()


HOSTILE_MIDDLES = {
    "os._exit at import": "    return x - y\n\nimport os\nos._exit(0)\n",
    "sys.exit inside the candidate": "    import sys\n    sys.exit(0)\n",
    "always-equal value": (
        "    return Anything()\n\n\nclass Anything:\n    def __eq__(self, other):\n        return True\n"
        "    def __ne__(self, other):\n        return False\n    __hash__ = object.__hash__\n"
    ),
    "patched AssertionError": (
        "    return x - y\n\n\nimport builtins\nbuiltins.AssertionError = type('AssertionError', (BaseException,), {})\n"
    ),
    "patched __import__": (
        "    return x - y\n\n\nimport builtins, types\n"
        "builtins.__import__ = lambda *a, **k: types.SimpleNamespace(randint=lambda *a: 0)\n"
    ),
}


def test_hostile_middles_fail_as_they_fail_on_humaneval(splits):
    problem = next(p for p in splits["multi"] if p.id == ADD_TASK)
    samples = [
        Sample(problem.id, name.replace(" ", "-"), 0, "python", problem.program_for_completion(middle))
        for name, middle in HOSTILE_MIDDLES.items()
    ]
    samples.append(
        Sample(problem.id, "honest", 0, "python", problem.program_for_completion("    return x + y\n"))
    )
    results = {r.policy: r.verdict for r in judge_samples([problem], samples)}
    assert results.pop("honest") is Verdict.AC
    assert Verdict.AC not in results.values(), results
