import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    a = [int(x) for x in data[1 : 1 + n]]
    best = a[0]
    for left in range(n):
        total = 0
        lowest = a[left]
        for right in range(left, n):
            total += a[right]
            lowest = min(lowest, a[right])
            # skipping the lowest stall helps only if it is negative and another stall counts
            value = total - lowest if right > left and lowest < 0 else total
            if value > best:
                best = value
    print(best)


main()
