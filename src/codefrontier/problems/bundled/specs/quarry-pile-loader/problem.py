import random

ID = "quarry-pile-loader"
TITLE = "Quarry Pile Loader"
TOPIC = "greedy with a heap"
STATEMENT = """
At the end of the day a gravel quarry has n separate piles; pile i weighs w_i tonnes. The
night loader can take any two piles and dump them together into one pile. Doing so costs
as many litres of fuel as the two piles weigh together. It keeps going until a single pile
is left.

Find the least total amount of fuel needed to end up with one pile.

## Input

The first line contains one integer n. The second line contains n integers
w_1, w_2, ..., w_n separated by spaces.

## Output

Print one integer: the minimum total fuel.

## Constraints

- 1 <= n <= 100000
- 1 <= w_i <= 10^4

## Example

Input:

```
5
5 2 4 7 3
```

Output:

```
47
```

Merge 2 and 3 (5 litres), then 4 and 5 (9), then 5 and 7 (12), and finally 9 and 12
(21): 5 + 9 + 12 + 21 = 47.
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 11005
TIERS = {"tiny": 4, "small": 3, "medium": 3, "large": 3, "max": 2}

EXAMPLE = "5\n5 2 4 7 3\n"


def _render(weights: list[int]) -> str:
    return f"{len(weights)}\n" + " ".join(map(str, weights)) + "\n"


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        if index == 0:
            return EXAMPLE
        if index == 1:
            return _render([42])  # nothing to merge: no fuel at all
        if index == 2:
            return _render([1, 1, 1, 1])
        return _render([rng.randint(1, 30) for _ in range(9)])
    if tier == "small":
        top = (10, 100, 10**4)[index]
        return _render([rng.randint(1, top) for _ in range(rng.randint(30, 80))])
    if tier == "medium":
        top = (10, 1000, 10**4)[index]
        return _render([rng.randint(1, top) for _ in range(rng.randint(900, 1000))])
    if tier == "large":
        top = (99, 9999, 9999)[index]
        return _render([rng.randint(1, top) for _ in range(rng.randint(11000, 12000))])
    if index == 0:
        return _render([rng.randint(1, 9999) for _ in range(100000)])
    return _render([rng.choice((1, 2, 3, 5000, 9999)) for _ in range(100000)])
