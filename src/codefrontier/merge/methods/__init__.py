"""Merge methods: small classes in a registry (see `base` for what a method is).

    from codefrontier.merge.methods import Interpolation, TaskArithmetic, method_class

Every module of this package is imported here, so that each built-in method, one module
with one `@register_method` class, is registered without being listed anywhere.
"""

from __future__ import annotations

import importlib
import pkgutil

from codefrontier.merge.methods.base import (
    Combination,
    MergeMethod,
    Output,
    PairMethod,
    TaskVectorMethod,
    format_coefficient,
)
from codefrontier.merge.methods.registry import method_class, method_names, register_method, unregister_method

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in ("base", "registry"):
        importlib.import_module(f"{__name__}.{_module.name}")

from codefrontier.merge.methods.linear import Interpolation  # noqa: E402
from codefrontier.merge.methods.task_arithmetic import TaskArithmetic  # noqa: E402

__all__ = [
    "Combination",
    "Interpolation",
    "MergeMethod",
    "Output",
    "PairMethod",
    "TaskArithmetic",
    "TaskVectorMethod",
    "format_coefficient",
    "method_class",
    "method_names",
    "register_method",
    "unregister_method",
]
