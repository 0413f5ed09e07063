"""The compile cache: a C++ source is compiled once, by any worker, and so is a compile error."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from judge_kit import SUM_CPP, judge_one, sum_problem, verdicts

from codefrontier.contracts import Verdict
from codefrontier.judge.config import JudgeConfig
from codefrontier.judge.runner import SampleJudge
from codefrontier.languages import get_language
from codefrontier.languages.cpp import compiler


class CompilerCalls:
    """Counts the compilations a sandbox runs (runs whose program is the compiler)."""

    def __init__(self, judge: SampleJudge, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = judge.sandbox.run_exec

        def run_exec(argv: list[str], *args: Any, **kwargs: Any) -> Any:
            if argv and argv[0] == compiler()[0]:
                self.count += 1
            return real(argv, *args, **kwargs)

        monkeypatch.setattr(judge.sandbox, "run_exec", run_exec)


def unique(source: str) -> str:
    """The same program under a source no earlier test compiled."""
    return f"// {uuid.uuid4().hex}\n{source}"


def test_cpp_source_is_compiled_once(judge: SampleJudge, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = CompilerCalls(judge, monkeypatch)
    source = unique(SUM_CPP)
    cpp = get_language("cpp")

    first = cpp.prepare(source, judge.sandbox)
    assert not first.cached and first.compile_error is None and first.compile_cpu_s > 0
    assert calls.count == 1
    second = cpp.prepare(source, judge.sandbox)
    assert second.cached and second.digest == first.digest
    assert calls.count == 1
    first.close()
    second.close()

    for _ in range(3):
        assert judge_one(judge, sum_problem(), source, "cpp").verdict is Verdict.AC
    assert calls.count == 1


def test_another_worker_reuses_the_compiled_program(
    judge: SampleJudge, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = unique(SUM_CPP)
    assert judge_one(judge, sum_problem(), source, "cpp").verdict is Verdict.AC
    other = SampleJudge(JudgeConfig())
    try:
        calls = CompilerCalls(other, monkeypatch)
        assert judge_one(other, sum_problem(), source, "cpp").verdict is Verdict.AC
        assert calls.count == 0
    finally:
        other.close()


def test_changed_source_is_compiled_again(judge: SampleJudge, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = CompilerCalls(judge, monkeypatch)
    source = unique(SUM_CPP)
    judge_one(judge, sum_problem(), source, "cpp")
    judge_one(judge, sum_problem(), source + "\n", "cpp")
    assert calls.count == 2


def test_compile_error_is_ce_and_cached_too(judge: SampleJudge, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = CompilerCalls(judge, monkeypatch)
    source = unique("int main() { return undeclared_name; }")
    for _ in range(2):
        result = judge_one(judge, sum_problem(), source, "cpp")
        assert verdicts(result) == [Verdict.CE] * 3
        assert "undeclared_name" in result.detail
    assert calls.count == 1
