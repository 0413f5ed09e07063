"""Adding a language is adding one file: a language defined in a module of its own, outside
codefrontier, registered by name, is judged like Python and C++ with no edit elsewhere."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from codefrontier.contracts import Problem, ProblemKind, TestCase, Verdict
from codefrontier.judge import JudgeConfig, judge_samples, load_samples
from codefrontier.judge.doctor import language_checks
from codefrontier.languages import all_languages, get_language, register_module, unregister_language
from codefrontier.sandbox.worker import Sandbox

BASH_LANGUAGE = '''
"""Bash, as a third language: one file."""

from codefrontier.languages import Interpreted, SelfTest


class Bash(Interpreted):
    name = "bash"
    title = "Bash"
    aliases = ("sh-bash",)
    fence_tags = ("bash", "sh")
    interpreter = ("/bin/bash",)
    file_name = "main.sh"
    needs = ("bash",)
    self_test = SelfTest("read a b\\necho $((a + b))\\n", "2 3\\n", "5\\n")


LANGUAGE = Bash()
'''

SUM = Problem(
    "bash-sum",
    ProblemKind.STDIO,
    "print a + b",
    [TestCase("0", "2 3\n", "5\n", size=1), TestCase("1", "10 20\n", "30\n", size=2)],
    time_limit_s=2.0,
)


@pytest.fixture(scope="module")
def bash(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("lang")
    (folder / "cf_lang_bash.py").write_text(BASH_LANGUAGE)
    sys.path.insert(0, str(folder))
    try:
        yield register_module("cf_lang_bash")
    finally:
        unregister_language("bash")
        sys.path.remove(str(folder))


def test_a_registered_language_is_known_by_name_and_alias(bash) -> None:
    assert get_language("bash") is bash and get_language("SH-BASH") is bash
    assert "bash" in all_languages() and bash.available() == (True, "")


def test_a_registered_language_judges_a_stdio_problem(bash, tmp_path: Path) -> None:
    good = "read a b\necho $((a + b))\n"
    wrong = "read a b\necho $((a - b))\n"
    crash = "exit 3\n"
    samples_file = tmp_path / "samples.jsonl"
    import json

    samples_file.write_text(
        "".join(
            json.dumps({"problem_id": SUM.id, "policy": name, "sample": 0, "language": "bash", "code": code})
            + "\n"
            for name, code in (("good", good), ("wrong", wrong), ("crash", crash))
        )
    )
    samples = load_samples(samples_file, {SUM.id: SUM})
    results = {r.policy: r for r in judge_samples([SUM], samples, config=JudgeConfig(), jobs=1)}
    assert results["good"].verdict is Verdict.AC
    assert results["wrong"].verdict is Verdict.WA
    assert results["crash"].verdict is Verdict.RE
    assert all(t.cpu_s >= 0 and t.rss_mb >= 0 for t in results["good"].tests)


def test_a_program_fenced_in_the_language_is_extracted(bash) -> None:
    from codefrontier.judge import extract_program

    text = textwrap.dedent(
        """
        Here:
        ```bash
        read a b; echo $((a+b))
        ```
        """
    )
    assert extract_program(text, "bash") == ("read a b; echo $((a+b))\n", True)


def test_doctor_runs_every_language_s_self_test_the_registered_one_included(bash) -> None:
    with Sandbox() as sandbox:
        checks = {c.name.split()[1]: c for c in language_checks(sandbox)}
    assert {"python", "cpp", "bash"} <= set(checks)
    assert all(c.ok for c in checks.values()), [(c.name, c.detail) for c in checks.values() if not c.ok]


def test_a_language_whose_tool_is_missing_is_reported_not_required(bash) -> None:
    from codefrontier.languages import Interpreted, register_language

    class Missing(Interpreted):
        name = "nosuchlang"
        title = "No Such Language"
        interpreter = ("/usr/bin/nosuchlang",)
        needs = ("nosuchlang-interpreter",)

    register_language(Missing())
    try:
        with Sandbox() as sandbox:
            check = next(c for c in language_checks(sandbox) if "nosuchlang" in c.name)
    finally:
        unregister_language("nosuchlang")
    assert not check.ok and not check.required and "not installed" in check.detail
