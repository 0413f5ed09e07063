"""CruxEval (Gu et al., 2024): 800 Python functions, each with an input and an output;
predict the output (CruxEval-O, ``assert f(input) == ??``) or an input (CruxEval-I,
``assert f(??) == output``). Scored exactly as facebookresearch/cruxeval scores it
(docs/traces.md, "CruxEval"):

* a generation `g` passes when ``{code}\\nassert {output} == {g}`` runs without error
  within 3 seconds (in input mode `g` is a call such as ``f([1, 2])``); the program runs
  as the original harness runs it (`runtime/check.py`), but in the sandbox;
* an input-mode generation without ``f(`` and an output-mode generation containing the
  call ``f({input})`` itself are skipped: left out of the problem's results, so its n
  shrinks, except that when no generation of a problem passes, its results are all
  False over every generation (`evaluation/utils_general.py:evaluate_score`);
* pass@1 and pass@5 per problem with the original's estimator (which gives 1.0 whenever
  n - c < k, also when n < k), averaged over problems, times 100.

The data file and the prompt texts are CruxEval's (MIT, `data/LICENSE` beside the file).
Checks run one per fresh process, as the original's, on one sandbox per worker (reused):
a check then costs a fork in the sandbox, not a new interpreter plus a manager process.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from codefrontier.errors import ConfigError, InputError

TIMEOUT_S = 3.0  # the original's check_correctness(code_to_execute, 3)
MODES = ("output", "input")
STOP = ["[/ANSWER]"]  # the original's stop word for both tasks (without the Phind variant)
SOURCE = "facebookresearch/cruxeval, data/cruxeval.jsonl (MIT)"


@dataclass(frozen=True)
class CruxEvalItem:
    id: str
    code: str
    input: str
    output: str

    @property
    def call(self) -> str:
        return f"f({self.input})"


def data_file() -> Path:
    return Path(str(files("codefrontier.traces") / "data" / "cruxeval.jsonl"))


@cache
def _load(path: str) -> tuple[CruxEvalItem, ...]:
    items = []
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            try:
                rec = json.loads(line)
                items.append(CruxEvalItem(rec["id"], rec["code"], rec["input"], rec["output"]))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise InputError(f"not a CruxEval record ({exc})", path=path, line=line_no) from None
    return tuple(items)


def load_cruxeval(path: str | Path | None = None) -> list[CruxEvalItem]:
    """The 800 items in the data file's order (`sample_0` ... `sample_799`)."""
    return list(_load(str(path or data_file())))


# ----------------------------------------------------------------------------- prompts
# The four prompts of the original's prompts.py, word for word.
TRAILING_SPACE = " "  # two lines of the original's CoT input prompt end with a space


def make_direct_output_prompt(code: str, input: str) -> str:
    return f"""You are given a Python function and an assertion containing an input to the function. Complete the assertion with a literal (no unsimplified expressions, no function calls) containing the output when executing the provided code on the given input, even if the function is incorrect or incomplete. Do NOT output any extra information. Provide the full assertion with the correct output in [ANSWER] and [/ANSWER] tags, following the examples.

[PYTHON]
def f(n):
    return n
assert f(17) == ??
[/PYTHON]
[ANSWER]
assert f(17) == 17
[/ANSWER]

[PYTHON]
def f(s):
    return s + "a"
assert f("x9j") == ??
[/PYTHON]
[ANSWER]
assert f("x9j") == "x9ja"
[/ANSWER]

[PYTHON]
{code}
assert f({input}) == ??
[/PYTHON]
[ANSWER]
"""


def make_cot_output_prompt(code: str, input: str) -> str:
    return f"""You are given a Python function and an assertion containing an input to the function. Complete the assertion with a literal (no unsimplified expressions, no function calls) containing the output when executing the provided code on the given input, even if the function is incorrect or incomplete. Do NOT output any extra information. Execute the program step by step before arriving at an answer, and provide the full assertion with the correct output in [ANSWER] and [/ANSWER] tags, following the examples.

[PYTHON]
def f(s):
    s = s + s
    return "b" + s + "a"
assert f("hi") == ??
[/PYTHON]
[THOUGHT]
Let's execute the code step by step:

1. The function f is defined, which takes a single argument s.
2. The function is called with the argument "hi", so within the function, s is initially "hi".
3. Inside the function, s is concatenated with itself, so s becomes "hihi".
4. The function then returns a new string that starts with "b", followed by the value of s (which is now "hihi"), and ends with "a".
5. The return value of the function is therefore "bhihia".
[/THOUGHT]
[ANSWER]
assert f("hi") == "bhihia"
[/ANSWER]

[PYTHON]
{code}
assert f({input}) == ??
[/PYTHON]
[THOUGHT]
"""


