"""Judge one sample against one problem on one worker sandbox (docs/verdicts.md).

stdio: every test is a fresh process; its output is compared here, in the trusted
judge (or by the problem's checker program, in the sandbox). function: the solution is
loaded once per sample in a sandboxed session and called per test; arguments and
results cross as typed JSON and are compared here. assert: the same session, with each
test's code run in a separate sandboxed harness process whose verdict the solution
cannot reach.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from codefrontier.contracts import (
    CheckerKind,
    Problem,
    ProblemKind,
    Sample,
    SampleResult,
    TestCase,
    TestResult,
    Verdict,
    default_size,
    failure_class,
    sample_verdict,
)
from codefrontier.errors import InputError, InternalJudgeError
from codefrontier.judge.compare import compare_output, values_equal
from codefrontier.languages import Language, Prepared, get_language
from codefrontier.languages.python import EXIT_MEMORY, EXIT_SETUP, EXIT_SYNTAX
from codefrontier.problems.levels import highest_level, level_tests, sorted_tests
from codefrontier.sandbox.runtime import values
from codefrontier.sandbox.worker import (
    Limits,
    RunResult,
    Sandbox,
    SandboxCrashed,
    memfd_from_bytes,
    read_memfd,
)

SIGXFSZ = 25
MLE_RSS_FRACTION = 0.95  # a crash with peak RSS this close to the limit is MLE, not RE
CHECKER_LIMITS = Limits(cpu_s=10.0, wall_s=30.0, memory_mb=1024, output_bytes=1 << 20)


class Mode(StrEnum):
    ALL = "all"  # run every test (the frontier needs to see past the first failure)
    FIRST_FAIL = "first-fail"  # stop at the first failing test (rewards)


@dataclass
class JudgeConfig:
    mode: Mode = Mode.ALL
    level: str | float | None = None  # judge only this coverage level's tests
    time_scale: float = 1.0  # multiplies every CPU limit (recorded in provenance)
    wall_factor: float = 3.0  # wall-clock backstop = wall_factor x CPU limit + 1 s
    output_limit_mb: int = 64  # at least; a test whose answer is larger gets 2x its answer
    isolation: str = "auto"
    retries: int = 2  # extra attempts after an internal error
    tmpfs_mb: int = 512

    def limits_for(self, problem: Problem, language: str, expected_bytes: int = 0) -> Limits:
        cpu = problem.time_limit_for(language) * self.time_scale
        output = max(self.output_limit_mb << 20, 2 * expected_bytes + (1 << 20))
        return Limits(
            cpu_s=cpu, wall_s=cpu * self.wall_factor + 1.0, memory_mb=problem.memory_mb, output_bytes=output
        )


class TestData:
    """Test inputs, expected answers and test code, made once per worker and reused
    across samples: inputs as sealed memfds, answers as decoded values. Bounded by
    bytes, least recently used first; what the current test uses is never evicted."""

    def __init__(self, budget_bytes: int = 256 << 20) -> None:
        self.budget = budget_bytes
        self.used = 0
        self.entries: OrderedDict[tuple[str, ...], tuple[Any, int, int]] = (
            OrderedDict()
        )  # value, size, generation
        self.generation = 0

    def next_test(self) -> None:
        self.generation += 1

    def _get(self, key: tuple[str, ...], make: Callable[[], tuple[Any, int]]) -> Any:
        hit = self.entries.get(key)
        if hit is not None:
            self.entries[key] = (hit[0], hit[1], self.generation)
            self.entries.move_to_end(key)
            return hit[0]
        value, size = make()
        self.entries[key] = (value, size, self.generation)
        self.used += size
        while self.used > self.budget:
            oldest_key, (old, old_size, generation) = next(iter(self.entries.items()))
            if generation == self.generation:
                break  # everything left is in use by this test
            del self.entries[oldest_key]
            self.used -= old_size
            if oldest_key[-1].endswith("#fd"):
                os.close(old)
        return value

    def fd(self, key: tuple[str, ...], make: Callable[[], bytes]) -> int:
        """A sealed memfd with the bytes `make()` returns (made on first use)."""

        def build() -> tuple[int, int]:
            data = make()
            return memfd_from_bytes(data, key[-1]), len(data)

        return self._get((*key[:-1], key[-1] + "#fd"), build)

    def value(self, key: tuple[str, ...], make: Callable[[], tuple[Any, int]]) -> Any:
        """A decoded value (and its size in bytes) from `make()`, cached."""
        return self._get(key, make)

    def close(self) -> None:
        for key, (value, _, _) in self.entries.items():
            if key[-1].endswith("#fd"):
                os.close(value)
        self.entries.clear()
        self.used = 0


class SampleJudge:
    """Judges samples one at a time on its own sandbox. Not thread-safe: one per worker."""

    def __init__(self, config: JudgeConfig | None = None, sandbox: Sandbox | None = None) -> None:
        self.config = config or JudgeConfig()
        self.sandbox = sandbox or Sandbox(self.config.isolation, tmpfs_mb=self.config.tmpfs_mb)
        self.data = TestData()
        self.checkers: dict[str, Prepared] = {}
        self.result_fd = os.memfd_create("result", os.MFD_CLOEXEC)
        self.tests_run = 0
        self.closed = False

    def close(self) -> None:
        self.closed = True
        self.data.close()
        for prepared in self.checkers.values():
            prepared.close()
        self.checkers.clear()
        if self.result_fd >= 0:
            os.close(self.result_fd)
            self.result_fd = -1
        self.sandbox.close()

    # -- public -----------------------------------------------------------------
    def judge(self, problem: Problem, sample: Sample, benchmark: str = "") -> SampleResult:
        """Judge `sample`; internal errors are retried, and only then recorded as IE."""
        attempts = 0
        while True:
            attempts += 1
            try:
                result = self._judge_once(problem, sample, benchmark)
                result.attempts = attempts
                return result
            except (SandboxCrashed, InternalJudgeError) as exc:
                self._recover(exc)
                if attempts > self.config.retries or self.closed:
                    return internal_error_result(problem, sample, benchmark, str(exc), attempts)

    def _recover(self, exc: Exception) -> None:
        for prepared in self.checkers.values():
            prepared.close()
        self.checkers.clear()
        if self.closed:
            return
        try:
            self.sandbox.restart()
        except Exception:  # the next attempt will raise again and be counted
            pass

    # -- one attempt ----------------------------------------------------------------
    def _judge_once(self, problem: Problem, sample: Sample, benchmark: str) -> SampleResult:
        language = get_language(sample.language)
        ordered = sorted_tests(problem)
        tests = ordered if self.config.level is None else level_tests(problem, self.config.level)
        index_of = {t.id: i for i, t in enumerate(ordered)}
        source = sample.code
        if problem.prelude and language.name == "python":
            source = problem.prelude.rstrip("\n") + "\n" + source
        program = language.prepare(source, self.sandbox)
        try:
            if program.compile_error is not None:
                results = self._all_ce(tests, index_of, program.compile_error)
            elif problem.kind is ProblemKind.STDIO:
                results = self._judge_stdio(problem, language, program, tests, index_of)
            else:
                results = self._judge_session(problem, language, program, tests, index_of)
        finally:
            program.close()
        return sample_result(problem, sample, benchmark, results, len(tests))

    def _all_ce(self, tests: list[TestCase], index_of: dict[str, int], message: str) -> list[TestResult]:
        shown = tests if self.config.mode is Mode.ALL else tests[:1]
        return [
            TestResult(
                t.id, index_of[t.id], t.size, t.tier, Verdict.CE, detail=message[:2000] if i == 0 else ""
            )
            for i, t in enumerate(shown)
        ]

    def _stop(self, verdict: Verdict) -> bool:
        return self.config.mode is Mode.FIRST_FAIL and verdict is not Verdict.AC

    # -- stdio ------------------------------------------------------------------------
    def _judge_stdio(
        self,
        problem: Problem,
        language: Language,
        program: Prepared,
        tests: list[TestCase],
        index_of: dict[str, int],
    ) -> list[TestResult]:
        results: list[TestResult] = []
        for position, test in enumerate(tests):
            self.data.next_test()
            expected = self._expected_bytes(problem, test)
            limits = self.config.limits_for(problem, language.name, len(expected))
            stdin = self.data.fd((problem.id, test.id, "in"), test.input_bytes)
            run = language.run(self.sandbox, program, stdin, limits)
            self.tests_run += 1
            verdict, detail = classify_run(run, limits, language.name)
            if verdict is Verdict.AC:
                verdict, detail = self._check_output(problem, test, run.stdout, expected)
            results.append(_test_result(test, index_of[test.id], verdict, run, detail))
            if verdict is Verdict.CE:  # a Python SyntaxError: every later test is the same
                if self.config.mode is Mode.ALL:
                    results.extend(self._all_ce(tests[position + 1 :], index_of, ""))
                break
            if self._stop(verdict):
                break
        return results

    def _expected_bytes(self, problem: Problem, test: TestCase) -> bytes:
        def make() -> tuple[bytes, int]:
            data = test.output_bytes()
            return data, len(data)

        return self.data.value((problem.id, test.id, "out"), make)

    def _check_output(
        self, problem: Problem, test: TestCase, output: bytes, expected: bytes
    ) -> tuple[Verdict, str]:
        if problem.checker.kind is not CheckerKind.PROGRAM:
            ok, reason = compare_output(problem.checker, output, expected)
            return (Verdict.AC, "") if ok else (Verdict.WA, reason)
        return self._run_checker(problem, test, output, expected)

    def _run_checker(
        self, problem: Problem, test: TestCase, output: bytes, expected: bytes
    ) -> tuple[Verdict, str]:
        checker = self.checkers.get(problem.id)
        language = get_language(problem.checker.language)
        if checker is None:
            checker = language.prepare(problem.checker.code or "", self.sandbox)
            if checker.compile_error is not None:
                raise InternalJudgeError(
                    f"the checker of {problem.id} does not compile: {checker.compile_error[:500]}"
                )
            self.checkers[problem.id] = checker
        input_fd = self.data.fd((problem.id, test.id, "in"), test.input_bytes)
        expected_fd = self.data.fd((problem.id, test.id, "out-fd"), lambda: expected)
        output_fd = memfd_from_bytes(output, "output")
        try:
            run = language.run(
                self.sandbox,
                checker,
                None,
                CHECKER_LIMITS,
                argv=["checker", "/dev/fd/3", "/dev/fd/4", "/dev/fd/5"],
                extra_fds={3: input_fd, 4: expected_fd, 5: output_fd},
                checker=True,
            )
        finally:
            os.close(output_fd)
        message = (run.stdout or run.stderr).decode(errors="replace").strip().splitlines()
        reason = message[0][:500] if message else ""
        if run.status == "exited" and run.killed == "none" and run.exit_code in (0, 1):
            return (
                (Verdict.AC, "") if run.exit_code == 0 else (Verdict.WA, reason or "rejected by the checker")
            )
        raise InternalJudgeError(
            f"the checker of {problem.id} failed on test {test.id} "
            f"(status {run.status}, exit {run.exit_code}, signal {run.signal}, killed {run.killed}): {reason}"
        )

    # -- function and assert ----------------------------------------------------------
    def _judge_session(
        self,
        problem: Problem,
        language: Language,
        program: Prepared,
        tests: list[TestCase],
        index_of: dict[str, int],
    ) -> list[TestResult]:
        if self.config.mode is Mode.ALL:
            return self._judge_session_batch(problem, language, program, tests, index_of)
        entry = problem.entry_point or ""
        limits = self.config.limits_for(problem, language.name)
        results: list[TestResult] = []
        loaded = False
        for test in tests:
            self.data.next_test()
            if not loaded:
                reply = self.sandbox.session_start(program.fd, entry, limits)
                if reply["status"] != "ready":
                    verdict, detail = _load_failure(reply, reply.get("stderr", b""))
                    results.append(_session_result(test, index_of[test.id], verdict, reply, detail))
                    break  # first-fail mode: this test failed
                loaded = True
            if problem.kind is ProblemKind.FUNCTION:
                os.ftruncate(self.result_fd, 0)
                reply = self.sandbox.call(self._args_fd(problem, test), self.result_fd, limits)
                verdict, detail = self._function_verdict(problem, test, reply, limits, self.result_fd)
            else:
                reply = self.sandbox.run_assert(self._test_code_fd(problem, test), entry, limits)
                verdict, detail = _assert_verdict(reply, limits)
            self.tests_run += 1
            results.append(_session_result(test, index_of[test.id], verdict, reply, detail))
            loaded = self.sandbox.session_alive
            if self._stop(verdict):
                break
        self.sandbox.session_end()
        return results

    def _judge_session_batch(
        self,
        problem: Problem,
        language: Language,
        program: Prepared,
        tests: list[TestCase],
        index_of: dict[str, int],
    ) -> list[TestResult]:
        """All tests in one request to the sandbox (the sandbox times and watches each call)."""
        limits = self.config.limits_for(problem, language.name)
        function = problem.kind is ProblemKind.FUNCTION
        self.data.next_test()  # everything this sample uses stays cached until it is done
        result_fds: list[int] = []
        groups: list[list[int]] = []
        try:
            for test in tests:
                if function:
                    result_fds.append(os.memfd_create("result", os.MFD_CLOEXEC))
                    groups.append([self._args_fd(problem, test), result_fds[-1]])
                else:
                    groups.append([self._test_code_fd(problem, test)])
            replies, stderr = self.sandbox.run_session(
                program.fd, problem.entry_point or "", problem.kind.value, limits, groups
            )
            results: list[TestResult] = []
            for i, (test, reply) in enumerate(zip(tests, replies, strict=False)):
                if "load" in reply:
                    verdict, detail = _load_failure(reply["load"], stderr)
                    reply = reply["load"]
                elif function:
                    verdict, detail = self._function_verdict(problem, test, reply, limits, result_fds[i])
                else:
                    verdict, detail = _assert_verdict(reply, limits)
                self.tests_run += 1
                results.append(_session_result(test, index_of[test.id], verdict, reply, detail))
            if results and results[-1].verdict is Verdict.CE:
                results.extend(self._all_ce(tests[len(results) :], index_of, ""))
            return results
        finally:
            for fd in result_fds:
                os.close(fd)

    def _args_fd(self, problem: Problem, test: TestCase) -> int:
        return self.data.fd((problem.id, test.id, "args"), lambda: _args_json(test))

    def _test_code_fd(self, problem: Problem, test: TestCase) -> int:
        # The prelude (imports, MBPP's setup code) belongs to the test's namespace too.
        code = (problem.prelude.rstrip("\n") + "\n" if problem.prelude else "") + str(test.input)
        return self.data.fd((problem.id, test.id, "test-code"), lambda: code.encode())

    def _function_verdict(
        self, problem: Problem, test: TestCase, reply: dict[str, Any], limits: Limits, result_fd: int
    ) -> tuple[Verdict, str]:
        status = reply.get("status")
        if status != "ok":
            return _session_verdict(reply, limits), reply.get("message", "")
        if float(reply.get("cpu_s", 0.0)) > limits.cpu_s:
            return Verdict.TLE, f"CPU limit {limits.cpu_s:g} s exceeded"
        raw = read_memfd(result_fd, limits.output_bytes)
        try:
            got = values.loads(raw)
        except (ValueError, RecursionError) as exc:
            return Verdict.WA, f"the returned value could not be read: {exc}"[:500]

        def expected() -> tuple[Any, int]:
            value = _json_file(test.output_path, f"the answer of test {test.id}", test.output)
            return values.decode(value), default_size(value)

        want = self.data.value((problem.id, test.id, "want"), expected)
        if values_equal(problem.checker, got, want):
            return Verdict.AC, ""
        return Verdict.WA, f"returned {_short(raw)}"


def _load_failure(reply: dict[str, Any], stderr: bytes) -> tuple[Verdict, str]:
    """Why a solution could not be loaded for a function/assert test."""
    try:
        verdict = Verdict(reply.get("kind", "RE"))
    except ValueError:
        verdict = Verdict.RE
    return verdict, reply.get("message", "") or _stderr_tail(stderr)


def _assert_verdict(reply: dict[str, Any], limits: Limits) -> tuple[Verdict, str]:
    if reply.get("status") == "ok":
        if float(reply.get("cpu_s", 0.0)) > limits.cpu_s:
            return Verdict.TLE, f"CPU limit {limits.cpu_s:g} s exceeded"
        return Verdict.AC, ""
    return _session_verdict(reply, limits), reply.get("message", "")


def sample_result(
    problem: Problem,
    sample: Sample,
    benchmark: str,
    results: list[TestResult],
    total: int,
    detail: str = "",
) -> SampleResult:
    """A sample's result from its test results: verdict, failure class, highest level."""
    verdicts = [r.verdict for r in results]
    ac_ids = {r.test_id for r in results if r.verdict is Verdict.AC}
    level, tier = highest_level(problem, ac_ids)
    if not detail:
        detail = next((r.detail for r in results if r.verdict is not Verdict.AC and r.detail), "")
    return SampleResult(
        benchmark=benchmark,
        problem_id=problem.id,
        policy=sample.policy,
        sample=sample.sample,
        language=sample.language,
        verdict=sample_verdict(verdicts),
        failure_class=failure_class(verdicts),
        tests=results,
        tests_total=total,
        highest_level=level,
        highest_tier=tier,
        difficulty=problem.difficulty,
        extracted=sample.extracted,
        code_sha256=hashlib.sha256(sample.code.encode(errors="surrogateescape")).hexdigest(),
        policy_meta=sample.policy_meta,
        detail=detail[:2000],
    )


