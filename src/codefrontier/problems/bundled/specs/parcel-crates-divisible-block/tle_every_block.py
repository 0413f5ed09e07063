import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    a = [int(x) for x in data[1 : 1 + n]]
    for left in range(n):
        total = 0
        for right in range(left, n):
            total += a[right]
            if total % n == 0:
                print(left + 1, right + 1)
                return


main()
