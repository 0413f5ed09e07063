import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, m, k = int(data[0]), int(data[1]), int(data[2])
    before = [[] for _ in range(n + 1)]
    pos = 3
    for _ in range(m):
        a, b = int(data[pos]), int(data[pos + 1])
        pos += 2
        before[b].append(a)
    days = list(map(int, data[pos : pos + k]))
    done = [False] * (n + 1)
    built = [0]
    for _day in range(n):
        pick = 0
        for v in range(1, n + 1):
            if not done[v] and all(done[u] for u in before[v]):
                pick = v
                break
        if pick == 0:
            break
        done[pick] = True
        built.append(pick)
    print(" ".join(str(built[t]) if t < len(built) else "0" for t in days))


main()
