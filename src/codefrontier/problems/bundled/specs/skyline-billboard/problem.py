import random

ID = "skyline-billboard"
TITLE = "Skyline Billboard"
TOPIC = "monotonic stack"
STATEMENT = """
Along the waterfront stand `n` towers side by side, each exactly one unit wide; tower
`i` has height `h_i`, and there are no gaps between neighbouring towers. An advertising
company wants to paint one rectangular billboard on the towers' facades. The billboard's
sides must be horizontal and vertical, its bottom edge must lie on the ground, and every
point of it must be covered by some tower (it cannot stick out above a tower it spans).

Find the largest possible area of the billboard.

## Input

The first line contains one integer `n`.
The second line contains `n` integers `h_1, h_2, ..., h_n`.

## Output

Print one integer: the largest area of a billboard.

## Constraints

- `1 <= n <= 100000`
- `1 <= h_i <= 1000000000`

## Example

Input:
```
7
2 4 4 3 5 1 3
```

Output:
```
12
```

The best billboard spans the towers 2 to 5 with height 3.
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 4112
TIERS = {"tiny": 3, "small": 3, "medium": 3, "large": 3, "max": 2}

MAXN = 100000
MAXH = 1000000000


def _heights(rng: random.Random, n: int, hmax: int, shape: str) -> list[int]:
    if shape == "random":
        return [rng.randint(1, hmax) for _ in range(n)]
    if shape == "rising":  # strictly increasing with a little noise in the steps
        step = max(1, hmax // n)
        out, h = [], rng.randint(1, step)
        for _ in range(n):
            out.append(min(hmax, h))
            h += rng.randint(1, step)
        return sorted(out)
    if shape == "valley":  # high on both sides, low in the middle
        half = n // 2
        left = sorted((rng.randint(1, hmax) for _ in range(half)), reverse=True)
        right = sorted(rng.randint(1, hmax) for _ in range(n - half))
        return left + right
    if shape == "plateau":  # tall and nearly flat with rare deep dips
        return [hmax - rng.randint(0, 9) if rng.random() > 0.001 else rng.randint(1, 10) for _ in range(n)]
    raise ValueError(shape)


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        h = [[2, 4, 4, 3, 5, 1, 3], [1000000000], [1, 2, 3, 4, 5, 6, 7, 8]][index]
    elif tier == "small":
        h = [
            _heights(rng, 20, 50, "random"),
            _heights(rng, 60, MAXH, "plateau"),  # the area exceeds 2^31
            _heights(rng, 100, 1000, "rising"),
        ][index]
    elif tier == "medium":
        h = [
            _heights(rng, 1000, 1000, "rising"),  # strictly increasing
            _heights(rng, 1000, 10000, "valley"),
            _heights(rng, 1000, MAXH, "random"),
        ][index]
    elif tier == "large":
        n = [10000, 15000, 20000][index]
        h = _heights(rng, n, [MAXH, 100000, 9999][index], ["random", "rising", "plateau"][index])
    else:
        h = _heights(rng, MAXN, [9999, 99999][index], ["plateau", "valley"][index])
    return f"{len(h)}\n{' '.join(map(str, h))}\n"
