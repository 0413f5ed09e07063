"""The bundled benchmark: original problems authored as spec directories (specs/, format
in AUTHORING.md), and the reader of those specs. The judge builds them into
`problems/data/bundled.jsonl.gz` (`problems` sits below the judge, so the builder lives
with the problem-setter tools above it):

    python -m codefrontier.authoring.build [--only SLUG ...] [--out PATH]
"""

from codefrontier.problems.bundled.authoring import (
    SPECS_DIR,
    GeneratedTest,
    ProblemSpec,
    check_generation_in_fresh_process,
    generate_tests,
    load_spec,
    load_specs,
)

__all__ = [
    "SPECS_DIR",
    "GeneratedTest",
    "ProblemSpec",
    "check_generation_in_fresh_process",
    "generate_tests",
    "load_spec",
    "load_specs",
]
