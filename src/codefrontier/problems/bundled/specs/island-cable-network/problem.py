import random

ID = "island-cable-network"
TITLE = "Island Cables"
TOPIC = "minimum spanning tree"
STATEMENT = """
An archipelago has `n` islands, numbered `1` to `n`. A telecom company offers `m`
undersea cables; offer `j` would link islands `u_j` and `v_j` (in both directions) for
a price of `c_j` coins. Two islands can talk if they are joined by a chain of laid
cables.

The council will buy some of the offers. Its rule: if two islands *could* talk when all
`m` offers were bought, then they must be able to talk with the cables the council buys.
Among all choices that satisfy the rule, the council wants the cheapest one.

Print the minimum total price, and the number of separate networks the archipelago
ends up with: groups of islands that can talk to each other but to no island outside
the group (an island with no cable at all is a network on its own).

## Input

The first line contains two integers `n` and `m`.
Each of the next `m` lines contains three integers `u_j`, `v_j` and `c_j`.

## Output

Print two integers: the minimum total price and the number of networks.

## Constraints

- `1 <= n <= 200000`
- `0 <= m <= 20000`
- `1 <= u_j, v_j <= n`, `u_j != v_j` (several offers may link the same two islands)
- `1 <= c_j <= 1000000000`

## Example

Input:
```
7 6
1 2 5
2 3 4
1 3 3
4 5 10
5 4 2
3 1 1
```

Output:
```
7 4
```

The council buys the offers `3 1 1`, `2 3 4` and `5 4 2`. The networks are
{1, 2, 3}, {4, 5}, {6} and {7}.
"""
CHECKER = "tokens"
MEMORY_MB = 128
SEED = 4108
TIERS = {"tiny": 3, "small": 3, "medium": 3, "large": 3, "max": 2}

MAXN = 200000
MAXM = 20000
MAXC = 1000000000


def _offers(rng: random.Random, n: int, m: int, cmax: int, groups: int, used: int) -> list[tuple[int, int, int]]:
    """Offers among the first `used` islands of a random relabelling, split into `groups`
    clusters; inside a cluster a random spanning tree comes first, then random extras."""
    label = list(range(1, n + 1))
    rng.shuffle(label)
    used = max(2, min(n, used))
    cuts = sorted(rng.sample(range(1, used), min(groups - 1, used - 1))) if groups > 1 else []
    bounds = [0] + cuts + [used]
    offers = []
    clusters = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    for lo, hi in clusters:
        for x in range(lo + 1, hi):
            if len(offers) < m:
                offers.append((label[x], label[rng.randint(lo, x - 1)], rng.randint(1, cmax)))
    big = [(lo, hi) for lo, hi in clusters if hi - lo >= 2]
    while len(offers) < m and big:
        lo, hi = rng.choice(big)
        x, y = rng.sample(range(lo, hi), 2)
        offers.append((label[x], label[y], rng.randint(1, cmax)))
    rng.shuffle(offers)
    return offers


def _format(n: int, offers: list[tuple[int, int, int]]) -> str:
    return f"{n} {len(offers)}\n" + "".join(f"{u} {v} {c}\n" for u, v, c in offers)


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny" and index == 0:
        return "7 6\n1 2 5\n2 3 4\n1 3 3\n4 5 10\n5 4 2\n3 1 1\n"
    if tier == "tiny":
        if index == 1:
            return "1 0\n"
        return _format(8, _offers(rng, 8, 9, MAXC, 2, 8))
    if tier == "small":
        n, m = [(15, 20), (50, 80), (100, 120)][index]
        cmax = [20, MAXC, 1000][index]
        return _format(n, _offers(rng, n, m, cmax, [3, 1, 10][index], n))
    if tier == "medium":
        n, m = [(1000, 1000), (1000, 1500), (1000, 1200)][index]
        return _format(n, _offers(rng, n, m, [MAXC, 100, 1000000][index], [1, 40, 5][index], n))
    if tier == "large":
        n, m = [(10000, 5000), (30000, 7000), (100000, 8000)][index]
        return _format(n, _offers(rng, n, m, 1000000, [3, 100, 1][index], m))
    n, m = MAXN, MAXM
    if index == 0:
        return _format(n, _offers(rng, n, m, 1000000, 5, 15000))
    return _format(n, _offers(rng, n, m, 100000, 1000, 19000))
