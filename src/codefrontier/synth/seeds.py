"""Seeds: what the teacher is inspired by at turn 1 (docs/synth.md, "Seeds").

* **Solved problems** from a results store: each problem with an accepted sample (its
  statement and the accepted program), or its reference solution when the store judged
  the benchmark's own solutions. The store's provenance names the problems and samples
  files it was judged from.
* **Code snippets**: 25-50 consecutive lines drawn from the Python files under a corpus
  folder (by default the standard library's source on this machine), deterministic for a
  seed: the same corpus and seed give the same snippets in the same order.
"""

from __future__ import annotations

import os
import random
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codefrontier.errors import ConfigError, InputError

MIN_LINES, MAX_LINES = 25, 50
MAX_SEED_CHARS = 6_000
SKIP_DIRS = frozenset({"site-packages", "dist-packages", "__pycache__", ".git", "node_modules"})
# The default corpus leaves out the standard library's own test suite and demos.
STDLIB_SKIP = frozenset({"test", "tests", "idlelib", "turtledemo", "lib2to3", "ensurepip"})


@dataclass(frozen=True)
class Seed:
    id: str
    kind: str  # "snippet" | "solved"
    text: str  # the code shown to the teacher
    source: str  # where it came from (file:lines, or store and problem)
    statement: str = ""  # solved problems: the problem's statement

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.id, "kind": self.kind, "source": self.source, "text": self.text}
        if self.statement:
            out["statement"] = self.statement
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Seed:
        return cls(
            id=str(data["id"]),
            kind=str(data["kind"]),
            text=str(data["text"]),
            source=str(data.get("source", "")),
            statement=str(data.get("statement", "")),
        )


def default_corpus() -> Path:
    """The standard library's source directory of this Python."""
    return Path(sysconfig.get_paths()["stdlib"])


def corpus_files(corpus: Path, skip: frozenset[str] = frozenset()) -> list[Path]:
    """Every .py file under `corpus` (outside directories named in SKIP_DIRS or `skip`),
    in a stable (sorted) order."""
    if not corpus.is_dir():
        raise ConfigError(f"--corpus {corpus}: not a directory")
    found = []
    pruned = SKIP_DIRS | skip
    for root, dirs, files in os.walk(corpus):
        dirs[:] = [d for d in dirs if d not in pruned]
        found.extend(Path(root) / name for name in files if name.endswith(".py"))
    if not found:
        raise ConfigError(f"--corpus {corpus}: no .py files under it")
    return sorted(found)


def snippet_seeds(corpus: Path | None, n: int, seed: int = 0) -> list[Seed]:
    """`n` snippets of 25-50 consecutive lines, drawn with `random.Random(seed)`: a file
    uniformly among the corpus's .py files (files too short are drawn again), a length
    uniformly in [25, 50], a start uniformly where the snippet fits."""
    files = (
        corpus_files(corpus.resolve()) if corpus else corpus_files(default_corpus().resolve(), STDLIB_SKIP)
    )
    corpus = (corpus or default_corpus()).resolve()
    rng = random.Random(f"codefrontier-snippets:{seed}")
    seeds: list[Seed] = []
    tries = 0
    while len(seeds) < n:
        tries += 1
        if tries > 50 * n + 1000:
            raise ConfigError(f"--corpus {corpus}: too few files with {MIN_LINES} lines or more")
        path = files[rng.randrange(len(files))]
        length = rng.randint(MIN_LINES, MAX_LINES)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        if len(lines) < length:
            continue
        start = rng.randrange(len(lines) - length + 1)
        text = "\n".join(lines[start : start + length])
        if not text.strip():
            continue
        rel = path.relative_to(corpus)
        seeds.append(
            Seed(
                id=f"snippet-{len(seeds):05d}",
                kind="snippet",
                text=text[:MAX_SEED_CHARS],
                source=f"{rel}:{start + 1}-{start + length}",
            )
        )
    return seeds


def solved_seeds(store_dir: Path, n: int | None = None) -> list[Seed]:
    """One seed per problem the store holds an accepted sample of (the first accepted
    sample by policy and index), in problem-id order; at most `n`."""
    from codefrontier.judge import load_samples, samples_from_solutions
    from codefrontier.problems.registry import resolve_problems
    from codefrontier.store.results import ResultsStore

    store = ResultsStore(store_dir)
    provenance = store.read_provenance()
    if provenance is None or not store.samples_path.exists():
        raise ConfigError(
            f"--seeds {store_dir}: not a results store (no provenance.json and samples.parquet)"
        )
    inputs = provenance.get("inputs", {})
    problems_file = inputs.get("problems_file")
    benchmark = None if problems_file else provenance.get("benchmark")
    _, problems = resolve_problems(benchmark, Path(problems_file) if problems_file else None)
    by_id = {p.id: p for p in problems}
    accepted = _accepted(store.samples_path)
    samples_file = inputs.get("samples_file")
    if samples_file:
        path = Path(samples_file)
        if not path.exists():
            raise InputError("the samples file this store was judged from is gone", path=path)
        samples = load_samples(path, by_id)
    else:  # judged with --solutions: the benchmark's own solutions are the samples
        samples = samples_from_solutions(problems)
    codes = {s.key: s.code for s in samples if s.key in accepted}
    seeds: list[Seed] = []
    for problem_id in sorted({k[0] for k in accepted}):
        problem = by_id.get(problem_id)
        code = next((codes[k] for k in sorted(accepted) if k[0] == problem_id and k in codes), None)
        if problem is None or code is None:
            continue
        seeds.append(
            Seed(
                id=f"solved-{problem_id}",
                kind="solved",
                text=code[:MAX_SEED_CHARS],
                source=f"{store_dir}:{problem_id}",
                statement=problem.statement[:MAX_SEED_CHARS],
            )
        )
        if n is not None and len(seeds) >= n:
            break
    if not seeds:
        raise ConfigError(f"--seeds {store_dir}: no accepted Python sample whose code can be found")
    return seeds


def _accepted(samples_path: Path) -> set[tuple[str, str, int]]:
    import pyarrow.parquet as pq

    table = pq.read_table(samples_path, columns=["problem_id", "policy", "sample", "verdict", "language"])
    rows = zip(
        *(table.column(c).to_pylist() for c in ("problem_id", "policy", "sample", "verdict", "language")),
        strict=True,
    )
    return {(p, pol, int(s)) for p, pol, s, v, lang in rows if v == "AC" and lang == "python"}
