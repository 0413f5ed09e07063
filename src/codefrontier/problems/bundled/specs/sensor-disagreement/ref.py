import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    a = list(map(int, data[1 : n + 1]))
    total = 0
    for b in range(20):
        # a pair disagrees in bit b exactly when one word has it and the other does not
        ones = sum(map((1 << b).__and__, a)) >> b
        total += ones * (n - ones)
    print(total)


main()
