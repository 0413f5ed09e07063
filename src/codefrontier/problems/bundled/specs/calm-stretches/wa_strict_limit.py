import sys
from collections import deque


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, d = int(data[0]), int(data[1])
    a = list(map(int, data[2 : n + 2]))
    highs: deque[int] = deque()
    lows: deque[int] = deque()
    left = 0
    count = 0
    for right, x in enumerate(a):
        while highs and a[highs[-1]] <= x:
            highs.pop()
        highs.append(right)
        while lows and a[lows[-1]] >= x:
            lows.pop()
        lows.append(right)
        # bug: a difference of exactly d is still calm, but this shrinks the window anyway
        while left < right and a[highs[0]] - a[lows[0]] >= d:
            left += 1
            if highs[0] < left:
                highs.popleft()
            if lows[0] < left:
                lows.popleft()
        count += right - left + 1
    print(count)


main()
