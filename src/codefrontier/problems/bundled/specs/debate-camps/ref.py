import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    adj = [[] for _ in range(n + 1)]
    for j in range(m):
        u, v = int(data[2 + 2 * j]), int(data[3 + 2 * j])
        adj[u].append(v)
        adj[v].append(u)
    color = [-1] * (n + 1)
    red = 0
    for s in range(1, n + 1):
        if color[s] != -1:
            continue
        color[s] = 0
        counts = [1, 0]
        queue = [s]
        for u in queue:  # BFS: the list grows while we walk it
            c = 1 - color[u]
            for w in adj[u]:
                if color[w] == -1:
                    color[w] = c
                    counts[c] += 1
                    queue.append(w)
                elif color[w] != c:
                    print(-1)
                    return
        red += min(counts)  # the two colours of a group can be swapped independently
    print(red)


main()
