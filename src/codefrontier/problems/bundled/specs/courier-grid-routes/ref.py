import sys

MOD = 1_000_000_007


def main() -> None:
    data = sys.stdin.buffer.read().split()
    q = int(data[0])
    xs = list(map(int, data[1 : 1 + 2 * q : 2]))
    ys = list(map(int, data[2 : 2 + 2 * q : 2]))
    n = max(x + y for x, y in zip(xs, ys))
    fact = [1] * (n + 1)
    f = 1
    for i in range(1, n + 1):
        f = f * i % MOD
        fact[i] = f
    inv = [1] * (n + 1)
    g = pow(fact[n], MOD - 2, MOD)  # Fermat: a^(p-2) is the inverse of a modulo a prime p
    for i in range(n, 0, -1):
        inv[i] = g
        g = g * i % MOD
    out = [fact[x + y] * inv[x] % MOD * inv[y] % MOD for x, y in zip(xs, ys)]
    sys.stdout.write("\n".join(map(str, out)) + "\n")


main()
