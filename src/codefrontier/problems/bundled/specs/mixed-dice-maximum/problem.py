import random

ID = "mixed-dice-maximum"
TITLE = "Mixed Dice Maximum"
TOPIC = "floating-point output (expected value)"
STATEMENT = """
A board game comes with `m` dice of different kinds. Die `i` has `f_i` faces showing the
numbers `1, 2, ..., f_i`, and every face is equally likely. On each turn a player rolls
all `m` dice at once and scores the largest number shown on any die.

Compute the expected score of one turn.

## Input

The first line contains one integer `m`.
The second line contains `m` integers `f_1, f_2, ..., f_m`.

## Output

Print one real number: the expected value of the largest number shown. Your answer is
accepted if its absolute or relative error is at most `10^-6`.

## Constraints

- `1 <= m <= 50000`
- `1 <= f_i <= 200000`

## Example

Input:
```
3
6 4 2
```

Output:
```
3.937500000
```

For instance, the score is at least 5 exactly when the six-sided die shows 5 or 6, which
happens with probability 1/3.
"""
CHECKER = {"kind": "float", "abs_tol": 1e-6, "rel_tol": 1e-6}
MEMORY_MB = 256
SEED = 4114
TIERS = {"tiny": 3, "small": 3, "medium": 3, "large": 3, "max": 2}

MAXM = 50000
MAXF = 200000


def _dice(rng: random.Random, m: int, fmax: int, shape: str) -> list[int]:
    if shape == "random":
        return [rng.randint(1, fmax) for _ in range(m)]
    if shape == "classic":  # the usual board-game dice
        return [rng.choice([4, 6, 8, 10, 12, 20]) for _ in range(m)]
    if shape == "one-giant":  # many small dice and a single huge one
        return [rng.randint(1, 10) for _ in range(m - 1)] + [fmax]
    if shape == "similar":  # all close to the maximum
        return [rng.randint(max(1, fmax - fmax // 50), fmax) for _ in range(m)]
    raise ValueError(shape)


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        f = [[6, 4, 2], [1], [MAXF]][index]
    elif tier == "small":
        f = [
            _dice(rng, 12, 20, "classic"),
            _dice(rng, 60, 100, "random"),
            _dice(rng, 100, 1000, "one-giant"),
        ][index]
    elif tier == "medium":
        f = [
            _dice(rng, 1000, 1000, "random"),
            _dice(rng, 1000, 1000, "similar"),
            _dice(rng, 1200, 20, "classic"),
        ][index]
    elif tier == "large":
        m = [10000, 15000, 20000][index]
        f = _dice(rng, m, [20000, 100000, MAXF][index], ["random", "one-giant", "similar"][index])
    else:
        f = _dice(rng, MAXM, MAXF, ["random", "similar"][index])
    return f"{len(f)}\n{' '.join(map(str, f))}\n"
