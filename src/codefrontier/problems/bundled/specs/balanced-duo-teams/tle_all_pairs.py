import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, low, high = int(data[0]), int(data[1]), int(data[2])
    s = [int(x) for x in data[3 : 3 + n]]
    count = 0
    for i in range(n):
        for j in range(i + 1, n):
            if low <= s[i] + s[j] <= high:
                count += 1
    print(count)


main()
