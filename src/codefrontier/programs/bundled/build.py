"""Regenerate the bundled tasks: for each program in CATALOG, write its documentation,
fuzz a suite, validate it and measure its line coverage.

    python -m codefrontier.programs.bundled.build [--tests 40] [--seed 1] [--only wc cut]

Every task must keep at least `--min-valid` (30) validated tests, or the build fails.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile

from codefrontier.programs.bundled import CATALOG, TASKS, build_reference, source_of
from codefrontier.programs.fuzz import FuzzConfig
from codefrontier.programs.generate import make_task
from codefrontier.programs.runner import ProgramRunner

DOC = """# {program}

`{program}` is a small command-line program: {purpose}.

It reads the files named on its command line, or standard input when there are none
(or for `-`), and writes to standard output; diagnostics go to standard error. The exit
status is 0 on success and non-zero on an error. Its complete usage follows (the
program is invoked as `./executable` in the tests).

```
{help}```
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tests", type=int, default=45)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--min-valid", type=int, default=30)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args(argv)
    failed = []
    with ProgramRunner() as runner:
        for name, (task_id, purpose) in CATALOG.items():
            if args.only and name not in args.only:
                continue
            source = source_of(name)
            exe = build_reference(source)
            help_text = subprocess.run(
                [str(exe), "--help"], capture_output=True, text=True, cwd=tempfile.gettempdir()
            ).stdout
            help_text = help_text.replace(str(exe), "./executable")
            out = TASKS / task_id
            doc = out / "docs" / "usage.md"
            doc.parent.mkdir(parents=True, exist_ok=True)
            doc.write_text(DOC.format(program=f"cf{name}", purpose=purpose, help=help_text))
            generated = make_task(
                out,
                runner,
                reference_source=source,
                doc=doc,
                config=FuzzConfig(tests=args.tests, seed=args.seed),
                runs=args.runs,
                name=f"cf{name}",
                progress=lambda s: (
                    print(f"  {s}", file=sys.stderr) if s in ("fuzzing", "validating", "coverage") else None
                ),
            )
            cov = generated.report.get("coverage", {})
            print(
                f"{task_id}: {generated.valid_tests} valid tests, line coverage {cov.get('percent', 'n/a')}%"
            )
            if generated.valid_tests < args.min_valid:
                failed.append(task_id)
    if failed:
        print(f"fewer than {args.min_valid} valid tests: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
