import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    # n + 1 prefix sums but only n remainders: two prefixes share a remainder (pigeonhole),
    # and the bays between them form a block divisible by n.
    first_seen = {0: 0}
    prefix = 0
    for j in range(1, n + 1):
        prefix = (prefix + int(data[j])) % n
        if prefix in first_seen:
            print(first_seen[prefix] + 1, j)
            return
        first_seen[prefix] = j


main()
