"""Problem-setter tools that use the judge: `validate` (references AC, known-wrong
solutions get their tags and keep them on a machine 2x slower or faster, nested tiers,
deterministic generators) and the builder of the bundled benchmark
(`python -m codefrontier.authoring.build`). They sit above the judge; `problems` (the data
and its formats) sits below it and never imports it. docs/authoring.md.

    from codefrontier.authoring import validate, build_benchmark

Names load on first use, so that `codefrontier --help` stays light.
"""

from __future__ import annotations

from codefrontier.lazy import lazy_exports

_EXPORTS = {
    "validate": "validate",
    "Validation": "validate",
    "CheckResult": "validate",
    "build_benchmark": "build",
    "Builder": "build",
    "Margins": "margins",
    "solution_margins": "margins",
    "MARGIN": "margins",
    "MachineSpeed": "speed",
    "measure_speed": "speed",
}

__getattr__, __all__ = lazy_exports(__name__, _EXPORTS)
