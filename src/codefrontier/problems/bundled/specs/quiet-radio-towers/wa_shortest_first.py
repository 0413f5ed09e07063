import bisect
import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    ranges = list(map(int, data[1 : 1 + n]))
    # bug: greedily keeps the towers with the smallest range first
    order = sorted(range(n), key=lambda i: (ranges[i], i))
    lefts: list[int] = []  # chosen stretches, kept sorted and disjoint
    rights: list[int] = []
    for i in order:
        left, right = i + 1 - ranges[i], i + 1 + ranges[i]
        pos = bisect.bisect_left(lefts, left)
        if pos > 0 and rights[pos - 1] >= left:
            continue
        if pos < len(lefts) and lefts[pos] <= right:
            continue
        lefts.insert(pos, left)
        rights.insert(pos, right)
    print(len(lefts))


main()
