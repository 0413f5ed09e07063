import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    rows, cols = int(data[0]), int(data[1])
    grid = [[ch - 48 for ch in data[2 + r]] for r in range(rows)]
    # bug: assumes the best route only ever moves right or down
    inf = float("inf")
    best = [[inf] * cols for _ in range(rows)]
    best[0][0] = 0
    for r in range(rows):
        for c in range(cols):
            if r > 0:
                best[r][c] = min(best[r][c], best[r - 1][c] + grid[r][c])
            if c > 0:
                best[r][c] = min(best[r][c], best[r][c - 1] + grid[r][c])
    print(best[rows - 1][cols - 1])


main()
