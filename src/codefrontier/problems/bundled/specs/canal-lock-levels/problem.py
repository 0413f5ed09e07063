import random

ID = "canal-lock-levels"
TITLE = "Canal Lock Levels"
TOPIC = "segment tree"
STATEMENT = """
A long canal is divided by `n` locks, numbered `1` to `n` from the sea inland. The
keeper records the water level of every lock; at the start of the season every level
is `0`.

During the season `q` events happen, in order:

- `1 i v`: the level of lock `i` is set to `v` (it may go up or down).
- `2 l r`: a barge captain asks about the locks `l, l+1, ..., r`: what is the highest
  water level among them, and which of those locks is the first (smallest number) to
  have that level?

Answer every question of the second kind, taking into account all the events before it.

## Input

The first line contains two integers `n` and `q`.
Each of the next `q` lines describes an event: either `1 i v` or `2 l r`.

## Output

For every event of the form `2 l r`, print one line with two integers: the highest
level among locks `l..r`, and the smallest lock number in `l..r` with that level.

## Constraints

- `1 <= n <= 1000000`
- `1 <= q <= 20000`
- `1 <= i <= n`, `0 <= v <= 1000000000`
- `1 <= l <= r <= n`
- at least one event is of the form `2 l r`

## Example

Input:
```
6 7
2 2 5
1 3 7
1 5 7
2 1 6
1 3 2
2 4 6
2 1 3
```

Output:
```
0 2
7 3
7 5
2 3
```
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 4105
TIERS = {"tiny": 3, "small": 3, "medium": 3, "large": 3, "max": 2}

MAXN = 1000000
MAXV = 1000000000


def _events(rng: random.Random, n: int, q: int, vmax: int, update_share: float, wide: float) -> list[str]:
    events = []
    for k in range(q):
        if k > 0 and rng.random() < update_share:
            events.append(f"1 {rng.randint(1, n)} {rng.randint(0, vmax)}")
        else:
            if rng.random() < wide:
                l = rng.randint(1, max(1, n // 4))
                r = rng.randint(max(l, 3 * n // 4), n)
            elif rng.random() < 0.2:
                l = rng.randint(1, n)
                r = min(n, l + rng.randint(0, 5))
            else:
                a, b = rng.randint(1, n), rng.randint(1, n)
                l, r = min(a, b), max(a, b)
            events.append(f"2 {l} {r}")
    if not any(e.startswith("2") for e in events):
        events[-1] = f"2 1 {n}"
    return events


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny" and index == 0:
        return "6 7\n2 2 5\n1 3 7\n1 5 7\n2 1 6\n1 3 2\n2 4 6\n2 1 3\n"
    if tier == "tiny":
        n = [1, 9][index - 1]
        q = [3, 10][index - 1]
        events = _events(rng, n, q, 3, 0.5, 0.2)
    elif tier == "small":
        n, q = [(30, 40), (80, 70), (100, 100)][index]
        events = _events(rng, n, q, [5, 100, MAXV][index], 0.4, 0.2)
    elif tier == "medium":
        n, q = [(1000, 600), (800, 800), (1000, 900)][index]
        events = _events(rng, n, q, [10, 1000, MAXV][index], 0.4, 0.3)
    elif tier == "large":
        n, q = [(10000, 5000), (30000, 6000), (100000, 7000)][index]
        events = _events(rng, n, q, [100, MAXV, MAXV][index], 0.4, 0.4)
    else:
        n, q = MAXN, 20000
        events = _events(rng, n, q, [1000, MAXV][index], 0.3, 0.6)
    return f"{n} {len(events)}\n" + "\n".join(events) + "\n"
