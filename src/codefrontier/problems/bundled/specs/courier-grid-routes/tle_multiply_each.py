import sys

MOD = 1_000_000_007


def main() -> None:
    data = sys.stdin.buffer.read().split()
    q = int(data[0])
    out = []
    for k in range(q):
        x = int(data[1 + 2 * k])
        y = int(data[2 + 2 * k])
        # C(x + y, y) = (x+1)(x+2)...(x+y) / y!, recomputed from scratch for every delivery
        num = den = 1
        for i in range(1, y + 1):
            num = num * (x + i) % MOD
            den = den * i % MOD
        out.append(num * pow(den, MOD - 2, MOD) % MOD)
    print("\n".join(map(str, out)))


main()
