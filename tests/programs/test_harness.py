"""ProgramBench's harness in the sandbox: the package's calculator fixture reproduced test
for test, gold and dummy, and hostile submissions and compile scripts."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from codefrontier.programs.evaluate import EvalSettings, Submission, build, evaluate
from codefrontier.programs.record import EvalRecord
from codefrontier.programs.runner import StepLimits
from codefrontier.programs.tasks import load_tasks

from .conftest import CALCULATOR


def _comparable(outcome: dict) -> dict:
    """An outcome without what differs between machines: the time, and the line number
    in a failure's traceback (the installed test file has since gained a licence header)."""
    extra = {k: v for k, v in outcome["extra"].items() if k != "time"}
    if "text" in extra:
        extra["text"] = re.sub(r"\.py:\d+:", ".py:N:", extra["text"])
    return {**outcome, "extra": extra}


@pytest.mark.parametrize("kind", ["correct", "incorrect"])
def test_calculator_fixture_results_are_reproduced_test_for_test(tmp_path, calculator, fixture_runs, kind):
    folder = fixture_runs / kind / CALCULATOR
    expected = EvalRecord.load(folder / f"{CALCULATOR}.eval.json")
    (result,) = evaluate(
        [(calculator, Submission.from_path(folder / "submission.zip", kind))], tmp_path, EvalSettings(jobs=1)
    )
    got = EvalRecord.load(tmp_path / CALCULATOR / f"{CALCULATOR}.eval.json")
    assert [_comparable(t.to_json()) for t in got.test_results] == [
        _comparable(t.to_json()) for t in expected.test_results
    ]
    assert got.warnings == expected.warnings
    assert got.executable_hash == expected.executable_hash
    assert (got.error_code, got.test_branches, got.test_branch_errors) == (None, ["33128f6b8600"], {})
    # The original's score: its JUnit names (eval.tests.*) differ from tests.json's (tests.*),
    # so the three tests.json names are not_run and the correct submission scores 3/6.
    assert result.score == (0.5 if kind == "correct" else 0.0)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary[kind]["headline"]["mean_score"] == result.score


def test_gold_passes_and_dummy_fails_every_active_test_of_a_bundled_task(tmp_path):
    task = load_tasks("bundled", only=["codefrontier__cfwc"])[0]
    results = evaluate(
        [(task, Submission.gold(task)), (task, Submission.dummy())], tmp_path, EvalSettings(jobs=2)
    )
    scores = {r.submission.label: r.score for r in results}
    assert scores == {"gold": 1.0, "dummy": 0.0}
    assert (tmp_path / "gold" / task.id / f"{task.id}.eval.json").exists()
    assert (tmp_path / "tests.parquet").exists() and (tmp_path / "samples.parquet").exists()


def _submission(tmp_path: Path, compile_sh: str, files: dict[str, str | bytes] | None = None) -> Path:
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "compile.sh").write_text("#!/bin/bash\n" + textwrap.dedent(compile_sh))
    for name, body in (files or {}).items():
        (folder / name).write_bytes(body if isinstance(body, bytes) else body.encode())
    return folder


@pytest.fixture(scope="module")
def wc_task():
    return load_tasks("bundled", only=["codefrontier__cfwc"])[0]


@pytest.mark.parametrize(
    "how",
    ["copy", "symlink", "wrap", pytest.param("read", marks=pytest.mark.slow), "ship"],
)
def test_a_submission_that_uses_the_reference_binary_passes_no_test(tmp_path, wc_task, runner, how):
    reference = wc_task.reference_path()
    assert reference is not None and reference.exists()
    ref = str(reference)
    compile_sh = {
        "copy": f"cp {ref} executable\n",
        "symlink": f"ln -s {ref} executable\n",
        "wrap": f"printf '#!/bin/sh\\nexec {ref} \"$@\"\\n' > executable && chmod +x executable\n",
        "read": "cp reader.py executable && chmod +x executable\n",
        "ship": "cp tool.bin executable && chmod +x executable\n",
    }[how]
    files: dict[str, str | bytes] = {
        "reader.py": f"#!/usr/bin/env python3\nimport os, sys\nos.execv({ref!r}, [{ref!r}, *sys.argv[1:]])\n",
        "tool.bin": reference.read_bytes(),  # the reference itself, under another name
    }
    record = build(
        wc_task, Submission.from_path(_submission(tmp_path, compile_sh, files)), runner, EvalSettings()
    ).record
    if record.error_code is None:
        results = evaluate(
            [(wc_task, Submission.from_path(tmp_path / "sub", how))], tmp_path / "out", EvalSettings(jobs=1)
        )
        assert results[0].score == 0.0
        assert not any(t.passed for t in results[0].record.test_results)
    else:
        assert record.error_code in ("compile_failed", "copy_executable_failed")
        assert all(t.status == "not_run" for t in record.test_results) and record.test_results
    if how == "ship":
        removed = next(s for s in record.log if s["step"] == "remove_hashed_files")
        assert "tool.bin" in removed["output"]


