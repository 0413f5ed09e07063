import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    masses = list(map(int, data[1 : 1 + n]))
    prefix = [0]
    for m in masses:
        prefix.append(prefix[-1] + m)

    def cost(i: int, j: int) -> int:
        # try every last fusion, solving both sides again from scratch every time
        if i == j:
            return 0
        return min(cost(i, k) + cost(k + 1, j) for k in range(i, j)) + prefix[j + 1] - prefix[i]

    print(cost(0, n - 1))


main()
