import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    h = list(map(int, data[1 : n + 1]))
    best = [1] * n  # best[i] = longest staircase ending with crate i
    for i in range(n):
        for j in range(i):
            if h[j] < h[i] and best[j] + 1 > best[i]:
                best[i] = best[j] + 1
    print(max(best))


main()
