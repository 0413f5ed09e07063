import random

ID = "module-build-order"
TITLE = "The Tidy Builder"
TOPIC = "topological sort"
STATEMENT = """
A software project consists of `n` modules numbered `1` to `n`. There are `m`
dependency rules; rule `a b` says that module `a` must be built before module `b`.

The project's build robot is tidy and predictable. Every day it builds exactly one
module: among the modules that are not built yet and whose prerequisites (all `a` with
a rule `a b` for this module `b`) are all built already, it picks the one with the
smallest number. If on some day no module can be built (because every remaining module
waits for another remaining module), the robot stops for good and builds nothing on
that day or any later day.

The project manager asks about `k` days. For each asked day `t`, print the number of the
module the robot builds on day `t` (days are numbered from 1), or `0` if the robot builds
nothing that day.

## Input

The first line contains three integers `n`, `m` and `k`.
Each of the next `m` lines contains two integers `a` and `b`: a rule.
The last line contains `k` integers `t_1, ..., t_k`: the asked days.

## Output

Print one line with `k` integers: the module built on day `t_1`, ..., on day `t_k`
(or `0` for a day on which nothing is built).

## Constraints

- `1 <= n <= 100000`
- `0 <= m <= 30000`
- `1 <= a, b <= n`, `a != b`, and no rule appears twice
- `1 <= k <= 100`
- `1 <= t_j <= n`

## Example

Input:
```
6 5 6
4 1
3 2
5 6
6 5
3 1
1 2 3 4 5 6
```

Output:
```
3 2 4 1 0 0
```

On day 1 only modules 3 and 4 can be built, and 3 is smaller. After that module 2 becomes
buildable and is the smallest candidate. Modules 5 and 6 wait for each other, so after
day 4 the robot stops.
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 4107
TIERS = {"tiny": 3, "small": 3, "medium": 3, "large": 3, "max": 2}

MAXN = 100000
MAXM = 30000


def _dag(rng: random.Random, n: int, m: int, local: int = 0) -> list[tuple[int, int]]:
    """m distinct rules that respect a random hidden order of the modules (so no cycle).
    With local > 0 the two ends of a rule are close in that order (long chains)."""
    order = list(range(1, n + 1))
    rng.shuffle(order)
    m = min(m, n * (n - 1) // 2)
    rules: set[tuple[int, int]] = set()
    out = []
    while len(out) < m:
        if local:
            x = rng.randrange(n - 1)
            y = min(n - 1, x + rng.randint(1, local))
        else:
            x, y = sorted(rng.sample(range(n), 2))
        rule = (order[x], order[y])
        if rule not in rules:
            rules.add(rule)
            out.append(rule)
    return out


def _add_cycle(rng: random.Random, n: int, rules: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    nodes = rng.sample(range(1, n + 1), length)
    have = set(rules)
    for i in range(length):
        rule = (nodes[i], nodes[(i + 1) % length])
        if rule not in have and (rule[1], rule[0]) not in have:
            rules.append(rule)
            have.add(rule)
    return rules


def _days(rng: random.Random, n: int, k: int) -> list[int]:
    days = [1, n] + [rng.randint(1, n) for _ in range(k - 2)]
    return days[:k]


def _format(n: int, rules: list[tuple[int, int]], days: list[int]) -> str:
    lines = [f"{n} {len(rules)} {len(days)}"] + [f"{a} {b}" for a, b in rules] + [" ".join(map(str, days))]
    return "\n".join(lines) + "\n"


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny" and index == 0:
        return "6 5 6\n4 1\n3 2\n5 6\n6 5\n3 1\n1 2 3 4 5 6\n"
    if tier == "tiny":
        n = [1, 8][index - 1]
        rules = [] if n == 1 else _dag(rng, n, 7)
        return _format(n, rules, list(range(1, n + 1)))
    if tier == "small":
        n, m = [(12, 15), (50, 60), (100, 150)][index]
        rules = _dag(rng, n, m, local=[0, 3, 0][index])
        if index == 1:
            rules = _add_cycle(rng, n, rules, 3)
        rng.shuffle(rules)
        return _format(n, rules, list(range(1, min(n, 100) + 1)))
    if tier == "medium":
        n, m = [(1000, 1500), (1000, 2000), (1000, 1200)][index]
        rules = _dag(rng, n, m, local=[0, 0, 5][index])
        if index == 2:
            rules = _add_cycle(rng, n, rules, 50)
    elif tier == "large":
        n, m = [(10000, 8000), (20000, 10000), (30000, 12000)][index]
        rules = _dag(rng, n, m, local=[0, 20, 0][index])
        if index == 2:
            rules = _add_cycle(rng, n, rules, 2)
    else:
        n = MAXN
        rules = _dag(rng, n, MAXM - 10, local=[0, 3][index])
        if index == 1:
            rules = _add_cycle(rng, n, rules, 10)
    rng.shuffle(rules)
    return _format(n, rules, _days(rng, n, 100))
