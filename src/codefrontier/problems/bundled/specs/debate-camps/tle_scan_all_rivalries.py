import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    edges = [(int(data[2 + 2 * j]), int(data[3 + 2 * j])) for j in range(m)]
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
            for a, b in edges:  # look through the whole list of rivalries for u's rivals
                if a == u:
                    w = b
                elif b == u:
                    w = a
                else:
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
