import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    adj = [[] for _ in range(n + 1)]
    for j in range(m):
        u, v, c = int(data[2 + 3 * j]), int(data[3 + 3 * j]), int(data[4 + 3 * j])
        adj[u].append((v, c))
        adj[v].append((u, c))
    INF = float("inf")
    dist = [INF] * (n + 1)
    inside = [False] * (n + 1)
    total = 0
    networks = 0
    for _ in range(n):
        best, pick = INF, -1
        for v in range(1, n + 1):
            if not inside[v] and (pick == -1 or dist[v] < best):
                best, pick = dist[v], v
        if best == INF:
            networks += 1  # nothing reaches the grown trees: start a new network here
        else:
            total += best
        inside[pick] = True
        for w, c in adj[pick]:
            if not inside[w] and c < dist[w]:
                dist[w] = c
    print(total, networks)


main()
