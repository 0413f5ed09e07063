"""Rebuild-a-program tasks in ProgramBench's format (docs/programs.md, "Tasks").

A task is a directory named by its instance id (`<owner>__<repo>.<sha>`):

    task.yaml     repository, commit, language, difficulty, eval_clean_hashes
                  (+ codefrontier's optional fields: name, reference, reference_source,
                  documentation)
    tests.json    {"branches": {BRANCH: {"ignored", "ignore_reason", "tests",
                  "ignored_tests": [{"name", "reasons": [{"id", ...}]}]}}}
    tests/BRANCH/ the branch's files as the harness copies them into the workspace
                  (`eval/run.sh`, `eval/tests/test_*.py`)

The `programbench` package on PyPI ships the 200 real tasks' metadata this way (their test
files live in the benchmark's blob store, not in the package) and one complete fixture,
`testorg__calculator.abc1234`. `load_tasks("programbench")` reads the installed package,
`load_tasks("bundled")` the tasks shipped with codefrontier, any other value a folder
holding task directories (or one task directory). A malformed file raises InputError
naming the file and the field.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codefrontier.errors import InputError

TASK_YAML = "task.yaml"
TESTS_JSON = "tests.json"
FIXTURE_PREFIX = "testorg__"  # the package's fixture tasks, not part of the benchmark
IGNORE_REASONS = (
    "gold_fail",  # fails on the reference executable
    "gold_flaky",  # passes and fails on the reference across repeated runs
    "dummy_pass",  # passes on a dummy executable that prints nothing and exits 0
    "outcome_dependent_presence",  # present in the JUnit report only for some outcomes
    "slow_or_hang",  # hangs or is too slow in the harness
    "ignored_manual",  # struck out by hand, with a description
    "dependency_ignored",  # depends on another ignored test
)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
BUNDLED_DIR = Path(__file__).parent / "bundled" / "tasks"


@dataclass(frozen=True)
class IgnoredTest:
    name: str
    reasons: tuple[dict[str, Any], ...]

    @property
    def reason_ids(self) -> list[str]:
        return [str(r.get("id")) for r in self.reasons]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "reasons": [dict(r) for r in self.reasons]}


@dataclass
class Branch:
    """One suite of tests (in ProgramBench, what one test-writing run produced)."""

    name: str
    tests: list[str]
    ignored: bool = False
    ignore_reason: str = ""
    ignored_tests: list[IgnoredTest] = field(default_factory=list)

    @property
    def ignored_names(self) -> set[str]:
        return {t.name for t in self.ignored_tests}

    @property
    def active_tests(self) -> list[str]:
        if self.ignored:
            return []
        ignored = self.ignored_names
        return [t for t in self.tests if t not in ignored]

    def to_json(self) -> dict[str, Any]:
        return {
            "ignored": self.ignored,
            "ignore_reason": self.ignore_reason,
            "tests": list(self.tests),
            "ignored_tests": [t.to_json() for t in self.ignored_tests],
        }


@dataclass
class Task:
    """A task: what the model sees (documentation, the reference to run) and how it is scored."""

    id: str
    repository: str
    commit: str
    language: str
    branches: dict[str, Branch]
    directory: Path
    difficulty: str | None = None
    eval_clean_hashes: list[str] = field(default_factory=list)
    name: str | None = None
    reference: str | None = None  # path of the reference executable (relative to the task directory)
    reference_source: str | None = None  # a C source codefrontier builds into the reference
    documentation: str | None = None  # path of the usage documentation (relative)
    extra: dict[str, Any] = field(default_factory=dict)  # task.yaml fields this model does not know

    @property
    def active_branches(self) -> list[str]:
        """Branches that are evaluated (ProgramBench's get_active_branches: not ignored)."""
        return [name for name, b in self.branches.items() if not b.ignored]

    @property
    def ignored_branches(self) -> set[str]:
        return {name for name, b in self.branches.items() if b.ignored}

    @property
    def ignored_tests(self) -> set[str]:
        """`branch/test` of every ignored test, in every branch (get_ignored_tests)."""
        return {f"{b.name}/{t.name}" for b in self.branches.values() for t in b.ignored_tests}

    @property
    def tests_by_branch(self) -> dict[str, list[str]]:
        return {name: list(self.branches[name].tests) for name in self.active_branches}

    @property
    def n_active(self) -> int:
        return sum(len(b.active_tests) for b in self.branches.values())

    @property
    def n_ignored(self) -> int:
        return sum(len(b.tests) - len(b.active_tests) for b in self.branches.values())

    @property
    def is_fixture(self) -> bool:
        return self.id.startswith(FIXTURE_PREFIX)

    def branch_dir(self, branch: str) -> Path | None:
        """The branch's test files, or None where the task ships none (the real benchmark's
        tests live in its blob store)."""
        path = self.directory / "tests" / branch
        return path if path.is_dir() else None

    def has_test_files(self) -> bool:
        return all(self.branch_dir(b) is not None for b in self.active_branches) and bool(
            self.active_branches
        )

    def documentation_text(self) -> str:
        if not self.documentation:
            return ""
        path = self.resolve(self.documentation)
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise InputError(f"cannot read the documentation ({exc.strerror})", path=path) from None

    def resolve(self, relative: str) -> Path:
        path = Path(relative)
        return path if path.is_absolute() else self.directory / path

    def reference_path(self) -> Path | None:
        """The reference executable: built from `reference_source` (cached) or the file
        `reference` names; None if the task has neither."""
        if self.reference_source:
            from codefrontier.programs.bundled import build_reference

            return build_reference(self.resolve(self.reference_source))
        if self.reference:
            path = self.resolve(self.reference)
            if not path.is_file():
                raise InputError("the reference executable does not exist", path=path)
            return path
        return None

    def yaml_fields(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "repository": self.repository,
            "commit": self.commit,
            "language": self.language,
        }
        if self.difficulty is not None:
            data["difficulty"] = self.difficulty
        data["eval_clean_hashes"] = list(self.eval_clean_hashes)
        for key in ("name", "reference", "reference_source", "documentation"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        data.update(self.extra)
        return data

    def tests_json(self) -> dict[str, Any]:
        return {"branches": {name: b.to_json() for name, b in self.branches.items()}}


# -- reading ------------------------------------------------------------------------------


def programbench_tasks_dir() -> Path:
    """`programbench/data/tasks` of the installed package (found without importing it)."""
    spec = importlib.util.find_spec("programbench")
    if spec is None or not spec.submodule_search_locations:
        raise InputError(
            "the programbench package is not installed: pip install programbench (or pass a task folder)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "tasks"
    if not path.is_dir():
        raise InputError("the installed programbench package has no data/tasks folder", path=path)
    return path


def tasks_root(source: str | Path) -> Path:
    if str(source) == "programbench":
        return programbench_tasks_dir()
    if str(source) == "bundled":
        return BUNDLED_DIR
    path = Path(source)
    if not path.exists():
        raise InputError("no such task folder; use programbench, bundled or a folder", path=path)
    return path


def load_tasks(
    source: str | Path = "programbench", *, only: Iterable[str] | None = None, fixtures: bool = True
) -> list[Task]:
    """Every task under `source` (sorted by id); `only` keeps the ids (or id prefixes) given."""
    root = tasks_root(source)
    if (root / TASK_YAML).exists():
        dirs = [root]
    else:
        dirs = sorted(d for d in root.iterdir() if d.is_dir() and (d / TASK_YAML).exists())
        if not dirs:
            raise InputError(f"no task directories (with a {TASK_YAML}) here", path=root)
    wanted = list(only) if only else None
    tasks = []
    for d in dirs:
        if wanted is not None and not any(d.name == w or d.name.startswith(w) for w in wanted):
            continue
        if not fixtures and d.name.startswith(FIXTURE_PREFIX):
            continue
        tasks.append(load_task(d))
    if wanted is not None:
        found = {t.id for t in tasks}
        missing = [w for w in wanted if not any(i == w or i.startswith(w) for i in found)]
        if missing:
            raise InputError(f"no task {missing[0]!r} here", path=root)
    return tasks


def find_task(task_id: str, source: str | Path) -> Task:
    """One task by id (or unique id prefix), or a task directory given as a path."""
    path = Path(task_id)
    if (path / TASK_YAML).exists():
        return load_task(path)
    tasks = load_tasks(source, only=[task_id])
    exact = [t for t in tasks if t.id == task_id]
    if exact:
        return exact[0]
    if len(tasks) > 1:
        raise InputError(f"task id {task_id!r} is ambiguous: {', '.join(t.id for t in tasks[:5])}")
    return tasks[0]


def load_task(directory: str | Path) -> Task:
    directory = Path(directory)
    meta = _read_yaml(directory / TASK_YAML)
    tests_path = directory / TESTS_JSON
    branches = _read_tests_json(tests_path) if tests_path.exists() else {}
    fields = _Fields(meta, directory / TASK_YAML)
    known = {
        "repository",
        "commit",
        "language",
        "difficulty",
        "eval_clean_hashes",
        "name",
        "reference",
        "reference_source",
        "documentation",
    }
    hashes = fields.get("eval_clean_hashes", list, [])
    for i, value in enumerate(hashes):
        if not isinstance(value, str) or not _SHA256.match(value):
            raise fields.error(
                f"eval_clean_hashes[{i}]", "must be a SHA-256 digest (64 lowercase hex digits)"
            )
    return Task(
        id=directory.name,
        repository=fields.get("repository", str),
        commit=str(fields.get("commit", (str, int))),
        language=fields.get("language", str),
        difficulty=fields.get("difficulty", str, None),
        eval_clean_hashes=list(hashes),
        name=fields.get("name", str, None),
        reference=fields.get("reference", str, None),
        reference_source=fields.get("reference_source", str, None),
        documentation=fields.get("documentation", str, None),
        branches=branches,
        directory=directory,
        extra={k: v for k, v in meta.items() if k not in known},
    )


class _Fields:
    def __init__(self, obj: dict[str, Any], path: Path, prefix: str = "") -> None:
        self.obj, self.path, self.prefix = obj, path, prefix

    def error(self, name: str, message: str) -> InputError:
        return InputError(message, path=self.path, field=self.prefix + name)

    def get(self, name: str, types: type | tuple[type, ...], default: Any = ...) -> Any:
        if name not in self.obj or self.obj[name] is None:
            if default is ...:
                raise self.error(name, "is missing")
            return default
        value = self.obj[name]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in _as_tuple(types)):
            names = " or ".join(t.__name__ for t in _as_tuple(types))
            raise self.error(name, f"must be {names}, not {type(value).__name__}")
        return value


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the file ({exc})", path=path) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(f"not valid YAML ({getattr(exc, 'problem', exc)})", path=path, line=line) from None
    if not isinstance(data, dict):
        raise InputError("must be a YAML mapping of task fields", path=path)
    return data


def _read_tests_json(path: Path) -> dict[str, Branch]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON ({exc.msg} at column {exc.colno})", path=path, line=exc.lineno
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the file ({exc})", path=path) from None
    if not isinstance(data, dict):
        raise InputError("must be a JSON object with a `branches` object", path=path)
    branches_obj = _Fields(data, path).get("branches", dict)
    branches: dict[str, Branch] = {}
    for name, obj in branches_obj.items():
        prefix = f"branches.{name}."
        if not isinstance(obj, dict):
            raise InputError("must be an object", path=path, field=f"branches.{name}")
        f = _Fields(obj, path, prefix)
        tests = f.get("tests", list, [])
        for i, test in enumerate(tests):
            if not isinstance(test, str) or not test:
                raise f.error(f"tests[{i}]", "must be a non-empty test name")
        ignored_tests = []
        for i, item in enumerate(f.get("ignored_tests", list, [])):
            where = f"ignored_tests[{i}]"
            if not isinstance(item, dict):
                raise f.error(where, "must be an object with `name` and `reasons`")
            g = _Fields(item, path, prefix + where + ".")
            reasons = g.get("reasons", list, [])
            for j, reason in enumerate(reasons):
                if not isinstance(reason, dict) or not isinstance(reason.get("id"), str):
                    raise g.error(f"reasons[{j}]", "must be an object with a string `id`")
            ignored_tests.append(IgnoredTest(g.get("name", str), tuple(reasons)))
        branches[name] = Branch(
            name=name,
            tests=list(tests),
            ignored=f.get("ignored", bool, False),
            ignore_reason=f.get("ignore_reason", str, ""),
            ignored_tests=ignored_tests,
        )
    return branches


# -- writing ------------------------------------------------------------------------------


def save_task(task: Task) -> None:
    """Write task.yaml and tests.json (each written aside, then renamed)."""
    import yaml

    from codefrontier.programs.files import write_bytes_atomic

    task.directory.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(task.yaml_fields(), sort_keys=False, allow_unicode=True)
    write_bytes_atomic(task.directory / TASK_YAML, text.encode())
    # The package's own writer: indent=2, sorted keys.
    body = json.dumps(task.tests_json(), indent=2, sort_keys=True)
    write_bytes_atomic(task.directory / TESTS_JSON, body.encode())
