import random

ID = "sensor-disagreement"
TITLE = "Sensor Disagreement"
TOPIC = "bit manipulation"
STATEMENT = """
A factory floor has `n` sensors. Every second each sensor broadcasts a 20-bit status
word; right now sensor `i` broadcasts the number `a_i` (`0 <= a_i < 2^20`), whose
binary digits are the states of its 20 switches.

The *disagreement* of two sensors is the number of bit positions in which their status
words differ (so `0` for identical words and at most `20`). For example, `5 = 101` and
`3 = 011` (in binary) differ in two positions.

Compute the total disagreement: the sum of the disagreements of all `n(n-1)/2`
unordered pairs of distinct sensors.

## Input

The first line contains one integer `n`.
The second line contains `n` integers `a_1, a_2, ..., a_n`.

## Output

Print one integer: the sum over all pairs `i < j` of the number of bit positions in
which `a_i` and `a_j` differ.

## Constraints

- `1 <= n <= 70000`
- `0 <= a_i <= 1048575` (that is, `a_i < 2^20`)

## Example

Input:
```
5
1 2 7 4 12
```

Output:
```
22
```
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 4111
TIERS = {"tiny": 3, "small": 3, "medium": 3, "large": 3, "max": 2}

MAXN = 70000
TOP = (1 << 20) - 1


def _words(rng: random.Random, n: int, shape: str) -> list[int]:
    if shape == "random":
        return [rng.randint(0, TOP) for _ in range(n)]
    if shape == "sparse":  # few bits set, often the high ones
        out = []
        for _ in range(n):
            x = 0
            for _ in range(rng.randint(0, 3)):
                x |= 1 << rng.choice([0, 1, 19, 18, rng.randrange(20)])
            out.append(x)
        return out
    if shape == "clustered":  # a few base words with small changes
        bases = [rng.randint(0, TOP) for _ in range(4)]
        return [rng.choice(bases) ^ (1 << rng.randrange(20)) * rng.randint(0, 1) for _ in range(n)]
    raise ValueError(shape)


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        a = [[1, 2, 7, 4, 12], [TOP], [0, TOP, 0, TOP, 524288, 524288]][index]
    elif tier == "small":
        a = _words(rng, [15, 60, 100][index], ["sparse", "random", "clustered"][index])
        a[0] = TOP if index != 0 else 1 << 19
    elif tier == "medium":
        a = _words(rng, 1000, ["random", "sparse", "clustered"][index])
    elif tier == "large":
        a = _words(rng, [10000, 15000, 20000][index], ["clustered", "sparse", "random"][index])
    else:
        a = _words(rng, MAXN, ["random", "clustered"][index])
    return f"{len(a)}\n{' '.join(map(str, a))}\n"
