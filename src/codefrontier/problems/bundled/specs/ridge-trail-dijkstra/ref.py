import heapq
import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    rows, cols = int(data[0]), int(data[1])
    # Flatten with a sentinel column of zeros: effort 0 marks "outside the map".
    width = cols + 1
    effort = [0] * (width * (rows + 1))
    for r in range(rows):
        row = data[2 + r]
        base = r * width
        for c in range(cols):
            effort[base + c] = row[c] - 48
    target = (rows - 1) * width + cols - 1
    inf = float("inf")
    best = [inf] * len(effort)
    best[0] = 0
    heap = [(0, 0)]
    steps = (1, -1, width, -width)
    size = len(effort)
    while heap:
        d, here = heapq.heappop(heap)
        if d > best[here]:
            continue
        if here == target:
            break
        for step in steps:
            there = here + step
            if 0 <= there < size and effort[there]:
                nd = d + effort[there]
                if nd < best[there]:
                    best[there] = nd
                    heapq.heappush(heap, (nd, there))
    print(best[target])


main()
