import random

ID = "quiet-radio-towers"
TITLE = "Quiet Radio Towers"
TOPIC = "greedy (interval scheduling, exchange argument)"
STATEMENT = """
Along a straight valley road stand n radio towers, tower i at kilometre i. Tower i has
range r_i, so when it is switched on it covers every point of the road from kilometre
i - r_i to kilometre i + r_i, both ends included. Two switched-on towers interfere when
their covered stretches share at least one point (touching at an end counts).

Switch on as many towers as possible so that no two of them interfere.

## Input

The first line contains one integer n. The second line contains n integers
r_1, r_2, ..., r_n separated by spaces.

## Output

Print one integer: the largest number of towers that can be switched on together.

## Constraints

- 1 <= n <= 120000
- 0 <= r_i <= 10^6

## Example

Input:

```
6
1 0 2 0 1 1
```

Output:

```
3
```

The towers cover [0, 2], [2, 2], [1, 5], [4, 4], [4, 6] and [5, 7]. Towers 2, 4 and 6
cover [2, 2], [4, 4] and [5, 7], which are pairwise apart. Four towers are impossible.
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 11004
TIERS = {"tiny": 4, "small": 3, "medium": 3, "large": 3, "max": 2}

EXAMPLE = "6\n1 0 2 0 1 1\n"


def _render(ranges: list[int]) -> str:
    return f"{len(ranges)}\n" + " ".join(map(str, ranges)) + "\n"


def _mixed(rng: random.Random, n: int, short: int, long: int, long_share: float) -> list[int]:
    """Mostly short ranges with a share of long ones, so both kinds of choice matter."""
    return [rng.randint(0, long) if rng.random() < long_share else rng.randint(0, short) for _ in range(n)]


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        if index == 0:
            return EXAMPLE
        if index == 1:
            return _render([7])
        if index == 2:
            # the shortest range (km 6) blocks both towers at km 3 and 9, which fit together
            return _render([9, 9, 2, 9, 9, 1, 9, 9, 2])
        return _render([rng.randint(0, 3) for _ in range(9)])
    if tier == "small":
        return _render(_mixed(rng, rng.randint(30, 90), 3, 12, 0.3))
    if tier == "medium":
        return _render(_mixed(rng, rng.randint(900, 1000), (2, 10, 40)[index], 300, 0.2))
    if tier == "large":
        return _render(_mixed(rng, rng.randint(11000, 12000), (3, 20, 100)[index], 999, 0.1))
    return _render(_mixed(rng, 120000 - 2000 * index, (5, 60)[index], 999, 0.05))
