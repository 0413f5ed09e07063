"""Running the teacher's `f` in the sandbox: the outputs of a problem, and the dynamic
rejection reasons (docs/synth.md, "Teacher output").

A draft's program is loaded in a sandboxed session and called on its inputs twice, each
time in a fresh process, the second time in reverse order and in another zygote (another
interpreter, with its own string-hash seed and memory layout): a function whose result
depends on the clock, randomness, earlier calls (a global it mutates), set order of
strings or object addresses gives different values and is rejected as non-deterministic. The returned values cross
as typed JSON and are compared here, in the judge's process. Nothing of the teacher's
text runs in this process.
"""

from __future__ import annotations

import json
import os
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from codefrontier.errors import CodefrontierError
from codefrontier.sandbox import CallReply, Limits, Sandbox, memfd_from_bytes, read_memfd, values
from codefrontier.synth.literals import encode_arguments, equals_itself, same_value
from codefrontier.synth.settings import RunLimits
from codefrontier.synth.task import Draft, Reason, Rejection

PROBE = "_synth_probe"
FUZZ_PROBE = f"""

def {PROBE}(*args):
    return [f(*args), pre_test_f(*args), test_f(*args)]
"""


@dataclass(frozen=True)
class CallOutcome:
    """One call: `ok` with the returned value, or the kind of failure (TLE, RE, MLE, WA
    for a value that is not plain data, OLE) and its message."""

    ok: bool
    value: Any = None
    kind: str = ""
    message: str = ""


