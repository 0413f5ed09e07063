import heapq
import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    piles = list(map(int, data[1 : 1 + n]))
    heapq.heapify(piles)
    fuel = 0
    # Always merging the two lightest piles is optimal (exchange argument, as for Huffman codes).
    while len(piles) > 1:
        merged = heapq.heappop(piles) + heapq.heappop(piles)
        fuel += merged
        heapq.heappush(piles, merged)
    print(fuel)


main()