def make_direct_input_prompt(code: str, output: str) -> str:
    return f"""You will be given a function f and an output in the form f(??) == output. Find any input such that executing f on the input leads to the given output. There may be multiple answers, but you should only output one. In [ANSWER] and [/ANSWER] tags, complete the assertion with one such input that will produce the output when executing the function.

[PYTHON]
def f(my_list):
    count = 0
    for i in my_list:
        if len(i) % 2 == 0:
            count += 1
    return count
assert f(??) == 3
[/PYTHON]
[ANSWER]
assert f(["mq", "px", "zy"]) == 3
[/ANSWER]

[PYTHON]
def f(s1, s2):
    return s1 + s2
assert f(??) == "banana"
[/PYTHON]
[ANSWER]
assert f("ba", "nana") == "banana"
[/ANSWER]

[PYTHON]
{code}
assert f(??) == {output}
[/PYTHON]
[ANSWER]
"""


def make_cot_input_prompt(code: str, output: str) -> str:
    return f"""You will be given a function f and an output in the form f(??) == output. Your task is to find any input such that executing f on the input leads to the given output. There may be multiple answers, but only output one. First, think step by step. You MUST surround the answer with [ANSWER] and [/ANSWER] tags. Express your answer as a passing assertion containing the input and the given output.

[PYTHON]
def f(x):
    return x + 1
assert f(??) == 17
[/PYTHON]
[THOUGHT]
To find an input such that executing f on the input leads to the given output, we can work backwards from the given assertion. We know that f(??) == 17.{TRAILING_SPACE}

Since the function f(x) returns x + 1, for f(??) to be equal to 17, the value of ?? should be 16.{TRAILING_SPACE}
[/THOUGHT]
[ANSWER]
assert f(16) == 17
[/ANSWER]

[PYTHON]
{code}
assert f(??) == {output}
[/PYTHON]
[THOUGHT]
"""


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ConfigError(f"--mode must be input or output, got {mode!r}")
    return mode


def make_prompt(item: CruxEvalItem, mode: str, cot: bool = False) -> str:
    if check_mode(mode) == "output":
        return (make_cot_output_prompt if cot else make_direct_output_prompt)(item.code, item.input)
    return (make_cot_input_prompt if cot else make_direct_input_prompt)(item.code, item.output)


def postprocess(completion: str, mode: str, cot: bool = False) -> str:
    """The original's `postprocess_generation`, applied to the text after the prompt."""
    generation = completion
    if cot and "[ANSWER]" in generation:
        generation = generation.split("[ANSWER]")[1].strip()
    if check_mode(mode) == "output":
        if "==" in generation:
            generation = generation.split("==")[1].strip()
        return generation.strip()
    if "==" in generation:
        generation = generation.split("==")[0].strip()
    if "assert f" in generation:
        generation = "f" + generation.split("assert f")[1].strip()
    return generation.strip()


# ----------------------------------------------------------------------------- checking


def check_program(item: CruxEvalItem, generation: str) -> str:
    return f"{item.code}\nassert {item.output} == {generation}"


def is_skipped(item: CruxEvalItem, generation: str, mode: str) -> bool:
    """The original's rule: input mode needs a call of f; output mode must not contain f(input)."""
    if mode == "input":
        return "f(" not in generation
    return f"f({item.input})" in generation


@dataclass(frozen=True)
class CheckResult:
    """One check: `result` is the original harness's word (``passed``, ``timed out``,
    ``failed: ...``); `skipped` when CruxEval's rule left the generation out unrun."""

    result: str
    skipped: bool = False
    cpu_s: float = 0.0
    wall_s: float = 0.0

    @property
    def passed(self) -> bool:
        return self.result == "passed"


