import random

ID = "rover-payload-knapsack"
TITLE = "Rover Payload"
TOPIC = "0/1 knapsack"
STATEMENT = """
A planetary rover can carry at most W grams of scientific instruments. The science team
has n candidate instruments; instrument i weighs w_i grams and promises v_i points of
science. Each instrument is either packed once or left behind.

Choose instruments of total weight at most W with the largest total science value.

## Input

The first line contains two integers n and W. Each of the next n lines contains two
integers w_i and v_i.

## Output

Print one integer: the largest total value of a selection weighing at most W.

## Constraints

- 1 <= n <= 100
- 1 <= W <= 30000
- 1 <= w_i <= 30000
- 1 <= v_i <= 10^6

## Example

Input:

```
3 10
4 5
6 6
3 4
```

Output:

```
11
```

Packing the first two instruments weighs exactly 10 and is worth 11. All three would
weigh 13.
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 11012
TIERS = {"tiny": 4, "small": 3, "medium": 3, "large": 3, "max": 2}

EXAMPLE = "3 10\n4 5\n6 6\n3 4\n"


def _render(capacity: int, items: list[tuple[int, int]]) -> str:
    return f"{len(items)} {capacity}\n" + "".join(f"{w} {v}\n" for w, v in items)


def _mission(rng: random.Random, n: int, capacity: int, heaviest: int, fill: float = 0.5) -> str:
    """Items whose total weight is about capacity / fill, so roughly half fit."""
    items = [(rng.randint(1, heaviest), rng.randint(1, 10**6)) for _ in range(n)]
    total = sum(w for w, _ in items)
    capacity = max(1, min(capacity, int(total * fill)))
    return _render(capacity, items)


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        if index == 0:
            return EXAMPLE
        if index == 1:
            return _render(5, [(6, 100)])  # the only instrument is too heavy
        if index == 2:
            return _render(9, [(3, 10), (5, 11), (4, 9)])  # the light one is worth taking only once
        return _mission(rng, 6, 50, 20)
    if tier == "small":
        return _mission(rng, rng.randint(14, 16), 30000, (30, 300, 3000)[index])
    if tier == "medium":
        return _mission(rng, rng.randint(36, 40), 30000, (100, 1000, 3000)[index])
    if tier == "large":
        return _mission(rng, rng.randint(65, 70), 30000, (1000, 1500, 30000)[index])
    return _mission(rng, 100, 30000, (1000, 30000)[index], (0.45, 0.2)[index])
