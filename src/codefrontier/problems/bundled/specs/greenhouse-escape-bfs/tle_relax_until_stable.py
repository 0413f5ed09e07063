import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    rows, cols = int(data[0]), int(data[1])
    grid = [row.decode() for row in data[2 : 2 + rows]]
    inf = rows * cols + 1
    dist = [[inf] * cols for _ in range(rows)]
    for r in range(rows):
        for c in range(cols):
            if grid[r][c] == "S":
                dist[r][c] = 0
    # Sweep every cell again and again, improving it from its neighbours, until nothing changes.
    changed = True
    while changed:
        changed = False
        for r in range(rows):
            for c in range(cols):
                if grid[r][c] == "#":
                    continue
                best = dist[r][c]
                for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                    if 0 <= nr < rows and 0 <= nc < cols and dist[nr][nc] + 1 < best:
                        best = dist[nr][nc] + 1
                if best < dist[r][c]:
                    dist[r][c] = best
                    changed = True
    for r in range(rows):
        for c in range(cols):
            if grid[r][c] == "E":
                print(dist[r][c] if dist[r][c] < inf else -1)


main()
