import sys
from collections import deque


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    adjacency: list[list[int]] = [[] for _ in range(n + 1)]
    answers = []
    for i in range(q):
        kind, u, v = data[2 + 3 * i], int(data[3 + 3 * i]), int(data[4 + 3 * i])
        if kind == b"L":
            adjacency[u].append(v)
            adjacency[v].append(u)
            continue
        # breadth-first search over the cables laid so far
        seen = {u}
        queue = deque([u])
        while queue and v not in seen:
            x = queue.popleft()
            for y in adjacency[x]:
                if y not in seen:
                    seen.add(y)
                    queue.append(y)
        answers.append("1" if v in seen else "0")
    print("".join(answers))


main()
