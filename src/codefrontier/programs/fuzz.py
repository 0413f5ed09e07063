"""Behavioral tests by fuzzing a reference executable (docs/programs.md, "Fuzzing").

1. **Spec.** The reference's `--help` (run in the sandbox) and the documentation file are
   parsed (`helptext.parse_help`) into options, their argument kinds and choices, operands
   and input-format hints.
2. **Candidates.** From a seed: the meta calls (`--help`, `--version`), an unknown option
   and a missing option argument, then random argument vectors (0-3 options with values
   of their kind, operands: input files, `-`, missing files, character sets, expressions)
   with standard input and file contents from `inputs` (format-aware, and mutations of
   earlier inputs).
3. **Observation.** Every candidate runs on the reference in the sandbox `repeat` times,
   through the same helper the tests use (`case_helper.run_case`). Outputs that differ
   between runs are normalized (process ids, then times and dates) if that makes them
   agree; otherwise the candidate is dropped as unstable. Timeouts and outputs over
   `max_output` bytes are dropped too.
4. **Selection.** Greedily, the candidate that adds the most unseen features (options and
   value classes used, operand shapes, exit status, output signature) until `tests`.
5. **Suite.** The kept cases are written as pytest files in ProgramBench's layout
   (`tests/<branch>/eval/run.sh`, `eval/tests/test_{cli,stdin,files}.py`), each test
   asserting exit status, standard output, standard error and the files written.

Validation (`validate.py`) then runs the suite on the reference N times and on a dummy.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codefrontier.errors import InputError
from codefrontier.programs import inputs
from codefrontier.programs.case_helper import CaseResult, normalize
from codefrontier.programs.helptext import CommandSpec, Option, parse_help
from codefrontier.programs.runner import CASE_HELPER_SOURCE, ProgramRunner, StepLimits
from codefrontier.programs.settings import FuzzConfig

NORMALIZATIONS = ([], ["pid"], ["time"], ["pid", "time"])
SETS = [
    "a-z",
    "A-Z",
    "[:lower:]",
    "[:upper:]",
    "[:digit:]",
    "[:space:]",
    "abc",
    "xyz",
    "aeiou",
    "\\n",
    " ",
    "a-c",
    "lo",
    "z-a",
    "[:bogus:]",
    "",
]
NUMBERS = ["0", "1", "2", "3", "4", "5", "8", "10", "20", "80", "-1", "999999", "x", ""]
LISTS = ["1", "2", "3", "1,3", "2-", "-2", "1-2", "2,1", "3-1", "0", "1,2,3", "a", "1-"]
CHARS = [":", ",", "\t", "|", " ", ";", "ab", ""]
STRINGS = ["-", " | ", ":", "", "##", "\t"]


@dataclass
class Case:
    id: str
    argv: list[str]
    stdin: bytes = b""
    files: dict[str, bytes] = field(default_factory=dict)
    features: frozenset[str] = frozenset()

    def key(self) -> tuple[Any, ...]:
        return (tuple(self.argv), self.stdin, tuple(sorted(self.files.items())))

    def to_job(self, timeout: float) -> dict[str, Any]:
        return {
            "id": self.id,
            "argv": self.argv,
            "stdin": base64.b64encode(self.stdin).decode(),
            "files": {k: base64.b64encode(v).decode() for k, v in self.files.items()},
            "timeout": timeout,
        }


@dataclass
class Observed:
    """What the reference did on a case, as the test asserts it."""

    code: int | str
    stdout: bytes
    stderr: bytes
    files: dict[str, bytes]
    rules: list[str]  # normalizations the test applies


@dataclass
class FuzzReport:
    spec: CommandSpec
    candidates: int = 0
    kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    normalized: int = 0
    features: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "options_found": [o.name for o in self.spec.options],
            "operands_found": [o.metavar for o in self.spec.operands],
            "formats": self.spec.formats,
            "candidates": self.candidates,
            "kept": self.kept,
            "dropped": self.dropped,
            "normalized": self.normalized,
            "features_covered": self.features,
        }


# -- candidates ---------------------------------------------------------------------------


class CaseMaker:
    def __init__(self, spec: CommandSpec, rng: random.Random) -> None:
        self.spec = spec
        self.rng = rng
        self.corpus: list[bytes] = []
        self.count = 0

    def next_id(self) -> str:
        self.count += 1
        return f"t{self.count:03d}"

    def fixed(self) -> list[Case]:
        """The calls every suite has: help, version, an unknown option, a missing argument."""
        cases = []
        for option in self.spec.options:
            if option.is_meta:
                cases.append(self._case([option.long or option.short or ""], b"", {}, {f"opt:{option.name}"}))
        cases.append(self._case(["--no-such-option"], b"", {}, {"bad-long-option"}))
        used = {o.short for o in self.spec.options if o.short}
        free = next((f"-{c}" for c in "ZQJKYXG" if f"-{c}" not in used), "-Z")
        cases.append(self._case([free], b"", {}, {"bad-short-option"}))
        with_arg = [o for o in self.spec.options if o.metavar and not o.optional_arg]
        if with_arg:
            option = with_arg[0]
            cases.append(self._case([option.short or option.long or ""], b"", {}, {"missing-argument"}))
        return cases

    def random_case(self) -> Case:
        rng, spec = self.rng, self.spec
        argv: list[str] = []
        features: set[str] = set()
        files: dict[str, bytes] = {}
        cid = self.next_id()
        options = [o for o in spec.options if not o.is_meta]
        k = rng.choice([0, 1, 1, 2, 2, 3]) if options else 0
        if spec.options_required and k == 0 and options:
            k = 1
        chosen = rng.sample(options, min(k, len(options)))
        if spec.options_required and chosen and all(o.metavar is None for o in chosen):
            with_arg = [o for o in options if o.metavar]
            if with_arg:
                chosen.append(rng.choice(with_arg))
        for option in chosen:
            argv += self._option_words(option, features)
        stdin_used = True
        for operand in spec.operands:
            if not operand.required and rng.random() < 0.45:
                continue
            count = rng.choice([1, 1, 2]) if operand.repeated else 1
            for _ in range(count):
                kind = operand.kind
                if kind == "file":
                    r = rng.random()
                    if r < 0.15:
                        argv.append("-")
                        features.add("operand:stdin-dash")
                    elif r < 0.25:
                        argv.append(f"cases/{cid}/missing.txt")
                        features.add("operand:missing-file")
                    elif operand.metavar.upper().startswith("OUTPUT"):
                        argv.append(f"cases/{cid}/out.txt")
                        features.add("operand:output-file")
                    else:
                        name = f"in{len(files) + 1}.txt"
                        files[name] = self._input()
                        argv.append(f"cases/{cid}/{name}")
                        features.add("operand:file")
                        stdin_used = "-" in argv
                elif kind == "set":
                    value = rng.choice(SETS)
                    argv.append(value)
                    features.add(f"operand:{operand.metavar}={value}")
                elif kind == "expression":
                    argv.append(inputs.expression(rng))
                    features.add("operand:expression")
                else:
                    argv.append(inputs.word(rng))
                    features.add(f"operand:{operand.metavar}")
        stdin = self._input() if stdin_used and rng.random() < 0.92 else b""
        features.add("stdin:" + ("empty" if not stdin else "data"))
        return Case(cid, argv, stdin, files, frozenset(features))

    def _option_words(self, option: Option, features: set[str]) -> list[str]:
        rng = self.rng
        features.add(f"opt:{option.name}")
        if option.metavar is None:
            if option.short and option.long:
                return [rng.choice([option.short, option.long])]
            return [option.short or option.long or ""]
        value = self._value(option)
        features.add(f"val:{option.name}={_value_class(value)}")
        if option.long and (not option.short or rng.random() < 0.5):
            return (
                [f"{option.long}={value}"]
                if rng.random() < 0.6 or option.optional_arg
                else [option.long, value]
            )
        assert option.short is not None
        return [option.short + value] if value and rng.random() < 0.3 else [option.short, value]

    def _value(self, option: Option) -> str:
        rng = self.rng
        kind = option.kind
        if kind == "choice":
            return rng.choice([*option.choices, *option.choices, "zz"])
        if kind == "number":
            return rng.choice(NUMBERS[:11] * 3 + NUMBERS)
        if kind == "list":
            return rng.choice(LISTS)
        if kind == "char":
            return rng.choice(CHARS)
        if kind == "string":
            return rng.choice(STRINGS)
        if kind == "expression":
            return inputs.expression(rng)
        if kind == "set":
            return rng.choice(SETS)
        if kind == "file":
            return "cases/missing.txt"
        return inputs.word(rng)

    def _input(self) -> bytes:
        rng = self.rng
        if self.corpus and rng.random() < 0.35:
            data = inputs.mutate(rng, rng.choice(self.corpus))
        else:
            data = inputs.generate(rng, self.spec.formats)
        self.corpus.append(data)
        return data

    def _case(self, argv: list[str], stdin: bytes, files: dict[str, bytes], features: set[str]) -> Case:
        return Case(self.next_id(), argv, stdin, files, frozenset(features))


def _value_class(value: str) -> str:
    if value == "":
        return "empty"
    if re.fullmatch(r"-?\d+", value):
        n = int(value)
        return "neg" if n < 0 else "zero" if n == 0 else "one" if n == 1 else "small" if n < 100 else "large"
    return re.sub(r"[A-Za-z]+", "a", re.sub(r"\d+", "9", value))[:12]


# -- observing and choosing -----------------------------------------------------------------


def stable_observation(runs: list[dict[str, Any]], case: Case | None = None) -> Observed | None:
    """The observation the test asserts, or None if the runs disagree even after normalizing.

    A normalization is also kept when the runs agree but their output holds what it would
    replace (a clock time) and the case's own input does not: runs within one second print
    the same time, later ones will not."""
    if not runs:
        return None
    decoded = [
        CaseResult(
            r["code"],
            base64.b64decode(r["stdout"]),
            base64.b64decode(r["stderr"]),
            {k: base64.b64decode(v) for k, v in r["files"].items()},
            r["pid"],
        )
        for r in runs
    ]
    given = b"\0".join([*(a.encode() for a in case.argv), case.stdin, *case.files.values()]) if case else b""
    for rules in NORMALIZATIONS:
        views = [_view(d, rules) for d in decoded]
        if all(v == views[0] for v in views[1:]):
            # (not the process id: inside the sandbox it is a small number, easily a count)
            extra = [
                r
                for r in ("time",)
                if r not in rules
                and _view(decoded[0], [r]) != _view(decoded[0], [])
                and not _view_changes(given, r)
            ]
            rules = sorted(set(rules) | set(extra))
            code, out, err, files = _view(decoded[0], rules)
            return Observed(code, out, err, files, rules)
    return None


def _view(d: CaseResult, rules: list[str]) -> tuple[Any, bytes, bytes, dict[str, bytes]]:
    return (
        d.code,
        normalize(d.stdout, d, rules),
        normalize(d.stderr, d, rules),
        {k: normalize(v, d, rules) for k, v in d.files.items()},
    )


def _view_changes(given: bytes, rule: str) -> bool:
    """Whether the case's input itself holds what `rule` replaces (then it is data, not a clock)."""
    return rule == "time" and normalize(given, CaseResult(0, b"", b"", {}, -1), ["time"]) != given


