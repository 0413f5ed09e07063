import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    piles = list(map(int, data[1 : 1 + n]))
    fuel = 0
    while len(piles) > 1:
        # find the two lightest piles by scanning them all
        first = min(range(len(piles)), key=piles.__getitem__)
        a = piles[first]
        piles[first] = piles[-1]
        piles.pop()
        second = min(range(len(piles)), key=piles.__getitem__)
        merged = a + piles[second]
        piles[second] = merged
        fuel += merged
    print(fuel)


main()