class ProgramRunner:
    """`jobs` pairs of sandboxes (started on first use) that run teacher programs;
    thread-safe: each call takes a pair from the queue for its duration."""

    def __init__(self, jobs: int = 2, isolation: str = "auto", limits: RunLimits | None = None) -> None:
        self.jobs = max(1, jobs)
        self.isolation = isolation
        self.limits = limits or RunLimits()
        self._idle: queue.SimpleQueue[tuple[Sandbox, Sandbox]] = queue.SimpleQueue()
        self._made = 0
        self._all: list[Sandbox] = []
        self._lock = threading.Lock()

    def _take(self) -> tuple[Sandbox, Sandbox]:
        """A pair of sandboxes: the two runs of a check happen in different zygotes, so
        a value that depends on the interpreter (string hashing, addresses) differs."""
        with self._lock:
            if self._made < self.jobs:
                started: list[Sandbox] = []
                try:
                    for _ in range(2):
                        started.append(Sandbox(self.isolation))
                except BaseException:  # a sandbox that cannot start: no pair is promised
                    for sandbox in started:
                        sandbox.close()
                    raise
                self._made += 1
                self._all.extend(started)
                return started[0], started[1]
        return self._idle.get()

    def close(self) -> None:
        for sandbox in self._all:
            sandbox.close()
        self._all.clear()

    def __enter__(self) -> ProgramRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- running ----------------------------------------------------------------------
    def call_all(
        self,
        program: str,
        entry: str,
        inputs: Sequence[tuple[Any, ...]],
        *,
        stop_at_failure: bool = True,
        second: bool = False,
    ) -> list[CallOutcome]:
        """`entry(*args)` for each input, in order, in one fresh sandboxed process (a
        process that dies is started again for the next input). With `stop_at_failure`
        the outcomes end at the first failed call. `second`: in the pair's other zygote."""
        pair = self._take()
        sandbox = pair[1] if second else pair[0]
        try:
            try:
                return self._call_all(sandbox, program, entry, inputs, stop_at_failure)
            except CodefrontierError:
                sandbox.restart()  # a crashed zygote: once more on a fresh one
                return self._call_all(sandbox, program, entry, inputs, stop_at_failure)
        finally:
            self._idle.put(pair)

    def _call_all(
        self,
        sandbox: Sandbox,
        program: str,
        entry: str,
        inputs: Sequence[tuple[Any, ...]],
        stop_at_failure: bool,
    ) -> list[CallOutcome]:
        limits = self.limits.sandbox_limits()
        code_fd = memfd_from_bytes(program.encode(errors="surrogateescape"), "program.py")
        result_fd = os.memfd_create("result", os.MFD_CLOEXEC)
        outcomes: list[CallOutcome] = []
        try:
            loaded = False
            for args in inputs:
                if not loaded:
                    reply = sandbox.session_start(code_fd, entry, limits)
                    if reply.status != "ready":
                        outcomes.append(self._load_failure(reply, sandbox.last_stderr))
                        if stop_at_failure or reply.kind == "CE":
                            break
                        continue
                    loaded = True
                args_fd = memfd_from_bytes(_args_payload(args).encode(), "args")
                try:
                    os.ftruncate(result_fd, 0)
                    reply = sandbox.call(args_fd, result_fd, limits)
                finally:
                    os.close(args_fd)
                outcomes.append(self._outcome(reply, result_fd, limits))
                loaded = sandbox.session_alive
                if stop_at_failure and not outcomes[-1].ok:
                    break
            sandbox.session_end()
            return outcomes
        finally:
            os.close(code_fd)
            os.close(result_fd)

    @staticmethod
    def _load_failure(reply: CallReply, stderr: bytes) -> CallOutcome:
        if reply.status == "internal":
            raise CodefrontierError(reply.message or "the sandbox failed")
        message = reply.message or stderr.decode(errors="replace")[-500:]
        kind = "TLE" if reply.killed != "none" else str(reply.kind or "RE")
        return CallOutcome(False, kind=kind, message=message)

    @staticmethod
    def _outcome(reply: CallReply, result_fd: int, limits: Limits) -> CallOutcome:
        status = reply.status
        if status == "internal":
            raise CodefrontierError(reply.message or "the sandbox failed")
        timed_out = reply.killed != "none" or float(reply.cpu_s) > limits.cpu_s
        if timed_out or reply.kind == "TLE":
            return CallOutcome(
                False, kind="TLE", message=f"over {limits.cpu_s:g} s CPU or {limits.wall_s:g} s wall"
            )
        if status != "ok":
            return CallOutcome(False, kind=str(reply.kind or "RE"), message=str(reply.message))
        raw = read_memfd(result_fd, limits.output_bytes)
        try:
            return CallOutcome(True, value=values.loads(raw))
        except (ValueError, RecursionError) as exc:
            return CallOutcome(False, kind="WA", message=f"the returned value could not be read: {exc}")

    # -- checking a teacher's draft ----------------------------------------------------
    def outputs(self, draft: Draft, *, fuzzing: bool = False) -> list[Any] | Rejection:
        """The outputs of `f` on the draft's inputs, or why the draft is rejected."""
        program, entry = (draft.program + FUZZ_PROBE, PROBE) if fuzzing else (draft.program, "f")
        try:
            first = self.call_all(program, entry, draft.inputs)
            for index, outcome in enumerate(first):
                rejection = _failed_call(index, outcome)
                if rejection is not None:
                    return rejection
            outputs = []
            for index, outcome in enumerate(first):
                value = outcome.value
                if fuzzing:
                    value, pre, test = value
                    if pre is not True or test is not True:
                        return Rejection(
                            Reason.INVALID_EXAMPLE,
                            f"input {index + 1}: pre_test_f gave {_show(pre)}, test_f gave {_show(test)} "
                            "(both must be True on the examples)",
                        )
                rejection = self._check_output(index, value)
                if rejection is not None:
                    return rejection
                outputs.append(value)
            second = self.call_all(program, entry, list(reversed(draft.inputs)), second=True)[::-1]
        except CodefrontierError as exc:
            return Rejection(Reason.INTERNAL, str(exc)[:500])
        if len(second) < len(first):  # the reverse run failed somewhere
            second = [CallOutcome(False, kind="failed", message="")] * (len(first) - len(second)) + second
        for index, (a, b) in enumerate(zip(first, second, strict=True)):
            if not b.ok or not same_value(a.value, b.value):
                got = _show(b.value) if b.ok else f"{b.kind} {b.message[:200]}".strip()
                return Rejection(
                    Reason.NONDETERMINISTIC,
                    f"input {index + 1}: {_show(a.value)} in the first run, {got} in the second (reverse order, another interpreter)",
                )
        return outputs

    def _check_output(self, index: int, value: Any) -> Rejection | None:
        if not equals_itself(value):
            return Rejection(
                Reason.UNHASHABLE_OUTPUT, f"input {index + 1}: {_show(value)} never equals itself"
            )
        size = len(values.dumps(value))
        if size > self.limits.max_output_chars:
            return Rejection(
                Reason.OVERSIZED_OUTPUT,
                f"input {index + 1}: the output is {size} characters (at most {self.limits.max_output_chars})",
            )
        return None


def _args_payload(args: tuple[Any, ...]) -> str:
    return json.dumps({"args": encode_arguments(args)}, separators=(",", ":"))


def _failed_call(index: int, outcome: CallOutcome) -> Rejection | None:
    if outcome.ok:
        return None
    where = f"input {index + 1}: "
    if outcome.kind == "TLE":
        return Rejection(Reason.TIMEOUT, where + outcome.message)
    if outcome.kind == "WA":
        return Rejection(Reason.UNHASHABLE_OUTPUT, where + outcome.message[:300])
    if outcome.kind == "OLE":
        return Rejection(Reason.OVERSIZED_OUTPUT, where + outcome.message[:300])
    if outcome.kind == "CE":
        return Rejection(Reason.SYNTAX_ERROR, outcome.message[:300])
    return Rejection(Reason.EXCEPTION, where + (outcome.message or outcome.kind)[:300])


def _show(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
