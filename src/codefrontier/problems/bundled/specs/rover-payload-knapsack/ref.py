import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, cap = int(data[0]), int(data[1])
    # best[c]: largest value of a selection of the items so far weighing at most c.
    best = [0] * (cap + 1)
    for i in range(n):
        w, v = int(data[2 + 2 * i]), int(data[3 + 2 * i])
        if w > cap:
            continue
        # new best[c] = max(best[c], old best[c - w] + v), computed from the old row at once
        best[w:] = map(max, best[w:], [x + v for x in best[: cap + 1 - w]])
    print(best[cap])


main()
