import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    ranges = list(map(int, data[1 : 1 + n]))
    # Earliest right end first: an exchange argument shows some optimal set starts with it.
    order = sorted(range(n), key=lambda i: i + ranges[i])
    chosen = 0
    last_right = -(10**9)
    for i in order:
        if i - ranges[i] > last_right:
            chosen += 1
            last_right = i + ranges[i]
    print(chosen)


main()
