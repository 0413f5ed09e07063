import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    # A run of length L contributes L*L = 1 + 3 + ... + (2L - 1): bulb i, lit, adds
    # 2 * (length of the lit run ending just before it) + 1. By linearity of expectation
    # only E[run length ending at i] is needed, and E[run_i] = p_i * (E[run_{i-1}] + 1).
    run = 0.0
    glow = 0.0
    for token in data[1 : 1 + n]:
        p = int(token) / 100
        glow += p * (2 * run + 1)
        run = p * (run + 1)
    print(f"{glow:.6f}")


main()
