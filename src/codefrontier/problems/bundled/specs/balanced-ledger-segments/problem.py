import random

ID = "balanced-ledger-segments"
TITLE = "Balanced Ledger Segments"
TOPIC = "prefix sums"
STATEMENT = """
The treasurer of a small rowing club keeps a ledger with one line per day: the change of
the club's cash box on that day, which may be negative. An auditor wants to know how many
stretches of consecutive days changed the cash box by exactly K in total.

Count the pairs (l, r) with 1 <= l <= r <= n such that a_l + a_{l+1} + ... + a_r = K.

## Input

The first line contains two integers n and K. The second line contains n integers
a_1, a_2, ..., a_n separated by spaces.

## Output

Print one integer: the number of pairs (l, r) whose sum is exactly K.

## Constraints

- 1 <= n <= 200000
- -10^9 <= K <= 10^9
- -1000 <= a_i <= 1000

## Example

Input:

```
6 3
1 2 -1 3 0 1
```

Output:

```
4
```

The stretches are days 1..2, 3..6, 4..4 and 4..5.
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 11001
TIERS = {"tiny": 4, "small": 3, "medium": 3, "large": 3, "max": 2}

EXAMPLE = "6 3\n1 2 -1 3 0 1\n"


def _render(k: int, values: list[int]) -> str:
    return f"{len(values)} {k}\n" + " ".join(map(str, values)) + "\n"


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        if index == 0:
            return EXAMPLE
        if index == 1:
            return _render(0, [0])  # one day, K = 0: the single stretch counts
        if index == 2:
            return _render(-4, [-2, -2, 0, -4, 4, -4, 0])
        return _render(7, [rng.randint(-9, 9) for _ in range(9)])
    if tier == "small":
        n = rng.randint(30, 100)
        values = [rng.randint(-5, 5) for _ in range(n)]
        k = 0 if index == 0 else rng.randint(-6, 6)
        return _render(k, values)
    if tier == "medium":
        n = rng.randint(900, 1000)
        width = (3, 30, 1000)[index]
        values = [rng.randint(-width, width) for _ in range(n)]
        return _render(rng.randint(-2 * width, 2 * width), values)
    if tier == "large":
        n = rng.randint(20000, 25000)
        width = (9, 2, 200)[index]
        values = [rng.randint(-width, width) for _ in range(n)]
        return _render(rng.randint(-width, width), values)
    n = 200000
    if index == 0:
        values = [rng.randint(-9, 9) for _ in range(n)]
        return _render(rng.randint(1, 9), values)
    # all zeros: every one of the n(n+1)/2 stretches counts (the answer needs 64 bits)
    return _render(0, [0] * n)
