import sys
from math import expm1, log


def main() -> None:
    data = sys.stdin.buffer.read().split()
    m = int(data[0])
    f = sorted(map(int, data[1 : m + 1]))
    # E[max] = sum over x >= 1 of P(max >= x) = sum of 1 - P(every die shows less than x).
    # A die with f_i < x always shows less than x; one with f_i >= x does so with
    # probability (x - 1) / f_i. With c dice having f_i >= x:
    #   log P(all < x) = c * log(x - 1) - sum of log f_i over those dice.
    tail = [0.0] * (m + 1)  # tail[i] = sum of log f over the dice i..m-1 (sorted)
    for i in range(m - 1, -1, -1):
        tail[i] = tail[i + 1] + log(f[i])
    expected = 1.0  # x = 1: the maximum is always at least 1
    i = 0
    for x in range(2, f[-1] + 1):
        while f[i] < x:
            i += 1
        expected -= expm1((m - i) * log(x - 1) - tail[i])
    print(f"{expected:.9f}")


main()
