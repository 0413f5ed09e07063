import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    adj = [[] for _ in range(n + 1)]
    for i in range(2, n + 1):
        p = int(data[i - 1])
        adj[i].append(p)
        adj[p].append(i)

    def distances(start: int) -> list[int]:
        dist = [-1] * (n + 1)
        dist[start] = 0
        queue = [start]
        for u in queue:
            du = dist[u] + 1
            for w in adj[u]:
                if dist[w] < 0:
                    dist[w] = du
                    queue.append(w)
        return dist

    # The clearing farthest from any clearing is one end of a longest route; the
    # clearing farthest from that end is the other end.
    d1 = distances(1)
    u = d1.index(max(d1))
    d2 = distances(u)
    v = d2.index(max(d2))
    print(u, v)


main()