def signature(observed: Observed) -> str:
    h = hashlib.sha256()
    for part in (
        str(observed.code).encode(),
        observed.stdout,
        observed.stderr,
        repr(sorted(observed.files.items())).encode(),
    ):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()[:16]


def select(pairs: list[tuple[Case, Observed]], n: int) -> list[tuple[Case, Observed]]:
    """Greedy: the case adding the most unseen features (its own, its exit status, its
    output signature) next; ties go to the earlier case. Duplicated behaviors last."""
    seen: set[str] = set()
    chosen: list[tuple[Case, Observed]] = []
    remaining = list(pairs)
    signatures: set[str] = set()

    def feats(case: Case, obs: Observed) -> set[str]:
        return set(case.features) | {f"exit:{obs.code}", f"sig:{signature(obs)}"}

    while remaining and len(chosen) < n:
        best = max(range(len(remaining)), key=lambda i: (len(feats(*remaining[i]) - seen), -i))
        case, obs = remaining.pop(best)
        sig = signature(obs)
        if (
            not (feats(case, obs) - seen)
            and sig in signatures
            and any(signature(o) not in signatures for _, o in remaining)
        ):
            remaining.append((case, obs))  # a repeat of a behavior: after the new ones
            continue
        seen |= feats(case, obs)
        signatures.add(sig)
        chosen.append((case, obs))
    return chosen


