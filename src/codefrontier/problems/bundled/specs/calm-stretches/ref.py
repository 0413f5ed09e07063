import sys
from collections import deque


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, d = int(data[0]), int(data[1])
    a = list(map(int, data[2 : n + 2]))
    highs: deque[int] = deque()  # indices, readings decreasing: the window maximum at the front
    lows: deque[int] = deque()  # indices, readings increasing: the window minimum at the front
    left = 0
    count = 0
    for right, x in enumerate(a):
        while highs and a[highs[-1]] <= x:
            highs.pop()
        highs.append(right)
        while lows and a[lows[-1]] >= x:
            lows.pop()
        lows.append(right)
        while a[highs[0]] - a[lows[0]] > d:
            left += 1
            if highs[0] < left:
                highs.popleft()
            if lows[0] < left:
                lows.popleft()
        count += right - left + 1
    print(count)


main()
