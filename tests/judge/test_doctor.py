"""`codefrontier doctor`: the isolation level, the measurement method, a probe per
protection, and each language's self-test — and a failing protection is a failure."""

from __future__ import annotations

import pytest

from codefrontier.cli import main
from codefrontier.judge import doctor
from codefrontier.sandbox import cgroups
from codefrontier.sandbox.isolation import detect_level
from codefrontier.sandbox.worker import Sandbox


@pytest.fixture(scope="module")
def level_and_checks():
    level, _ = detect_level("auto")
    with Sandbox() as sandbox:
        return level, doctor.checks(level, sandbox)


def test_every_protection_the_level_promises_holds(level_and_checks) -> None:
    level, checks = level_and_checks
    failed = [(c.name, c.detail) for c in checks if c.required and not c.ok]
    assert failed == [], failed
    names = {c.name for c in checks}
    assert {"CPU time limit enforced", "memory limit enforced", "a run sees only its own processes"} <= names


def test_the_cgroup_probes_see_what_the_measurement_promises(level_and_checks) -> None:
    level, checks = level_and_checks
    by_name = {c.name: c for c in checks}
    if level == "full" and cgroups.detect() is not None:
        assert by_name["CPU of every process of a run is counted"].ok
        assert by_name["peak memory cannot be reset by the program"].ok
        assert "(cgroup)" in by_name["peak memory cannot be reset by the program"].detail


def test_the_command_prints_the_level_the_accounting_and_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "isolation level:" in out and "CPU and memory accounting:" in out
    assert ("cgroup" if cgroups.detect() else "process") in out
    assert (
        "language python (Python 3) runs its self-test" in out.replace("\n", " ").replace("│", " ")
        or "python" in out
    )


def test_a_protection_that_does_not_hold_makes_doctor_fail(monkeypatch, capsys) -> None:
    real = doctor.checks

    def one_broken(level, sandbox):
        found = real(level, sandbox)
        found[0] = doctor.Check(found[0].name, False, "probe says no", True)
        return found

    monkeypatch.setattr(doctor, "checks", one_broken)
    assert main(["doctor"]) == 1
    assert "did not hold" in capsys.readouterr().out
