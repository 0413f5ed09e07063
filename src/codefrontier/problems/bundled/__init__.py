"""The bundled benchmark: original problems authored as spec directories (specs/, format
in AUTHORING.md), built into `problems/data/bundled.jsonl.gz` by `build`.

    python -m codefrontier.problems.bundled.build [--only SLUG ...] [--out PATH]
"""

from codefrontier.problems.bundled.authoring import (
    SPECS_DIR,
    GeneratedTest,
    ProblemSpec,
    generate_tests,
    load_spec,
    load_specs,
)

__all__ = ["SPECS_DIR", "GeneratedTest", "ProblemSpec", "generate_tests", "load_spec", "load_specs"]
