import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    p = [0.0] + [int(x) / 100 for x in data[1 : 1 + n]] + [0.0]  # unlit sentinels at both ends
    glow = 0.0
    for left in range(1, n + 1):
        lit = 1.0  # probability that bulbs left..right are all lit
        for right in range(left, n + 1):
            lit *= p[right]
            # bulbs left..right form a maximal run: both neighbours are unlit
            length = right - left + 1
            glow += (1 - p[left - 1]) * lit * (1 - p[right + 1]) * length * length
    print(f"{glow:.6f}")


main()