def internal_error_result(
    problem: Problem, sample: Sample, benchmark: str, message: str, attempts: int = 1
) -> SampleResult:
    """The result of a sample the judge could not judge: one IE test, never the sample's fault."""
    tests = sorted_tests(problem)
    first = tests[0]
    results = [TestResult(first.id, 0, first.size, first.tier, Verdict.IE, detail=message[:2000])]
    result = sample_result(problem, sample, benchmark, results, len(tests), detail=message)
    result.attempts = attempts
    return result


def classify_run(run: RunResult, limits: Limits, language: str) -> tuple[Verdict, str]:
    """The verdict of a fresh-process run before its output is compared (AC = run cleanly)."""
    stderr = _stderr_tail(run.stderr)
    if run.status == "internal":
        raise InternalJudgeError(run.message or "the sandbox could not run the program")
    # Output over the limit first: a program that keeps writing after its writes fail
    # (PID 1 of its namespace is not killed by SIGXFSZ) spins until the CPU limit.
    if run.stdout_size >= limits.output_bytes or (run.status == "signaled" and run.signal == SIGXFSZ):
        return Verdict.OLE, f"output exceeds {limits.output_bytes >> 20} MiB"
    if run.killed in ("cpu", "wall") or run.cpu_s > limits.cpu_s:
        how = "CPU" if run.killed != "wall" else "wall-clock backstop"
        return Verdict.TLE, f"{how} limit {limits.cpu_s:g} s exceeded"
    if run.status == "exited" and run.exit_code == EXIT_SETUP:
        raise InternalJudgeError(f"the sandbox failed to start the program: {stderr}")
    if run.status == "exited" and run.exit_code == EXIT_SYNTAX and language == "python":
        return Verdict.CE, stderr
    memory_kb = (limits.memory_mb or 0) * 1024
    failed = run.status == "signaled" or run.exit_code != 0
    if failed and (
        (run.status == "exited" and run.exit_code == EXIT_MEMORY and language == "python")
        or "std::bad_alloc" in stderr
        or (memory_kb and run.rss_kb >= MLE_RSS_FRACTION * memory_kb)
    ):
        return Verdict.MLE, f"memory limit {limits.memory_mb:g} MiB exceeded"
    if failed:
        if run.status == "signaled":
            return Verdict.RE, f"killed by signal {run.signal}" + (f": {stderr}" if stderr else "")
        return Verdict.RE, f"exit status {run.exit_code}" + (f": {stderr}" if stderr else "")
    return Verdict.AC, ""