_check_lock = threading.Lock()


@cache
def _check_fd() -> int:
    """runtime/check.py as one sealed memfd, shared by every run of this process."""
    from codefrontier.sandbox import memfd_from_bytes
    from codefrontier.traces.workers import runtime_program

    with _check_lock:
        return memfd_from_bytes(runtime_program("check"), "check.py")


def run_check(sandbox: Any, program: str, timeout_s: float = TIMEOUT_S) -> CheckResult:
    """One check in a fresh process on `sandbox`."""
    from codefrontier.sandbox import Limits, memfd_from_bytes

    nonce = secrets.token_hex(16)
    job = json.dumps({"program": program, "nonce": nonce, "timeout": timeout_s}).encode(
        "utf-8", "surrogatepass"
    )
    stdin = memfd_from_bytes(job, "job")
    try:
        # The alarm inside ends the check at timeout_s; the sandbox's limits are the
        # original's `p.join(timeout=timeout + 1)` backstop. No memory limit in the
        # original; a generous one here so that a memory bomb is contained.
        run = sandbox.run_python(
            _check_fd(),
            stdin,
            Limits(cpu_s=timeout_s + 1, wall_s=timeout_s + 1, memory_mb=2048, output_bytes=1 << 20),
            argv=["check.py"],
        )
    finally:
        os.close(stdin)
    return _result(run.stdout, nonce, run.cpu_s, run.wall_s)


def run_checks(sandbox: Any, programs: Sequence[str], timeout_s: float = TIMEOUT_S) -> list[CheckResult]:
    """Several checks in one sandbox run, each in its own fresh fork (runtime/batch.py);
    checks the batch did not reach (it was killed as a whole) run one per run."""
    from codefrontier.sandbox import Limits, memfd_from_bytes

    if len(programs) == 1:
        return [run_check(sandbox, programs[0], timeout_s)]
    nonces = [secrets.token_hex(16) for _ in programs]
    job = {
        "batch": [{"program": p, "nonce": n} for p, n in zip(programs, nonces, strict=True)],
        "timeout": timeout_s,
    }
    stdin = memfd_from_bytes(json.dumps(job).encode("utf-8", "surrogatepass"), "job")
    try:
        run = sandbox.run_python(
            _check_fd(),
            stdin,
            Limits(
                cpu_s=len(programs) * (timeout_s + 2) + 5,
                wall_s=len(programs) * (timeout_s + 1.5) + 10,
                memory_mb=2048,
                output_bytes=1 << 24,
                nproc=16,
            ),
            argv=["check.py"],
        )
    finally:
        os.close(stdin)
    from codefrontier.traces.workers import read_batch

    results = [
        _result(body, nonces[k], float(header.get("cpu_s", 0.0)), float(header.get("wall_s", 0.0)))
        for k, (header, body) in enumerate(read_batch(run.stdout, len(programs)))
    ]
    for program in programs[len(results) :]:
        results.append(run_check(sandbox, program, timeout_s))
    return results


def _result(stdout: bytes, nonce: str, cpu_s: float, wall_s: float) -> CheckResult:
    for line in reversed(stdout.splitlines()):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if (
            isinstance(record, dict)
            and record.get("nonce") == nonce
            and isinstance(record.get("result"), str)
        ):
            return CheckResult(record["result"], cpu_s=cpu_s, wall_s=wall_s)
    # No result from the process: the original then records "timed out" (and fails).
    return CheckResult("timed out", cpu_s=cpu_s, wall_s=wall_s)


CHECK_BATCH = 16  # checks per sandbox run


