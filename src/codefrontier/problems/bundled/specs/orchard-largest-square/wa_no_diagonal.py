import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    rows, cols = int(data[0]), int(data[1])
    previous = [0] * (cols + 1)
    best = count = 0
    for r in range(rows):
        row = data[2 + r]
        current = [0] * (cols + 1)
        for c in range(cols):
            if row[c] == 46:
                # bug: looks up and left but forgets the diagonal neighbour
                side = min(previous[c + 1], current[c]) + 1
                current[c + 1] = side
                if side > best:
                    best, count = side, 1
                elif side == best:
                    count += 1
        previous = current
    print(best, count)


main()