def _session_verdict(reply: dict[str, Any], limits: Limits) -> Verdict:
    kind = reply.get("kind", "RE")
    if (
        kind == "TLE"
        or reply.get("killed", "none") != "none"
        or float(reply.get("cpu_s", 0.0)) > limits.cpu_s
    ):
        return Verdict.TLE
    try:
        return Verdict(kind)
    except ValueError:
        return Verdict.RE


def _test_result(test: TestCase, index: int, verdict: Verdict, run: RunResult, detail: str) -> TestResult:
    return TestResult(
        test_id=test.id,
        test_index=index,
        size=test.size,
        tier=test.tier,
        verdict=verdict,
        cpu_s=round(run.cpu_s, 6),
        wall_s=round(run.wall_s, 6),
        rss_mb=round(run.rss_kb / 1024, 3),
        exit_code=run.exit_code,
        signal=run.signal,
        detail=detail[:2000],
    )


def _session_result(
    test: TestCase, index: int, verdict: Verdict, reply: dict[str, Any], detail: str
) -> TestResult:
    return TestResult(
        test_id=test.id,
        test_index=index,
        size=test.size,
        tier=test.tier,
        verdict=verdict,
        cpu_s=round(float(reply.get("cpu_s", 0.0)), 6),
        wall_s=round(float(reply.get("wall_s", 0.0)), 6),
        rss_mb=round(int(reply.get("maxrss_kb", 0)) / 1024, 3),
        detail=str(detail)[:2000],
    )


def _json_file(path: Path | None, what: str, inline: Any) -> Any:
    """A function test's arguments or answer: the JSON in `path` when the test names a
    file (input_file / output_file), else the value given inline."""
    if path is None:
        return inline
    try:
        return json.loads(path.read_text())
    except ValueError as exc:  # the file's name, not just "Expecting value: line 1 column 1"
        raise InputError(f"{what} is not valid JSON: {exc}", path=path) from None


def _args_json(test: TestCase) -> bytes:
    args = _json_file(test.input_path, f"the arguments of test {test.id}", test.input)
    return json.dumps({"args": args}, separators=(",", ":")).encode()


def _stderr_tail(stderr: bytes, limit: int = 1500) -> str:
    text = stderr.decode(errors="replace").strip()
    return text[-limit:]


def _short(raw: bytes, limit: int = 200) -> str:
    text = raw.decode(errors="replace")
    return text if len(text) <= limit else text[:limit] + "..."
