import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    bars = list(map(int, data[1 : 1 + n]))
    energy = 0
    # bug: always fusing the lightest neighbouring pair looks right but is not optimal
    while len(bars) > 1:
        k = min(range(len(bars) - 1), key=lambda i: bars[i] + bars[i + 1])
        fused = bars[k] + bars[k + 1]
        energy += fused
        bars[k : k + 2] = [fused]
    print(energy)


main()
