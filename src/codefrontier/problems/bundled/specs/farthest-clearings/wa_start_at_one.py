import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    adj = [[] for _ in range(n + 1)]
    for i in range(2, n + 1):
        p = int(data[i - 1])
        adj[i].append(p)
        adj[p].append(i)
    dist = [-1] * (n + 1)
    dist[1] = 0
    queue = [1]
    for u in queue:
        for w in adj[u]:
            if dist[w] < 0:
                dist[w] = dist[u] + 1
                queue.append(w)
    # bug: assumes clearing 1 is always one end of a longest route
    print(1, dist.index(max(dist)))


main()
