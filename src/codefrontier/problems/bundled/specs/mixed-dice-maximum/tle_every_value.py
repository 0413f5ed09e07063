import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    m = int(data[0])
    f = list(map(int, data[1 : m + 1]))
    expected = 0.0
    for x in range(1, max(f) + 1):
        below = 1.0  # probability that every die shows less than x
        for faces in f:
            below *= min(x - 1, faces) / faces
        expected += 1.0 - below
    print(f"{expected:.9f}")


main()
