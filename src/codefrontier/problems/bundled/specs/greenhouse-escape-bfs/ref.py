import sys
from collections import deque


def main() -> None:
    data = sys.stdin.buffer.read().split()
    rows, cols = int(data[0]), int(data[1])
    # Pad the grid with a wall column so that moving left/right never wraps to another row.
    width = cols + 1
    cells = b"".join(row + b"#" for row in data[2 : 2 + rows]) + b"#" * width
    start, end = cells.index(b"S"), cells.index(b"E")
    dist = [-1] * len(cells)
    dist[start] = 0
    queue = deque([start])
    steps = (1, -1, width, -width)
    while queue:
        here = queue.popleft()
        if here == end:
            break
        d = dist[here] + 1
        for step in steps:
            there = here + step
            if there >= 0 and dist[there] < 0 and cells[there] != 35:  # 35 == ord("#")
                dist[there] = d
                queue.append(there)
    print(dist[end])


main()
