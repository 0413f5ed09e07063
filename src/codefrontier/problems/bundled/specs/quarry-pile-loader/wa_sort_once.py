import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    piles = sorted(map(int, data[1 : 1 + n]))
    # bug: sorts once and keeps adding the next lightest pile to one growing heap
    fuel = 0
    current = piles[0]
    for w in piles[1:]:
        current += w
        fuel += current
    print(fuel)


main()
