import random

ID = "prime-lantern-ranges"
TITLE = "Prime Lanterns"
TOPIC = "sieve of Eratosthenes"
STATEMENT = """
On the festival night of the town of Vell, a lantern is lit in front of every house
whose number is a prime. Houses are numbered 1, 2, 3, ... along one endless street
(house 1 is not prime, so it stays dark).

The festival committee plans `q` walking routes. Route `j` starts at house `l_j` and
ends at house `r_j`, passing every house with a number between `l_j` and `r_j`
inclusive. For every route, report how many lit lanterns the walkers pass and the sum
of the house numbers of those lanterns.

## Input

The first line contains one integer `q`, the number of routes.
Each of the next `q` lines contains two integers `l_j` and `r_j`.

## Output

Print `q` lines. Line `j` contains two integers: the number of primes `p` with
`l_j <= p <= r_j`, and the sum of all those primes.

## Constraints

- `1 <= q <= 10000`
- `1 <= l_j <= r_j <= 1000000`

## Example

Input:
```
5
1 10
2 2
14 16
1 1
11 30
```

Output:
```
4 17
1 2
0 0
0 0
6 112
```
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 4101
TIERS = {"tiny": 3, "small": 3, "medium": 3, "large": 3, "max": 2}

MAXV = 1000000


def _route(rng: random.Random, top: int) -> tuple[int, int]:
    kind = rng.random()
    if kind < 0.15:  # a single house
        x = rng.randint(1, top)
        return x, x
    if kind < 0.3:  # a short stretch
        l = rng.randint(1, top)
        return l, min(top, l + rng.randint(0, 30))
    if kind < 0.4:  # starts at house 1
        return 1, rng.randint(1, top)
    a, b = rng.randint(1, top), rng.randint(1, top)
    return min(a, b), max(a, b)


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny" and index == 0:
        return "5\n1 10\n2 2\n14 16\n1 1\n11 30\n"
    if tier == "tiny":
        q = rng.randint(3, 8) if index == 1 else 10
        top = 30 if index == 1 else 100
        routes = [_route(rng, top) for _ in range(q)]
        if index == 2:
            routes[0] = (1, 1)
            routes[1] = (2, 3)
            routes[2] = (97, 100)
    elif tier == "small":
        q = [25, 60, 100][index]
        top = [200, 600, 1000][index]
        routes = [_route(rng, top) for _ in range(q)]
    elif tier == "medium":
        q = 1000
        top = 1000 if index < 2 else 2000
        routes = [_route(rng, top) for _ in range(q)]
    elif tier == "large":
        q = 3000 + 1000 * index
        top = [100000, 500000, MAXV][index]
        routes = [_route(rng, top) for _ in range(q)]
    else:
        q = 10000
        routes = [_route(rng, MAXV) for _ in range(q)]
        if index == 0:
            routes[0] = (1, MAXV)
            routes[1] = (MAXV, MAXV)
            routes[2] = (999983, MAXV)  # the largest prime below 10^6
        else:
            # wide routes only: the worst case for walking the street house by house
            for k in range(q):
                l = rng.randint(1, MAXV // 2)
                routes[k] = (l, rng.randint(MAXV // 2, MAXV))
    lines = [str(len(routes))] + [f"{l} {r}" for l, r in routes]
    return "\n".join(lines) + "\n"
