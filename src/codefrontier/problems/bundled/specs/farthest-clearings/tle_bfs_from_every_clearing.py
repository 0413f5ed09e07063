import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    adj = [[] for _ in range(n + 1)]
    for i in range(2, n + 1):
        p = int(data[i - 1])
        adj[i].append(p)
        adj[p].append(i)
    best, pair = -1, (1, 1)
    for s in range(1, n + 1):
        dist = [-1] * (n + 1)
        dist[s] = 0
        queue = [s]
        for u in queue:
            for w in adj[u]:
                if dist[w] < 0:
                    dist[w] = dist[u] + 1
                    queue.append(w)
        far = queue[-1]  # BFS visits the farthest clearings last
        if dist[far] > best:
            best, pair = dist[far], (s, far)
    print(*pair)


main()
