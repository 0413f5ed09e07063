import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    h = list(map(int, data[1 : n + 1]))
    best = 0
    for l in range(n):
        low = h[l]
        for r in range(l, n):
            if h[r] < low:
                low = h[r]
            if low * (r - l + 1) > best:
                best = low * (r - l + 1)
    print(best)


main()
