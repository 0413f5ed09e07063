import sys

MOD = 1_000_000_007


def main() -> None:
    data = sys.stdin.buffer.read().split()
    q = int(data[0])
    xs = list(map(int, data[1 : 1 + 2 * q : 2]))
    ys = list(map(int, data[2 : 2 + 2 * q : 2]))
    n = max(x + y for x, y in zip(xs, ys))
    fact = [1] * (n + 1)
    for i in range(1, n + 1):
        fact[i] = fact[i - 1] * i % MOD
    # bug: ordinary division of residues instead of multiplying by a modular inverse
    out = [fact[x + y] // (fact[x] * fact[y]) % MOD for x, y in zip(xs, ys)]
    sys.stdout.write("\n".join(map(str, out)) + "\n")


main()
