import random

ID = "crate-staircase"
TITLE = "Crate Staircase"
TOPIC = "longest increasing subsequence"
STATEMENT = """
A warehouse robot faces a row of `n` crates, numbered `1` to `n` from left to right;
crate `i` has height `h_i`. The robot may remove any crates it likes (without
reordering the others). It wants the crates that remain to form a staircase: read
from left to right, every remaining crate must be strictly taller than the one before
it.

What is the largest number of crates that can remain?

## Input

The first line contains one integer `n`.
The second line contains `n` integers `h_1, h_2, ..., h_n`.

## Output

Print one integer: the maximum number of crates in a strictly increasing staircase.

## Constraints

- `1 <= n <= 100000`
- `1 <= h_i <= 1000000000`

## Example

Input:
```
8
5 1 4 4 2 8 3 9
```

Output:
```
4
```

For example the crates with heights 1, 2, 3, 9 (or 1, 4, 8, 9) can remain. The two
crates of height 4 cannot both stay, because the staircase must rise strictly.
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 4109
TIERS = {"tiny": 3, "small": 3, "medium": 3, "large": 3, "max": 2}

MAXN = 100000
MAXH = 1000000000


def _heights(rng: random.Random, n: int, hmax: int, shape: str) -> list[int]:
    if shape == "random":
        return [rng.randint(1, hmax) for _ in range(n)]
    if shape == "noisy-rise":  # a rising trend with noise: a long staircase with many choices
        spread = max(1, hmax // 10)
        return [max(1, min(hmax, i * (hmax - spread) // n + rng.randint(1, spread))) for i in range(n)]
    if shape == "plateaus":  # long runs of equal heights
        out, h = [], rng.randint(1, max(1, hmax // 2))
        while len(out) < n:
            out += [h] * rng.randint(1, 20)
            h = max(1, min(hmax, h + rng.randint(-3, 5)))
        return out[:n]
    if shape == "falling":
        return sorted((rng.randint(1, hmax) for _ in range(n)), reverse=True)
    raise ValueError(shape)


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        h = [[5, 1, 4, 4, 2, 8, 3, 9], [7], [3, 3, 3, 3, 3]][index]
    elif tier == "small":
        h = [
            _heights(rng, 20, 10, "plateaus"),
            _heights(rng, 60, MAXH, "random"),
            _heights(rng, 100, 100, "noisy-rise"),
        ][index]
    elif tier == "medium":
        h = [
            _heights(rng, 1000, 1000, "random"),
            _heights(rng, 1000, 10000, "noisy-rise"),
            _heights(rng, 1000, 1000, "plateaus"),
        ][index]
    elif tier == "large":
        n = [10000, 15000, 20000][index]
        h = _heights(rng, n, [MAXH, 10000, 1000][index], ["random", "falling", "noisy-rise"][index])
    else:
        h = _heights(rng, MAXN, [9999, 99999][index], ["plateaus", "noisy-rise"][index])
    return f"{len(h)}\n{' '.join(map(str, h))}\n"
