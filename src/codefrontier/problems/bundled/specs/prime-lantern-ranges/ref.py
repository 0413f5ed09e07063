import sys
from itertools import accumulate, compress


def main() -> None:
    data = sys.stdin.buffer.read().split()
    q = int(data[0])
    vals = list(map(int, data[1 : 1 + 2 * q]))
    n = max(2, max(vals[1::2]))
    sieve = bytearray([1]) * (n + 1)
    sieve[0] = sieve[1] = 0
    i = 2
    while i * i <= n:
        if sieve[i]:
            sieve[i * i :: i] = bytes(len(range(i * i, n + 1, i)))
        i += 1
    count = list(accumulate(sieve))
    weight = [0] * (n + 1)
    for p in compress(range(n + 1), sieve):
        weight[p] = p
    total = list(accumulate(weight))
    out = []
    for k in range(q):
        l = vals[2 * k]
        r = vals[2 * k + 1]
        out.append(f"{count[r] - count[l - 1]} {total[r] - total[l - 1]}")
    sys.stdout.write("\n".join(out) + "\n")


main()
