import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    # an n x n table: rival[u][v] = 1 when u and v are rivals
    rival = [bytearray(n + 1) for _ in range(n + 1)]
    for j in range(m):
        u, v = int(data[2 + 2 * j]), int(data[3 + 2 * j])
        rival[u][v] = rival[v][u] = 1
    color = [-1] * (n + 1)
    red = 0
    for s in range(1, n + 1):
        if color[s] != -1:
            continue
        color[s] = 0
        counts = [1, 0]
        queue = [s]
        for u in queue:
            c = 1 - color[u]
            row = rival[u]
            for w in range(1, n + 1):
                if not row[w]:
                    continue
                if color[w] == -1:
                    color[w] = c
                    counts[c] += 1
                    queue.append(w)
                elif color[w] != c:
                    print(-1)
                    return
        red += min(counts)
    print(red)


main()
