import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, cap = int(data[0]), int(data[1])
    items = [(int(data[2 + 2 * i]), int(data[3 + 2 * i])) for i in range(n)]

    def best(i: int, room: int) -> int:
        # try leaving and packing instrument i, for every instrument: every subset that fits
        if i == n:
            return 0
        without = best(i + 1, room)
        w, v = items[i]
        if w <= room:
            return max(without, v + best(i + 1, room - w))
        return without

    print(best(0, cap))


main()
