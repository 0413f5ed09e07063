import random

ID = "parcel-crates-divisible-block"
TITLE = "Parcel Crates"
TOPIC = "several correct answers (pigeonhole on prefix remainders), checked by a program"
STATEMENT = """
A sorting centre has n loading bays in a row; bay i holds a_i parcels. A delivery van takes
its parcels from a contiguous block of bays, and the parcels must be split evenly over
exactly n crates, so the block's total has to be divisible by n.

Find any non-empty block of consecutive bays whose total number of parcels is divisible by
n. Such a block always exists.

## Input

The first line contains one integer n. The second line contains n integers
a_1, a_2, ..., a_n separated by spaces.

## Output

Print two integers l and r (1 <= l <= r <= n) such that a_l + a_{l+1} + ... + a_r is
divisible by n. If there are several such blocks, print any one of them.

## Constraints

- 1 <= n <= 80000
- 1 <= a_i <= 10^9

## Example

Input:

```
5
3 8 2 6 4
```

Output:

```
2 3
```

Bays 2 and 3 hold 8 + 2 = 10 parcels, divisible by 5. The answers `4 5` (10 parcels) and
`2 5` (20 parcels) would be accepted too.
"""
CHECKER = {"kind": "program", "file": "checker.py"}
MEMORY_MB = 256
SEED = 11015
TIERS = {"tiny": 4, "small": 3, "medium": 3, "large": 3, "max": 2}

EXAMPLE = "5\n3 8 2 6 4\n"


def _render(values: list[int]) -> str:
    return f"{len(values)}\n" + " ".join(map(str, values)) + "\n"


def _random_bays(rng: random.Random, n: int, top: int) -> list[int]:
    return [rng.randint(1, top) for _ in range(n)]


def _single_answer(rng: random.Random, n: int, start: int, padded: float) -> list[int]:
    """Prefix remainders 0, then a shuffle of 1..n-1, then the remainder after bay `start`
    again: the only divisible block is start+1..n. A share `padded` of the bays get extra
    multiples of n, which changes no remainder."""
    remainders = list(range(1, n))
    rng.shuffle(remainders)
    prefix = [0, *remainders]
    prefix.append(prefix[start])
    values = [(prefix[i] - prefix[i - 1]) % n for i in range(1, n + 1)]
    return [v + n * rng.randint(1, 9) if rng.random() < padded else v for v in values]


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        if index == 0:
            return EXAMPLE
        if index == 1:
            return _render([7])  # n = 1: every total is divisible by 1
        if index == 2:
            return _render(_single_answer(rng, 6, 0, 0.0))  # only the whole row works
        return _render(_random_bays(rng, 9, 20))
    if tier == "small":
        n = rng.randint(30, 60)
        if index == 0:
            return _render(_single_answer(rng, n, n // 2, 0.3))
        return _render(_random_bays(rng, n, (100, 10**9)[index - 1]))
    if tier == "medium":
        n = rng.randint(900, 1000)
        if index < 2:
            return _render(_single_answer(rng, n, rng.randint(n // 3, 2 * n // 3), 0.1))
        return _render(_random_bays(rng, n, 10**6))
    if tier == "large":
        n = rng.randint(9000, 10000)
        if index < 2:
            return _render(_single_answer(rng, n, rng.randint(n // 3, 2 * n // 3), 0.05))
        return _render(_random_bays(rng, n, 10**5))
    n = 80000 - 1000 * index
    return _render(_single_answer(rng, n, (n // 2, n // 3)[index], 0.0))
