import sys
from collections import deque


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    edges = [(int(data[2 + 2 * i]), int(data[3 + 2 * i])) for i in range(m)]
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(n + 1)]
    for i, (u, v) in enumerate(edges):
        adjacency[u].append((v, i))
        adjacency[v].append((u, i))
    count = total = 0
    for closed, (u, v) in enumerate(edges):
        # close this footbridge and search for another way from u to v
        seen = [False] * (n + 1)
        seen[u] = True
        queue = deque([u])
        while queue and not seen[v]:
            x = queue.popleft()
            for y, edge in adjacency[x]:
                if edge != closed and not seen[y]:
                    seen[y] = True
                    queue.append(y)
        if not seen[v]:
            count += 1
            total += closed + 1
    print(count, total)


main()
