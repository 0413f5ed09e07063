import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    scores = list(map(int, data[1 : 1 + n]))
    # keep: best block ending here with nothing skipped; skipped: best ending here with
    # one stall skipped (and at least one counted).
    keep = scores[0]
    skipped = -(10**18)
    best = keep
    for a in scores[1:]:
        skipped = max(keep, skipped + a)  # skip this stall, or extend a block that skipped
        keep = max(a, keep + a)
        best = max(best, keep, skipped)
    print(best)


main()
