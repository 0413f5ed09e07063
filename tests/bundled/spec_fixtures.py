"""A small working spec directory (and variations of it) for the spec reader's and the
builder's tests."""

from __future__ import annotations

from pathlib import Path

PROBLEM = '''
import random

ID = "sum-numbers"
TITLE = "Sum Numbers"
TOPIC = "arithmetic"
STATEMENT = """
Add up the numbers.

## Input

n, then n digits.

## Output

Their sum.

## Constraints

- 1 <= n <= 11

## Example

Input:

```
1
5
```

Output:

```
5
```
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 7
TIERS = {"tiny": 2, "small": 2}


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny" and index == 0:
        return "1\\n5\\n"
    n = 1 + index if tier == "tiny" else 10 + index
    return f"{n}\\n" + " ".join(str(rng.randint(1, 9)) for _ in range(n)) + "\\n"
'''

REF_PY = "import sys\nprint(sum(map(int, sys.stdin.read().split()[1:])))\n"
REF_CPP = """#include <cstdio>
int main() {
    int n, x;
    long long s = 0;
    if (scanf("%d", &n) != 1) return 1;
    while (n-- > 0 && scanf("%d", &x) == 1) s += x;
    printf("%lld\\n", s);
}
"""
TLE_PY = "import sys\nv = sys.stdin.read().split()[1:]\nprint(sum(int(x) for x in v for _ in range(1)))\n"
TLE_CPP = REF_CPP.replace("s += x;", "for (int i = 0; i < 1000; i++) s += x; s -= 999LL * x;")
WA_PY = "import sys\nprint(sys.stdin.read().split()[1])\n"

ACCEPT_ALL_CHECKER = "import sys\nprint('ok')\nsys.exit(0)\n"
REJECT_ALL_CHECKER = "import sys\nprint('nope')\nsys.exit(1)\n"


def write_spec(
    root: Path,
    slug: str = "sum-numbers",
    *,
    replace: dict[str, str] | None = None,
    files: dict[str, str | None] | None = None,
) -> Path:
    """A working spec directory; `replace` edits problem.py, `files` adds (or with None removes) files."""
    directory = root / slug
    directory.mkdir(parents=True)
    problem = PROBLEM.replace('ID = "sum-numbers"', f'ID = "{slug}"')
    for old, new in (replace or {}).items():
        assert old in problem, old
        problem = problem.replace(old, new)
    contents: dict[str, str | None] = {
        "problem.py": problem,
        "ref.py": REF_PY,
        "ref.cpp": REF_CPP,
        "tle_slow.py": TLE_PY,
        "tle_slow.cpp": TLE_CPP,
        "wa_first_only.py": WA_PY,
    }
    contents.update(files or {})
    for name, text in contents.items():
        if text is not None:
            (directory / name).write_text(text)
    return directory
