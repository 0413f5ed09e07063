import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    ranges = list(map(int, data[1 : 1 + n]))
    towers = sorted(((i + 1 + r, i + 1 - r) for i, r in enumerate(ranges)))  # (right, left)
    # best[i]: most towers among the first i (by right end) whose last choice is tower i
    best = [0] * n
    for i in range(n):
        left = towers[i][1]
        before = 0
        for j in range(i):
            if towers[j][0] < left and best[j] > before:
                before = best[j]
        best[i] = before + 1
    print(max(best))


main()
