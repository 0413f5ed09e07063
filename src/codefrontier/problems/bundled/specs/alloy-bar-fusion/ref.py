import sys
from operator import add


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    masses = list(map(int, data[1 : 1 + n]))
    prefix = [0]
    for m in masses:
        prefix.append(prefix[-1] + m)
    # cost[i][j]: least energy to fuse bars i..j into one. The last fusion splits i..j into
    # i..k and k+1..j and costs the weight of the whole block. `by_end[j][k]` mirrors
    # cost[k][j] so that both halves can be read as contiguous slices.
    cost = [[0] * n for _ in range(n)]
    by_end = [[0] * n for _ in range(n)]
    for length in range(2, n + 1):
        for i in range(n - length + 1):
            j = i + length - 1
            best = min(map(add, cost[i][i:j], by_end[j][i + 1 : j + 1]))
            value = best + prefix[j + 1] - prefix[i]
            cost[i][j] = value
            by_end[j][i] = value
    print(cost[0][n - 1])


main()
