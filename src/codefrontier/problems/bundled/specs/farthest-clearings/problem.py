import random

ID = "farthest-clearings"
TITLE = "Farthest Clearings"
TOPIC = "several correct answers (tree diameter endpoints, checker)"
STATEMENT = """
A nature park has `n` clearings, numbered `1` to `n`, joined by `n - 1` footpaths. Every
footpath joins two clearings, and you can walk from any clearing to any other one; since
there are only `n - 1` footpaths, the route between two clearings that uses no footpath
twice is unique. The *distance* between two clearings is the number of footpaths on that
route.

For the park's orienteering race the rangers want the start and the finish to be as far
apart as possible. Print two clearings `u` and `v` whose distance is the largest possible.
If several pairs reach the largest distance, print any one of them, in either order.

## Input

The first line contains one integer `n`.
The second line contains `n - 1` integers `p_2, p_3, ..., p_n`: for every `i` from `2` to
`n` there is a footpath between clearing `i` and clearing `p_i` (`p_i` is the next
clearing on the way from `i` to clearing `1`). When `n = 1` the second line is empty.

## Output

Print two integers `u` and `v` (`1 <= u, v <= n`) such that no two clearings are farther
apart than `u` and `v`. Any such pair is accepted.

## Constraints

- `1 <= n <= 80000`
- `1 <= p_i <= n`, `p_i != i`, and the `n - 1` footpaths connect all clearings

## Example

Input:
```
7
1 2 3 2 5 1
```

Output:
```
4 6
```

The largest distance is 4: from clearing 4 the route to clearing 6 is 4-3-2-5-6. The
answers `7 4`, `6 7` and `4 7` would also be accepted, but `1 4` would not (distance 3).
"""
CHECKER = {"kind": "program", "file": "checker.py"}
MEMORY_MB = 128
SEED = 4115
TIERS = {"tiny": 4, "small": 3, "medium": 3, "large": 3, "max": 2}

MAXN = 80000


def _tree(rng: random.Random, n: int, shape: str) -> list[tuple[int, int]]:
    """Edges of a tree on 0..n-1 (before relabelling)."""
    edges = []
    spine = max(1, n // 2)
    for i in range(1, n):
        if shape == "random":  # every node hangs from a random earlier one: shallow
            j = rng.randrange(i)
        elif shape == "deep":  # hangs from one of the last few nodes: long and thin
            j = rng.randint(max(0, i - 4), i - 1)
        elif shape == "caterpillar":  # a long spine with legs of length one
            j = i - 1 if i < spine else rng.randrange(spine)
        elif shape == "star":
            j = 0
        elif shape == "spider":  # several long legs from the centre: many farthest pairs
            legs = 6
            j = 0 if i <= legs else i - legs
        elif shape == "path":
            j = i - 1
        else:
            raise ValueError(shape)
        edges.append((i, j))
    return edges


def _parents(rng: random.Random, n: int, edges: list[tuple[int, int]]) -> list[int]:
    """Relabel the nodes at random and return p_2..p_n for the tree rooted at clearing 1."""
    label = list(range(1, n + 1))
    rng.shuffle(label)
    adj: list[list[int]] = [[] for _ in range(n + 1)]
    for a, b in edges:
        adj[label[a]].append(label[b])
        adj[label[b]].append(label[a])
    parent = [0] * (n + 1)
    parent[1] = -1
    queue = [1]
    for u in queue:
        for w in adj[u]:
            if parent[w] == 0:
                parent[w] = u
                queue.append(w)
    return parent[2:]


def _format(parents: list[int]) -> str:
    return f"{len(parents) + 1}\n{' '.join(map(str, parents))}\n"


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        return ["7\n1 2 3 2 5 1\n", "1\n\n", "5\n1 2 3 3\n", "2\n1\n"][index]
    if tier == "small":
        n = [15, 50, 100][index]
        shape = ["spider", "random", "caterpillar"][index]
    elif tier == "medium":
        n = [1000, 1100, 1200][index]
        shape = ["path", "deep", "star"][index]
    elif tier == "large":
        n = [10000, 15000, 25000][index]
        shape = ["random", "spider", "deep"][index]
    else:
        n = MAXN
        shape = ["caterpillar", "random"][index]
    return _format(_parents(rng, n, _tree(rng, n, shape)))
