import random

ID = "market-stroll-skip-one"
TITLE = "Market Stroll"
TOPIC = "1-D dynamic programming"
STATEMENT = """
A night market is a single row of n stalls. A food critic rates each stall with an integer
score a_i, which is negative when the stall disappoints. She will walk past a contiguous
block of stalls and sum the scores of the stalls in it, but she is allowed to skip at most
one stall of the block (its score then does not count). At least one stall must count.

Find the largest total score she can collect.

## Input

The first line contains one integer n. The second line contains n integers
a_1, a_2, ..., a_n separated by spaces.

## Output

Print one integer: the best possible total.

## Constraints

- 1 <= n <= 150000
- -10^4 <= a_i <= 10^4

## Example

Input:

```
7
3 -4 5 -1 -6 4 2
```

Output:

```
10
```

Walk past stalls 3 to 7 and skip stall 5: 5 - 1 + 4 + 2 = 10.
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 11010
TIERS = {"tiny": 4, "small": 3, "medium": 3, "large": 3, "max": 2}

EXAMPLE = "7\n3 -4 5 -1 -6 4 2\n"


def _render(scores: list[int]) -> str:
    return f"{len(scores)}\n" + " ".join(map(str, scores)) + "\n"


def _scores(rng: random.Random, n: int, top: int, bias: int) -> list[int]:
    return [rng.randint(-top, top) + bias for _ in range(n)]


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        if index == 0:
            return EXAMPLE
        if index == 1:
            return _render([-7])  # one stall: it must count
        if index == 2:
            return _render([-5, -2, -9, -3])  # all negative: the best is a single stall
        return _render(_scores(rng, 9, 9, 0))
    if tier == "small":
        return _render(_scores(rng, rng.randint(30, 90), 20, (0, -5, 3)[index]))
    if tier == "medium":
        return _render(_scores(rng, rng.randint(900, 1000), (100, 1000, 10**4)[index], 0))
    if tier == "large":
        top = (30, 99, 10**4)[index]
        return _render(_scores(rng, rng.randint(14000, 15000), top, -top // 20))
    if index == 0:
        return _render(_scores(rng, 150000, 99, 0))
    return _render([rng.randint(-20, 9) for _ in range(150000)])
