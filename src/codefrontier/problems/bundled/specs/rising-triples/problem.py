import random

ID = "rising-triples"
TITLE = "Rising Triples"
TOPIC = "Fenwick tree"
STATEMENT = """
A mountain trail has `n` signposts, numbered `1` to `n` in the order a hiker meets
them. Signpost `i` shows the altitude `a_i` of its spot. A photographer wants three
photos that show the trail climbing: she picks three signposts `i < j < k` whose
altitudes strictly increase, `a_i < a_j < a_k`.

Count the number of such triples of signposts. Altitudes may repeat; two signposts
with the same altitude never form a climbing step.

## Input

The first line contains one integer `n`.
The second line contains `n` integers `a_1, a_2, ..., a_n`.

## Output

Print one integer: the number of triples `(i, j, k)` with `1 <= i < j < k <= n` and
`a_i < a_j < a_k`.

## Constraints

- `1 <= n <= 100000`
- `1 <= a_i <= 100000`

## Example

Input:
```
7
2 5 3 5 1 4 6
```

Output:
```
9
```

The triples of altitudes are (2, 5, 6) twice (with either signpost showing 5),
(2, 3, 5), (2, 3, 4), (2, 3, 6), (2, 4, 6), (3, 5, 6), (3, 4, 6) and (1, 4, 6).
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 4106
TIERS = {"tiny": 3, "small": 3, "medium": 3, "large": 3, "max": 2}

MAXN = 100000
MAXV = 100000


def _values(rng: random.Random, n: int, vmax: int, shape: str) -> list[int]:
    if shape == "random":
        return [rng.randint(1, vmax) for _ in range(n)]
    if shape == "rising":  # mostly increasing with noise: many triples
        return [max(1, min(vmax, (i * vmax) // n + rng.randint(-vmax // 20, vmax // 20))) for i in range(n)]
    if shape == "falling":
        return [max(1, min(vmax, vmax - (i * vmax) // n + rng.randint(-2, 2))) for i in range(n)]
    # few distinct values: many ties
    return [rng.randint(1, 5) for _ in range(n)]


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        a = [[2, 5, 3, 5, 1, 4, 6], [7], [3, 3, 3, 4, 4, 5, 5, 5, 1, 2]][index]
    elif tier == "small":
        a = [
            _values(rng, 20, 10, "ties"),
            _values(rng, 60, 100, "random"),
            _values(rng, 100, 1000, "rising"),
        ][index]
    elif tier == "medium":
        a = [
            _values(rng, 1000, MAXV, "random"),
            _values(rng, 1000, 1000, "falling"),
            _values(rng, 1000, MAXV, "rising"),
        ][index]
    elif tier == "large":
        n = [8000, 12000, 16000][index]
        a = _values(rng, n, MAXV, ["random", "ties", "rising"][index])
    else:
        a = _values(rng, MAXN, [MAXV, 9999][index], ["random", "rising"][index])
    return f"{len(a)}\n{' '.join(map(str, a))}\n"
