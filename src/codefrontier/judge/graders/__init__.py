"""One grader per problem kind (DMOJ's `graders/` are the model): `stdio` (a whole program,
its output compared), `function` (an entry point called, its value compared), `assert`
(dataset test code run against the solution). Each is a module here defining `GRADER`, a
subclass of `base.Grader` that names its `kind`; adding a kind is adding a module (and
its value in `contracts.ProblemKind`).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from codefrontier.contracts import ProblemKind
from codefrontier.judge.graders.base import Grader, GradingContext

__all__ = ["Grader", "GradingContext", "grader_for"]


@cache
def _graders() -> dict[str, type[Grader]]:
    found: dict[str, type[Grader]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base":
            continue
        grader = getattr(importlib.import_module(f"{__name__}.{info.name}"), "GRADER", None)
        if isinstance(grader, type) and issubclass(grader, Grader):
            found[str(grader.kind)] = grader
    return found


def grader_for(kind: ProblemKind | str) -> type[Grader]:
    grader = _graders().get(str(kind))
    if grader is None:
        raise KeyError(f"no grader for problem kind {kind!r}; known: {', '.join(sorted(_graders()))}")
    return grader
