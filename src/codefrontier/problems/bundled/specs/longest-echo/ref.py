import sys

MOD = (1 << 61) - 1
BASE = 1_000_003


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    s = data[1]
    h = [0] * (n + 1)
    pw = [1] * (n + 1)
    acc = 0
    p = 1
    for i, c in enumerate(s):
        acc = (acc * BASE + c) % MOD
        h[i + 1] = acc
        p = p * BASE % MOD
        pw[i + 1] = p

    def repeats(length: int) -> bool:
        """Does some substring of this length occur twice? (hash of s[i:i+length])"""
        m = pw[length]
        count = n - length + 1
        seen = {(h[i + length] - h[i] * m) % MOD for i in range(count)}
        return len(seen) < count

    lo, hi = 0, n - 1  # the answer lies in [lo, hi]; repeats() is monotone in the length
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if repeats(mid):
            lo = mid
        else:
            hi = mid - 1
    print(lo)


main()
