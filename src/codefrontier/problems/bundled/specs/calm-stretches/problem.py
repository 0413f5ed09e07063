import random

ID = "calm-stretches"
TITLE = "Calm Stretches"
TOPIC = "sliding window / monotonic deque"
STATEMENT = """
A seismograph stores one reading per minute: `a_1, a_2, ..., a_n`. Geologists call a
stretch of consecutive minutes `l, l+1, ..., r` *calm* if the largest and the smallest
reading in it differ by at most `d`:

`max(a_l, ..., a_r) - min(a_l, ..., a_r) <= d`.

A single minute is always a calm stretch. Count the calm stretches, that is, the pairs
`(l, r)` with `1 <= l <= r <= n` whose stretch is calm.

## Input

The first line contains two integers `n` and `d`.
The second line contains `n` integers `a_1, a_2, ..., a_n`.

## Output

Print one integer: the number of calm stretches.

## Constraints

- `1 <= n <= 200000`
- `0 <= d <= 1000000000`
- `0 <= a_i <= 1000000000`

## Example

Input:
```
6 2
3 5 4 1 2 2
```

Output:
```
12
```

Besides the 6 single minutes, the calm stretches are `3 5`, `5 4`, `3 5 4`, `1 2`, `2 2`
and `1 2 2`.
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 4110
TIERS = {"tiny": 3, "small": 3, "medium": 3, "large": 3, "max": 2}

MAXN = 200000
MAXA = 1000000000


def _walk(rng: random.Random, n: int, start: int, step: int, top: int, move: float = 1.0) -> list[int]:
    """A random walk in [0, top]; each minute it moves (by up to `step`) with probability `move`."""
    out, x = [], start
    for _ in range(n):
        out.append(x)
        if rng.random() < move:
            x = max(0, min(top, x + rng.randint(-step, step)))
    return out


def _d_for(rng: random.Random, a: list[int], share: float) -> int:
    """A threshold around `share` of the whole range of readings."""
    return int((max(a) - min(a)) * share * rng.uniform(0.9, 1.1))


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        if index == 0:
            return "6 2\n3 5 4 1 2 2\n"
        if index == 1:
            return "1 0\n1000000000\n"
        a = [7, 7, 7, 2, 7, 7, 9, 8]
        return f"{len(a)} 0\n{' '.join(map(str, a))}\n"
    if tier == "small":
        n = [20, 60, 100][index]
        a = [_walk(rng, n, 50, 3, 100), [rng.randint(0, 10) for _ in range(n)], _walk(rng, n, 5 * 10**8, 10**8, MAXA)][index]
        d = [3, 4, _d_for(rng, a, 0.5)][index]
    elif tier == "medium":
        n = [900, 1000, 1000][index]
        a = _walk(rng, n, 500, [2, 5, 50][index], 1000)
        d = _d_for(rng, a, [0.3, 0.6, 1.0][index])
    elif tier == "large":
        n = [10000, 20000, 30000][index]
        a = _walk(rng, n, 5000, 3, 9999)
        d = _d_for(rng, a, [0.2, 0.5, 0.8][index])
    else:
        # long calm stretches: slowly drifting readings (one digit, then two digits)
        a = _walk(rng, MAXN, [5, 50][index], 1, [9, 99][index], [0.0005, 0.01][index])
        d = [5, 30][index]
    return f"{len(a)} {d}\n{' '.join(map(str, a))}\n"