def fuzz(
    reference: bytes,
    doc_text: str,
    config: FuzzConfig,
    runner: ProgramRunner,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[tuple[Case, Observed]], FuzzReport]:
    """Generate, observe and choose the cases of a suite for `reference` (its bytes)."""
    limits = StepLimits(wall_s=600, memory_mb=1024)
    helps = runner.observe(reference, [Case("help", ["--help"]).to_job(config.timeout_s)], 1, limits)
    help_text = ""
    for obs in helps.report.get("observations", []):
        for run in obs["runs"]:
            help_text = base64.b64decode(run["stdout"]).decode(errors="replace")
    spec = parse_help(help_text + "\n" + doc_text if help_text.strip() else doc_text)
    if not spec.options and not spec.operands:
        raise InputError("found no options or operands in the reference's --help or the documentation")
    rng = random.Random(config.seed)
    maker = CaseMaker(spec, rng)
    cases = maker.fixed()
    total = config.candidates or config.tests * 5
    seen_keys = {c.key() for c in cases}
    attempts = 0
    while len(cases) < total and attempts < total * 20:
        attempts += 1
        case = maker.random_case()
        if case.key() not in seen_keys:
            seen_keys.add(case.key())
            cases.append(case)
    report = FuzzReport(spec, candidates=len(cases))
    pairs: list[tuple[Case, Observed]] = []
    chunk = 40
    for start in range(0, len(cases), chunk):
        part = cases[start : start + chunk]
        step = runner.observe(reference, [c.to_job(config.timeout_s) for c in part], config.repeat, limits)
        by_id = {o["id"]: o["runs"] for o in step.report.get("observations", [])}
        for case in part:
            runs = by_id.get(case.id, [])
            reason = _drop_reason(runs, config)
            observed = None if reason else stable_observation(runs, case)
            if reason is None and observed is None:
                reason = "unstable"
            if reason:
                report.dropped[reason] = report.dropped.get(reason, 0) + 1
                continue
            assert observed is not None
            report.normalized += bool(observed.rules)
            pairs.append((case, observed))
        if progress:
            progress(min(start + chunk, len(cases)), len(cases))
    chosen = select(pairs, config.tests)
    report.kept = len(chosen)
    report.features = len(set().union(*(c.features for c, _ in chosen))) if chosen else 0
    return chosen, report


