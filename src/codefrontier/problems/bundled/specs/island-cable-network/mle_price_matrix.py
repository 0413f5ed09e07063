import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    INF = 1 << 62
    # an n x n table of the cheapest offer between every two islands
    price = [[INF] * (n + 1) for _ in range(n + 1)]
    for j in range(m):
        u, v, c = int(data[2 + 3 * j]), int(data[3 + 3 * j]), int(data[4 + 3 * j])
        if c < price[u][v]:
            price[u][v] = price[v][u] = c
    dist = [INF] * (n + 1)
    inside = [False] * (n + 1)
    total = networks = 0
    for _ in range(n):
        best, pick = INF, -1
        for v in range(1, n + 1):
            if not inside[v] and (pick == -1 or dist[v] < best):
                best, pick = dist[v], v
        if best == INF:
            networks += 1
        else:
            total += best
        inside[pick] = True
        row = price[pick]
        for w in range(1, n + 1):
            if not inside[w] and row[w] < dist[w]:
                dist[w] = row[w]
    print(total, networks)


main()
