import sys
from heapq import heapify, heappop, heappush


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, m, k = int(data[0]), int(data[1]), int(data[2])
    after = [[] for _ in range(n + 1)]
    waiting = [0] * (n + 1)  # number of unbuilt prerequisites
    pos = 3
    for _ in range(m):
        a, b = int(data[pos]), int(data[pos + 1])
        pos += 2
        after[a].append(b)
        waiting[b] += 1
    days = data[pos : pos + k]
    ready = [v for v in range(1, n + 1) if waiting[v] == 0]
    heapify(ready)
    built = [0]  # built[d] = module built on day d
    while ready:
        v = heappop(ready)
        built.append(v)
        for w in after[v]:
            waiting[w] -= 1
            if waiting[w] == 0:
                heappush(ready, w)
    last = len(built) - 1
    print(" ".join(str(built[t]) if t <= last else "0" for t in map(int, days)))


main()