@pytest.mark.slow
def test_a_daemon_left_behind_cannot_forge_the_report(tmp_path, wc_task):
    names = wc_task.branches[wc_task.active_branches[0]].tests
    fake = (
        '<?xml version="1.0"?><testsuites><testsuite>'
        + "".join(
            f'<testcase classname="{n.rsplit(".", 1)[0]}" name="{n.rsplit(".", 1)[1]}"/>' for n in names
        )
        + "</testsuite></testsuites>"
    )
    daemon = f"""#!/usr/bin/env python3
import os, time
if os.fork() == 0:
    os.setsid()
    devnull = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)  # a daemon lets go of the test's pipes
    for _ in range(2000):
        for path in ("/proc/1/fd/6", "eval/results.xml", "results.xml", "/proc/1/fd/5"):
            try:
                with open(path, "w") as fh:
                    fh.write({fake!r})
            except OSError:
                pass
        time.sleep(0.002)
"""
    folder = _submission(tmp_path, "cp daemon.py executable && chmod +x executable\n", {"daemon.py": daemon})
    (result,) = evaluate(
        [(wc_task, Submission.from_path(folder, "daemon"))], tmp_path / "out", EvalSettings(jobs=1)
    )
    assert result.score == 0.0
    assert not result.record.test_branch_errors


def test_compile_scripts_that_loop_fill_the_disk_or_fork_bomb_are_stopped_and_recorded(
    tmp_path, wc_task, runner
):
    settings = EvalSettings(compile_limits=StepLimits(wall_s=34, nproc=32, output_mb=64))
    assert runner.sandbox is not None
    before = runner.sandbox.descendant_pids()  # the sandbox's own processes
    scripts = {
        "loop": "while true; do :; done\n",
        "disk": "dd if=/dev/zero of=big bs=1M count=100000 2>&1; cc -o executable x.c\n",
        "forkbomb": "bomb() { bomb | bomb & }; bomb; sleep 100\n",
        "network": "python3 -c 'import urllib.request; urllib.request.urlopen(\"http://pypi.org\", timeout=3)'\n",
    }
    for name, script in scripts.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "compile.sh").write_text("#!/bin/bash\nset -e\n" + script)
        record = build(wc_task, Submission.from_path(folder), runner, settings).record
        assert record.error_code == "compile_failed", name
        assert all(
            t.status == "not_run" and t.extra == {"error_code": "compile_failed"} for t in record.test_results
        )
        step = next(s for s in record.log if s["step"] == "compile")
        if name in ("loop", "forkbomb"):
            assert step["timed_out"] and "killed after" in step["output"]
        if name == "disk":
            assert "File size limit exceeded" in step["output"] or "No space left" in step["output"]
    assert runner.sandbox.descendant_pids() == before  # nothing the scripts started survived
    # the worker is still good for a normal submission afterwards
    ok = _submission(
        tmp_path, "cp prog.sh executable && chmod +x executable\n", {"prog.sh": "#!/bin/sh\necho hi\n"}
    )
    assert build(wc_task, Submission.from_path(ok), runner, EvalSettings()).ok


def test_reference_tool_runs_the_binary_but_nobody_can_read_it(tmp_path, runner):
    import subprocess

    from codefrontier.programs.solve import ReferenceTool

    source = tmp_path / "selfread.c"
    source.write_text(
        "#include <stdio.h>\n#include <fcntl.h>\n#include <unistd.h>\n#include <sys/stat.h>\n"
        'int main(int c, char **v) { int fd = open(c > 1 ? v[1] : "/proc/self/exe", O_RDONLY);\n'
        '  printf("open=%s chmod=%d\\n", fd < 0 ? "denied" : "ok", chmod("/proc/self/exe", 0755)); return 0; }\n'
    )
    exe = tmp_path / "selfread"
    subprocess.run(["gcc", "-O2", "-o", str(exe), str(source)], check=True)
    tool = ReferenceTool(exe.read_bytes(), runner)
    try:
        result = tool.run([], "")
        assert result["exit_code"] == 0
        assert result["stdout"] == "open=denied chmod=-1\n"
        assert tool.run(["executable"])["stdout"].startswith("open=denied")  # not in its directory either
    finally:
        tool.close()
