import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, d = int(data[0]), int(data[1])
    a = list(map(int, data[2 : n + 2]))
    count = 0
    for l in range(n):
        hi = lo = a[l]
        for r in range(l, n):
            x = a[r]
            if x > hi:
                hi = x
            if x < lo:
                lo = x
            if hi - lo > d:
                break
            count += 1
    print(count)


main()
