import random

ID = "courier-day-split"
TITLE = "Courier Day Split"
TOPIC = "binary search on the answer"
STATEMENT = """
A bicycle courier must deliver n parcels in the fixed order of the route, parcel i
weighing w_i kilograms. She has at most k days. Each day she takes a contiguous block of
the remaining parcels (at least one), so every parcel is delivered on exactly one day and
the order of the route is kept. Her knees only care about the heaviest day.

Find the smallest possible value of the largest total weight carried on a single day.

## Input

The first line contains two integers n and k. The second line contains n integers
w_1, w_2, ..., w_n separated by spaces.

## Output

Print one integer: the minimum possible weight of the heaviest day.

## Constraints

- 1 <= k <= n <= 60000
- 1 <= w_i <= 10^6

## Example

Input:

```
7 3
4 2 7 3 1 5 2
```

Output:

```
10
```

A best plan is 4 2 | 7 3 | 1 5 2, with days weighing 6, 10 and 8. No plan keeps every
day at 9 or less.
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 11003
TIERS = {"tiny": 4, "small": 3, "medium": 3, "large": 3, "max": 2}

EXAMPLE = "7 3\n4 2 7 3 1 5 2\n"


def _render(k: int, weights: list[int]) -> str:
    return f"{len(weights)} {k}\n" + " ".join(map(str, weights)) + "\n"


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        if index == 0:
            return EXAMPLE
        if index == 1:
            return _render(1, [5])
        if index == 2:
            return _render(5, [3, 9, 1, 4, 2])  # k = n: one parcel a day, the answer is max w
        weights = [rng.randint(1, 20) for _ in range(8)]
        return _render(2, weights)
    if tier == "small":
        weights = [rng.randint(1, 50) for _ in range(rng.randint(30, 100))]
        k = (1, rng.randint(2, 6), len(weights) // 2)[index]
        return _render(k, weights)
    if tier == "medium":
        weights = [rng.randint(1, 1000) for _ in range(rng.randint(900, 1000))]
        k = (len(weights) - 3, len(weights) // 3, rng.randint(20, 60))[index]
        return _render(k, weights)
    if tier == "large":
        n = rng.randint(9000, 10000)
        weights = [rng.randint(1, 10**6) for _ in range(n)]
        k = (rng.randint(10, 50), rng.randint(200, 400), n // 10)[index]
        return _render(k, weights)
    n = 60000
    if index == 0:
        weights = [rng.randint(1, 10**6) for _ in range(n)]
        return _render(rng.randint(40, 80), weights)
    # a few very heavy parcels among light ones: the answer sits just above the heaviest
    weights = [
        rng.randint(1, 10**5) if rng.random() < 0.99 else rng.randint(9 * 10**5, 10**6) for _ in range(n)
    ]
    return _render(rng.randint(2000, 4000), weights)
