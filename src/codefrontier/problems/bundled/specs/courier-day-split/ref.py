import sys


def days_needed(weights: list[int], cap: int) -> int:
    """Days a greedy courier needs when no day may exceed cap (every w <= cap)."""
    days, load = 1, 0
    for w in weights:
        if load + w > cap:
            days += 1
            load = w
        else:
            load += w
    return days


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, k = int(data[0]), int(data[1])
    weights = list(map(int, data[2 : 2 + n]))
    lo, hi = max(weights), sum(weights)  # the answer lies in [lo, hi]
    while lo < hi:
        mid = (lo + hi) // 2
        if days_needed(weights, mid) <= k:
            hi = mid
        else:
            lo = mid + 1
    print(lo)


main()
