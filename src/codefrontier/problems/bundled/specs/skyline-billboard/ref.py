import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    h = list(map(int, data[1 : n + 1]))
    h.append(0)  # a zero-height sentinel flushes the stack at the end
    starts: list[int] = []  # the stack holds rising heights with the leftmost start of each
    heights: list[int] = []
    best = 0
    for i, x in enumerate(h):
        start = i
        while heights and heights[-1] >= x:
            y = heights.pop()
            start = starts.pop()
            area = y * (i - start)
            if area > best:
                best = area
        starts.append(start)
        heights.append(x)
    print(best)


main()
