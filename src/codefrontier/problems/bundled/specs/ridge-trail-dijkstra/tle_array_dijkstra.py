import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    rows, cols = int(data[0]), int(data[1])
    effort = [int(ch) for r in range(rows) for ch in data[2 + r].decode()]
    cells = rows * cols
    inf = float("inf")
    best = [inf] * cells
    done = [False] * cells
    best[0] = 0
    for _ in range(cells):
        # pick the closest unfinished cell by scanning them all
        here, d = -1, inf
        for v in range(cells):
            if not done[v] and best[v] < d:
                here, d = v, best[v]
        if here < 0:
            break
        done[here] = True
        r, c = divmod(here, cols)
        for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= nr < rows and 0 <= nc < cols:
                there = nr * cols + nc
                if d + effort[there] < best[there]:
                    best[there] = d + effort[there]
    print(best[cells - 1])


main()
