import sys

BITS = 20
LOW = (1 << BITS) - 1  # lock indices (0-based) are below 2^20


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    # Each leaf holds key = level * 2^20 + (LOW - index): the largest key is the highest
    # level, and among equal levels the smallest index.
    size = 1
    while size < n:
        size *= 2
    tree = [-1] * (2 * size)
    tree[size : size + n] = range(LOW, LOW - n, -1)
    lo, hi = size // 2, size
    while lo >= 1:
        tree[lo:hi] = tree[2 * lo : 2 * hi : 2]  # all levels are 0: the left child wins
        lo //= 2
        hi //= 2
    out = []
    pos = 2
    for _ in range(q):
        t, a, b = data[pos], int(data[pos + 1]), int(data[pos + 2])
        pos += 3
        if t == b"1":
            i = size + a - 1
            tree[i] = (b << BITS) | (LOW - (a - 1))
            i >>= 1
            while i:
                x = tree[2 * i]
                y = tree[2 * i + 1]
                tree[i] = x if x > y else y
                i >>= 1
        else:
            best = -1
            l = size + a - 1
            r = size + b
            while l < r:
                if l & 1:
                    if tree[l] > best:
                        best = tree[l]
                    l += 1
                if r & 1:
                    r -= 1
                    if tree[r] > best:
                        best = tree[r]
                l >>= 1
                r >>= 1
            out.append(f"{best >> BITS} {LOW - (best & LOW) + 1}")
    sys.stdout.write("\n".join(out) + "\n")


main()