def check_generations(
    items: Sequence[CruxEvalItem],
    generations: Sequence[Sequence[str]],
    mode: str,
    *,
    jobs: int | None = None,
    isolation: str = "auto",
    progress: Any = None,
) -> list[list[CheckResult]]:
    """Every generation of every item checked (skipped ones are not run)."""
    from codefrontier.traces.workers import SandboxPool

    check_mode(mode)
    todo = [
        (i, j, check_program(item, g))
        for i, (item, gs) in enumerate(zip(items, generations, strict=True))
        for j, g in enumerate(gs)
        if not is_skipped(item, g, mode)
    ]
    results: list[list[CheckResult]] = [
        [CheckResult("skipped", skipped=True) for _ in gs] for gs in generations
    ]
    groups = [todo[k : k + CHECK_BATCH] for k in range(0, len(todo), CHECK_BATCH)]
    with SandboxPool(jobs, isolation) as pool:
        done = pool.map(lambda sb, group: run_checks(sb, [t[2] for t in group]), groups)
        for group, checked in zip(groups, done, strict=True):
            for (i, j, _), result in zip(group, checked, strict=True):
                results[i][j] = result
                if progress is not None:
                    progress()
    return results


# ----------------------------------------------------------------------------- scoring


def pass_at_k(n: int, c: int, k: int) -> float:
    """The original's estimator, float for float (numpy product): 1.0 whenever n - c < k,
    also when n < k, where `codefrontier.analysis`'s estimator says pass@k is not
    estimable. Kept as the original so that scores are comparable with published ones."""
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def execution_results(checks: Sequence[CheckResult]) -> list[bool]:
    """The original's `evaluate_score` for one problem, from its checks."""
    results = [c.passed for c in checks if not c.skipped]
    if True not in results:
        results = [False] * len(checks)
    return results


@dataclass
class Scored:
    """The original's scored format (`to_json`), plus each check for the results store."""

    generations: dict[str, list[str]]
    scored: dict[str, list[bool]]
    pass_at_1: float
    pass_at_5: float
    checks: dict[str, list[CheckResult]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "raw_generations": self.generations,
            "raw_scored_generations": self.scored,
            "pass_at_1": self.pass_at_1,
            "pass_at_5": self.pass_at_5,
        }


def score_generations(
    generations: dict[str, list[str]],
    mode: str,
    *,
    items: Sequence[CruxEvalItem] | None = None,
    jobs: int | None = None,
    isolation: str = "auto",
    require_all: bool = True,
    progress: Any = None,
) -> Scored:
    """Score generations in the original's format (``{"sample_0": [g, ...], ...}``). Like
    the original, every problem must have an entry unless `require_all` is False (then
    the scores are over the problems given)."""
    check_mode(mode)
    items = list(items) if items is not None else load_cruxeval()
    by_id = {item.id: item for item in items}
    unknown = sorted(set(generations) - set(by_id))
    if unknown:
        raise InputError(f"generations for problems CruxEval does not have: {', '.join(unknown[:5])}")
    if require_all:
        missing = [item.id for item in items if item.id not in generations]
        if missing:
            raise InputError(
                f"no generations for {len(missing)} problems ({', '.join(missing[:5])}...); the original "
                "harness needs every sample_i (pass --partial to score a subset)"
            )
    chosen = [item for item in items if item.id in generations]
    lists = []
    for item in chosen:
        gs = generations[item.id]
        if not isinstance(gs, list) or not all(isinstance(g, str) for g in gs):
            raise InputError(f"{item.id}: generations must be a list of strings")
        lists.append(gs)
    checks = check_generations(chosen, lists, mode, jobs=jobs, isolation=isolation, progress=progress)
    scored = {item.id: execution_results(c) for item, c in zip(chosen, checks, strict=True)}
    ones, fives = [], []
    for results in scored.values():
        c, n = results.count(True), len(results)
        ones.append(pass_at_k(n, c, 1))
        fives.append(pass_at_k(n, c, 5))
    count = max(1, len(ones))
    return Scored(
        generations={item.id: generations[item.id] for item in chosen},
        scored=scored,
        pass_at_1=sum(ones) / count * 100,
        pass_at_5=sum(fives) / count * 100,
        checks={item.id: c for item, c in zip(chosen, checks, strict=True)},
    )


def read_generations(path: str | Path) -> dict[str, list[str]]:
    """A generations file in the original's format."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", path=path, line=exc.lineno) from None
    if not isinstance(data, dict):
        raise InputError('expected {"sample_0": ["generation", ...], ...}', path=path)
    for key, value in data.items():
        if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
            raise InputError("must be a list of strings", path=path, field=key)
    return data