def _drop_reason(runs: list[dict[str, Any]], config: FuzzConfig) -> str | None:
    if len(runs) < config.repeat:
        return "not_observed"
    if any(r["code"] == "timeout" for r in runs):
        return "slow_or_hang"
    if any(len(base64.b64decode(r["stdout"])) > config.max_output for r in runs):
        return "output_too_large"
    return None


# -- writing the suite ----------------------------------------------------------------------

RUN_SH = """#!/bin/bash
# Runs this branch's tests from the workspace root (ProgramBench's layout).
set -e
cd "$(dirname "$0")/.."
pip install pytest --quiet 2>/dev/null || true
python3 -m pytest eval/tests/ --junitxml=eval/results.xml -v || true
"""


def module_of(case: Case) -> str:
    if case.files or any(a.startswith("cases/") for a in case.argv):
        return "test_files"
    if case.stdin:
        return "test_stdin"
    return "test_cli"


def test_name(case: Case) -> str:
    words = re.findall(r"[a-z0-9]+", " ".join(a for a in case.argv if not a.startswith("cases/")).lower())
    slug = "_".join(words)[:32].strip("_")
    return f"test_{case.id}" + (f"_{slug}" if slug else "")


def render_module(name: str, program: str, cases: list[tuple[Case, Observed]], header: str) -> str:
    lines = [
        f'"""{header}"""',
        "",
        CASE_HELPER_SOURCE.read_text().rstrip(),
        "",
    ]
    for case, obs in cases:
        lines += ["", ""]
        lines.append(f"def {test_name(case)}():")
        call = f"    r = run_case({case.id!r}, {case.argv!r}"
        if case.stdin:
            call += f", stdin={case.stdin!r}"
        if case.files:
            call += f", files={case.files!r}"
        lines.append(call + ")")
        lines.append(f"    assert r.code == {obs.code!r}")
        if obs.rules:
            rules = tuple(obs.rules)
            lines.append(f"    assert normalize(r.stdout, r, {rules!r}) == {obs.stdout!r}")
            lines.append(f"    assert normalize(r.stderr, r, {rules!r}) == {obs.stderr!r}")
            lines.append(
                f"    assert {{k: normalize(v, r, {rules!r}) for k, v in r.files.items()}} == {obs.files!r}"
            )
        else:
            lines.append(f"    assert r.stdout == {obs.stdout!r}")
            lines.append(f"    assert r.stderr == {obs.stderr!r}")
            lines.append(f"    assert r.files == {obs.files!r}")
    return "\n".join(lines) + "\n"


def write_suite(branch_dir: Path, chosen: list[tuple[Case, Observed]], program: str, seed: int) -> list[str]:
    """Write the branch's files; returns the JUnit names of its tests, in file order."""
    from codefrontier.programs.files import write_bytes_atomic

    modules: dict[str, list[tuple[Case, Observed]]] = {}
    for case, obs in sorted(chosen, key=lambda p: p[0].id):
        modules.setdefault(module_of(case), []).append((case, obs))
    names = []
    write_bytes_atomic(branch_dir / "eval" / "run.sh", RUN_SH.encode())
    (branch_dir / "eval" / "run.sh").chmod(0o755)
    for module, cases in sorted(modules.items()):
        header = (
            f"Behavioral tests of {program}, generated by `codefrontier programs fuzz` (seed {seed}) and\n"
            "validated against the reference. Each test runs ./executable from the workspace root."
        )
        write_bytes_atomic(
            branch_dir / "eval" / "tests" / f"{module}.py",
            render_module(module, program, cases, header).encode(),
        )
        names += [f"eval.tests.{module}.{test_name(case)}" for case, _ in cases]
    return names
