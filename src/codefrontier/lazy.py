"""Package-level public names that load on first use, for every package's `__init__`.

    __getattr__, __all__ = lazy_exports(__name__, {"Name": "module", "Other": "codefrontier.x"})

A value is a module of the package (relative name) or a full module path. The first access
imports that module and caches the name in the package, so `codefrontier --help` (which
imports every package's command module) never pays for torch, pyarrow or duckdb.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, table: Mapping[str, str]) -> tuple[Callable[[str], Any], list[str]]:
    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        path = module if module.startswith("codefrontier.") else f"{package}.{module}"
        value = getattr(importlib.import_module(path), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__, sorted(table)
