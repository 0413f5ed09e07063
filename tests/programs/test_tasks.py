"""Reading ProgramBench's task format: the 200 real tasks, and bad files named exactly."""

from __future__ import annotations

import json

import pytest

from codefrontier.errors import InputError
from codefrontier.programs.bundled import CATALOG
from codefrontier.programs.helptext import parse_help
from codefrontier.programs.metrics import structure_metrics
from codefrontier.programs.tasks import IGNORE_REASONS, load_task, load_tasks


def test_the_200_real_tasks_load_with_their_tests():
    tasks = load_tasks("programbench", fixtures=False)
    assert len(tasks) == 200
    assert sum(t.n_active for t in tasks) > 200_000
    reasons = {r for t in tasks for b in t.branches.values() for it in b.ignored_tests for r in it.reason_ids}
    assert reasons <= set(IGNORE_REASONS)
    assert {"gold_fail", "dummy_pass", "gold_flaky"} <= reasons
    cmatrix = next(t for t in tasks if t.id.startswith("abishekvashok__cmatrix"))
    assert cmatrix.language == "c" and len(cmatrix.eval_clean_hashes) == 1
    assert all(
        t.branch_dir(b) is None for t in tasks for b in t.active_branches
    )  # tests live in the blob store


def test_calculator_fixture_is_a_complete_task(calculator):
    assert calculator.active_branches == ["33128f6b8600"]
    assert calculator.n_active == 3 and calculator.has_test_files()


def _write(tmp_path, task_yaml, tests_json):
    d = tmp_path / "o__r.1"
    d.mkdir()
    (d / "task.yaml").write_text(task_yaml)
    (d / "tests.json").write_text(tests_json)
    return d


GOOD_YAML = "repository: o/r\ncommit: abc\nlanguage: c\n"


@pytest.mark.parametrize(
    "task_yaml, tests_json, file, field",
    [
        ("repository: o/r\ncommit: abc\n", '{"branches": {}}', "task.yaml", "language"),
        (
            GOOD_YAML + "eval_clean_hashes: [nothex]\n",
            '{"branches": {}}',
            "task.yaml",
            "eval_clean_hashes[0]",
        ),
        (GOOD_YAML, '{"branches": {"b": {"tests": ["t", 3]}}}', "tests.json", "branches.b.tests[1]"),
        (
            GOOD_YAML,
            '{"branches": {"b": {"tests": [], "ignored": "yes"}}}',
            "tests.json",
            "branches.b.ignored",
        ),
        (
            GOOD_YAML,
            '{"branches": {"b": {"ignored_tests": [{"name": "t", "reasons": [{}]}]}}}',
            "tests.json",
            "branches.b.ignored_tests[0].reasons[0]",
        ),
        (GOOD_YAML, '{"branch": {}}', "tests.json", "branches"),
    ],
)
def test_malformed_task_files_name_the_file_and_field(tmp_path, task_yaml, tests_json, file, field):
    d = _write(tmp_path, task_yaml, tests_json)
    with pytest.raises(InputError) as err:
        load_task(d)
    assert err.value.path.endswith(file)
    assert err.value.field == field


def test_invalid_yaml_names_the_line(tmp_path):
    d = _write(tmp_path, "repository: o/r\ncommit: [\n", "{}")
    with pytest.raises(InputError) as err:
        load_task(d)
    assert err.value.path.endswith("task.yaml") and err.value.line is not None


def test_bundled_tasks_each_have_thirty_validated_tests_and_documentation():
    tasks = load_tasks("bundled")
    assert len(tasks) == len(CATALOG) >= 8
    for task in tasks:
        assert task.n_active >= 30, task.id
        assert "Usage: ./executable" in task.documentation_text()
        assert task.reference_source and task.has_test_files()
        report = json.loads((task.directory / "generation.json").read_text())
        assert report["active_tests"] == task.n_active


GNU_HELP = """Usage: prog [OPTION]... SET1 [SET2]
  -c, --complement      use the complement of SET1
  -s, --squeeze-repeats replace each sequence
  -w, --width=WIDTH     use WIDTH columns
      --total=WHEN      when to print; WHEN can be: auto, always, never
  -b STYLE              number lines by STYLE

STYLE is one of:
  a      all lines
  t      nonempty lines

LIST is made of ranges:
  -M    from first to M'th
"""


def test_help_text_gives_options_arguments_choices_and_operands():
    spec = parse_help(GNU_HELP)
    by = {o.name: o for o in spec.options}
    assert set(by) == {"--complement", "--squeeze-repeats", "--width", "--total", "-b"}
    assert by["--width"].metavar == "WIDTH" and by["--width"].kind == "number"
    assert by["--total"].choices == ["auto", "always", "never"]
    assert by["-b"].choices == ["a", "t"]
    assert by["--squeeze-repeats"].short == "-s" and by["--squeeze-repeats"].metavar is None
    assert [(o.metavar, o.required) for o in spec.operands] == [("SET1", True), ("SET2", False)]


def test_structure_metrics_count_code_files_and_functions(tmp_path):
    (tmp_path / "compile.sh").write_text("#!/bin/bash\n# build\ngcc -o executable main.c\n")
    (tmp_path / "main.c").write_text(
        "/* a header\n comment */\n#include <stdio.h>\n\nstatic int twice(int x)\n{\n    return 2 * x;\n}\n\n"
        'int main(void) {\n    // say it\n    printf("%d\\n", twice(2));\n    return 0;\n}\n'
    )
    (tmp_path / "util.py").write_text("def a():\n    return 1\n\n\ndef b(x):\n    y = x\n    return y\n")
    (tmp_path / "README.md").write_text("not code\n")
    m = structure_metrics(tmp_path)
    assert m.files == 3
    assert m.lines_of_code == 1 + 9 + 5
    assert m.functions == 4
    assert m.mean_function_length == (4 + 5 + 2 + 3) / 4
