import random

ID = "courier-grid-routes"
TITLE = "Courier Routes"
TOPIC = "modular arithmetic"
STATEMENT = """
The city of Quadra is a perfect grid of streets. A courier leaves the depot at the
crossing `(0, 0)` and must reach a customer at the crossing `(x, y)`. To save time,
every block the courier rides moves either one step east (`x` grows by one) or one
step north (`y` grows by one); the courier never rides west or south.

Two routes are different if their sequences of moves differ. For each of the `q`
deliveries of the day, count the number of different routes from the depot to the
customer. The numbers are huge, so print each one modulo `1000000007`
(`10^9 + 7`, a prime).

## Input

The first line contains one integer `q`, the number of deliveries.
Each of the next `q` lines contains two integers `x` and `y`, the customer's crossing.

## Output

Print `q` lines: the number of routes for each delivery, modulo `1000000007`.

## Constraints

- `1 <= q <= 10000`
- `0 <= x <= 500000`
- `0 <= y <= 500000`

## Example

Input:
```
4
2 1
0 0
3 3
500000 500000
```

Output:
```
3
1
20
996692777
```
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 4102
TIERS = {"tiny": 3, "small": 3, "medium": 3, "large": 3, "max": 2}

MAXC = 500000


def _point(rng: random.Random, top: int) -> tuple[int, int]:
    kind = rng.random()
    if kind < 0.1:
        return 0, rng.randint(0, top)
    if kind < 0.2:
        return rng.randint(0, top), 0
    if kind < 0.3:
        v = rng.randint(0, top)
        return v, v
    return rng.randint(0, top), rng.randint(0, top)


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny" and index == 0:
        return "4\n2 1\n0 0\n3 3\n500000 500000\n"
    if tier == "tiny":
        pts = [_point(rng, 12) for _ in range(rng.randint(4, 8))]
        if index == 2:
            pts += [(0, 0), (1, 0), (0, 1), (6, 7)]
    elif tier == "small":
        pts = [_point(rng, [20, 40, 60][index]) for _ in range([30, 60, 100][index])]
    elif tier == "medium":
        pts = [_point(rng, 1000) for _ in range(900 + 50 * index)]
    elif tier == "large":
        top = [20000, 100000, MAXC][index]
        pts = [_point(rng, top) for _ in range(4000 + 1000 * index)]
    else:
        pts = [_point(rng, MAXC) for _ in range(10000)]
        if index == 0:
            pts[0] = (MAXC, MAXC)
            pts[1] = (0, MAXC)
            pts[2] = (MAXC, 0)
        else:
            # far customers only
            pts = [(rng.randint(MAXC // 2, MAXC), rng.randint(MAXC // 2, MAXC)) for _ in range(10000)]
    return f"{len(pts)}\n" + "".join(f"{x} {y}\n" for x, y in pts)
