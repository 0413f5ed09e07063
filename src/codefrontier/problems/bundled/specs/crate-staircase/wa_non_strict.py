import sys
from bisect import bisect_right


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    tails: list[int] = []
    for h in map(int, data[1 : n + 1]):
        k = bisect_right(tails, h)  # bug: lets equal heights extend the staircase
        if k == len(tails):
            tails.append(h)
        else:
            tails[k] = h
    print(len(tails))


main()
