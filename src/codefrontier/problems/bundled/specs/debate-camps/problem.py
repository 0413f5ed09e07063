import random

ID = "debate-camps"
TITLE = "Two Debate Camps"
TOPIC = "bipartite check / 2-coloring with BFS"
STATEMENT = """
A debating society has `n` members, numbered `1` to `n`, and a list of `m` rivalries.
For the annual tournament every member must join exactly one of two camps, Red or Blue,
and two rivals must never be in the same camp.

If this is impossible, print `-1`. Otherwise, the organisers want the Red camp to be as
small as possible (it may even be empty): print the smallest possible number of members
of the Red camp over all valid splits.

## Input

The first line contains two integers `n` and `m`.
Each of the next `m` lines contains two integers `u` and `v`: members `u` and `v` are
rivals.

## Output

Print one integer: `-1` if no valid split exists, otherwise the minimum size of the Red
camp.

## Constraints

- `1 <= n <= 200000`
- `0 <= m <= 30000`
- `1 <= u, v <= n`, `u != v`, and no rivalry is listed twice

## Example

Input:
```
8 5
1 2
1 3
4 5
5 6
6 7
```

Output:
```
3
```

One best split puts members 1, 5 and 7 in the Red camp and everyone else in the Blue
camp. Member 8 has no rivals and can join Blue.
"""
CHECKER = "tokens"
MEMORY_MB = 128
SEED = 4113
TIERS = {"tiny": 3, "small": 3, "medium": 3, "large": 3, "max": 2}

MAXN = 200000
MAXM = 30000


def _bipartite(rng: random.Random, members: list[int], m: int, lean: float) -> set[tuple[int, int]]:
    """Rivalries across a hidden split of `members` (`lean` = share on one side): a long
    chain alternating between the two sides, then random rivalries across the split."""
    k = max(1, min(len(members) - 1, int(len(members) * lean)))
    side_a, side_b = members[:k], members[k:]
    chain = [x for pair in zip(side_a, side_b) for x in pair]
    edges = {(min(u, v), max(u, v)) for u, v in zip(chain, chain[1:])}
    limit = min(m, len(side_a) * len(side_b))
    while len(edges) < limit:
        u, v = rng.choice(side_a), rng.choice(side_b)
        edges.add((min(u, v), max(u, v)))
    return edges


def _path(members: list[int]) -> set[tuple[int, int]]:
    return {(min(u, v), max(u, v)) for u, v in zip(members, members[1:])}


def _odd_cycle(members: list[int]) -> set[tuple[int, int]]:
    ring = members + members[:1]
    return {(min(u, v), max(u, v)) for u, v in zip(ring, ring[1:])}


def _cap(rng: random.Random, edges: set[tuple[int, int]], limit: int) -> set[tuple[int, int]]:
    """Drop random rivalries until at most `limit` remain (a split stays valid)."""
    if len(edges) <= limit:
        return edges
    return set(rng.sample(sorted(edges), limit))


def _format(rng: random.Random, n: int, edges: set[tuple[int, int]]) -> str:
    rows = sorted(edges)
    rng.shuffle(rows)
    rows = [(v, u) if rng.random() < 0.5 else (u, v) for u, v in rows]
    return f"{n} {len(rows)}\n" + "".join(f"{u} {v}\n" for u, v in rows)


def _clusters(rng: random.Random, n: int, m: int, groups: int, used: int) -> set[tuple[int, int]]:
    """Bipartite clusters over `used` random members among 1..n, with lopsided hidden splits."""
    members = rng.sample(range(1, n + 1), used)
    edges: set[tuple[int, int]] = set()
    size = max(2, used // groups)
    for g in range(0, used - 1, size):
        part = members[g : g + size]
        if len(part) < 2:
            break
        want = min(m - len(edges), max(len(part) - 1, m // groups))
        if want <= 0:
            break
        edges |= _bipartite(rng, part, want, rng.uniform(0.1, 0.5))
    return edges


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        return [
            "8 5\n1 2\n1 3\n4 5\n5 6\n6 7\n",
            "1 0\n",
            "6 6\n1 2\n2 3\n3 1\n4 5\n5 6\n4 6\n",
        ][index]
    if tier == "small":
        n = [12, 60, 100][index]
        members = list(range(1, n + 1))
        rng.shuffle(members)
        edges = _bipartite(rng, members[: n // 2], [10, 40, 70][index], 0.3)
        edges |= _path(members[n // 2 :])
        if index == 1:
            edges |= _odd_cycle(members[-5:])
        return _format(rng, n, edges)
    if tier == "medium":
        n = 1000
        if index == 0:  # one long line of rivals 1 - 2 - ... - n
            return _format(rng, n, _path(list(range(1, n + 1))))
        members = list(range(1, n + 1))
        rng.shuffle(members)
        edges = _clusters(rng, n, [1500, 1200][index - 1], [5, 30][index - 1], 900)
        if index == 2:
            edges |= _odd_cycle(members[:3])
        return _format(rng, n, edges)
    if tier == "large":
        n, m = [(20000, 8000), (50000, 10000), (100000, 12000)][index]
        if index == 1:  # clusters among 1..n-3001, and a line of rivals n-3000 - ... - n
            edges = _clusters(rng, n - 3001, m, 100, 2 * m)
            edges |= _path(list(range(n - 3000, n + 1)))
        else:
            edges = _clusters(rng, n, m, [10, 100, 3][index], min(n, 2 * m))
        return _format(rng, n, edges)
    n = MAXN
    if index == 0:
        edges = _cap(rng, _clusters(rng, n - 1501, MAXM - 2000, 50, 40000), MAXM - 1600)
        edges |= _path(list(range(n - 1500, n + 1)))
    else:
        # bipartite everywhere except one odd ring among the highest-numbered members
        edges = _cap(rng, _clusters(rng, n - 100, MAXM - 200, 200, 50000), MAXM - 200)
        edges |= _odd_cycle(list(range(n - 98, n + 1)))
    return _format(rng, n, edges)
