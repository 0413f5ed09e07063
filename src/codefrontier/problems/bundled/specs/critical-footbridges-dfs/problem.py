import random

ID = "critical-footbridges-dfs"
TITLE = "Critical Footbridges"
TOPIC = "DFS on a graph (bridges)"
STATEMENT = """
A lagoon town has n islands joined by m footbridges, numbered 1 to m in the order given.
Each footbridge joins two different islands and can be crossed both ways; two islands
may be joined by several footbridges. Before the carnival, the town council wants to know
which footbridges are critical: a footbridge is critical when closing it alone leaves
some two islands that could reach each other before unable to reach each other.

Print how many footbridges are critical and the sum of their numbers.

## Input

The first line contains two integers n and m. Each of the next m lines contains two
integers u and v: footbridge number i (on the i-th of these lines) joins islands u and v.

## Output

Print two integers: the number of critical footbridges and the sum of their numbers
(print `0 0` if there are none).

## Constraints

- 1 <= n <= 50000
- 0 <= m <= 50000
- 1 <= u, v <= n and u != v

## Example

Input:

```
6 7
1 2
2 3
3 1
3 4
4 5
4 5
5 6
```

Output:

```
2 11
```

Footbridges 4 (islands 3 and 4) and 7 (islands 5 and 6) are critical. Footbridges 5 and
6 both join islands 4 and 5, so closing either one leaves the other open.
"""
CHECKER = "tokens"
MEMORY_MB = 128
SEED = 11007
TIERS = {"tiny": 4, "small": 3, "medium": 3, "large": 3, "max": 2}

EXAMPLE = "6 7\n1 2\n2 3\n3 1\n3 4\n4 5\n4 5\n5 6\n"


def _render(n: int, edges: list[tuple[int, int]]) -> str:
    return f"{n} {len(edges)}\n" + "".join(f"{u} {v}\n" for u, v in edges)


def _town(rng: random.Random, n: int, m: int, reach: int, parallel: float) -> str:
    """A random forest whose parents are at most `reach` labels back (so paths are long
    and depth-first search goes deep), plus short cycles and some doubled footbridges,
    relabelled and shuffled. Forest footbridges are listed parent first."""
    edges = []
    for v in range(2, n + 1):
        if len(edges) < m and rng.random() < 0.9995:
            edges.append((rng.randint(max(1, v - reach), v - 1), v))
    while len(edges) < m:
        if rng.random() < parallel and edges:
            edges.append(edges[rng.randrange(len(edges))])
        else:
            u = rng.randint(1, n)
            v = rng.randint(max(1, u - 3 * reach), min(n, u + 3 * reach))
            if u != v:
                edges.append((u, v) if rng.random() < 0.5 else (v, u))
    label = list(range(1, n + 1))
    rng.shuffle(label)
    rng.shuffle(edges)
    return _render(n, [(label[u - 1], label[v - 1]) for u, v in edges])


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        if index == 0:
            return EXAMPLE
        if index == 1:
            return "1 0\n"
        if index == 2:
            return _render(4, [(1, 2), (2, 1), (2, 3), (3, 4), (4, 3), (2, 3)])  # doubled footbridges
        return _town(rng, 8, 9, 2, 0.3)
    if tier == "small":
        n = rng.randint(25, 60)
        return _town(rng, n, n + rng.randint(-3, 10), 3, 0.2)
    if tier == "medium":
        n = rng.randint(700, 800)
        return _town(rng, n, n + (5, 100, 300)[index], (2, 5, 20)[index], 0.1)
    if tier == "large":
        n = rng.randint(5500, 6000)
        return _town(rng, n, n + (10, 500, 2000)[index], (2, 4, 30)[index], 0.05)
    n = 40000 - 1000 * index
    return _town(rng, n, 40000, (2, 5)[index], 0.05)
