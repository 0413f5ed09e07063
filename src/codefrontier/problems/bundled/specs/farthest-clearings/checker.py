"""Checker for farthest-clearings: python3 checker.py INPUT EXPECTED OUTPUT.

Exit 0 if OUTPUT names two clearings whose distance equals the tree's diameter, exit 1
(wrong answer) otherwise, exit 3 if the test input itself cannot be read. Prints a
one-line reason. Any farthest pair is accepted; EXPECTED is not needed.
"""

import re
import sys

INTEGER = re.compile(rb"[+-]?[0-9]{1,18}")


def verdict(code: int, reason: str) -> None:
    print(reason)
    sys.exit(code)


def distances(adj: list[list[int]], n: int, start: int) -> list[int]:
    dist = [-1] * (n + 1)
    dist[start] = 0
    queue = [start]
    for u in queue:
        for w in adj[u]:
            if dist[w] < 0:
                dist[w] = dist[u] + 1
                queue.append(w)
    return dist


def main() -> None:
    try:
        with open(sys.argv[1], "rb") as fh:
            data = fh.read().split()
        n = int(data[0])
        if not 1 <= n or len(data) != n:
            raise ValueError("wrong number of integers")
        adj: list[list[int]] = [[] for _ in range(n + 1)]
        for i in range(2, n + 1):
            p = int(data[i - 1])
            adj[i].append(p)
            adj[p].append(i)
        from_one = distances(adj, n, 1)
        if min(from_one[1:]) < 0:
            raise ValueError("the footpaths do not connect all clearings")
        far = from_one.index(max(from_one))
        diameter = max(distances(adj, n, far))
    except Exception as exc:  # the test is broken, not the contestant
        verdict(3, f"checker failure: cannot read the test input ({exc})")
    try:
        with open(sys.argv[3], "rb") as fh:
            tokens = fh.read(1 << 20).split()
    except Exception as exc:
        verdict(1, f"cannot read the output ({exc})")
    if len(tokens) != 2:
        verdict(1, f"expected exactly two integers u and v, got {len(tokens)} tokens")
    if not all(INTEGER.fullmatch(t) for t in tokens):
        verdict(1, "u and v must be integers written in decimal digits")
    u, v = int(tokens[0]), int(tokens[1])
    if not (1 <= u <= n and 1 <= v <= n):
        verdict(1, f"clearings must be between 1 and {n}, got {u} and {v}")
    d = distances(adj, n, u)[v]
    if d != diameter:
        verdict(1, f"clearings {u} and {v} are {d} apart, but the farthest pair is {diameter} apart")
    verdict(0, f"ok: clearings {u} and {v} are {d} apart, the largest distance")


main()
