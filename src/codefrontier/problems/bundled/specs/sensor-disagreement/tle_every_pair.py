import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    a = list(map(int, data[1 : n + 1]))
    total = 0
    for i in range(n):
        x = a[i]
        for j in range(i + 1, n):
            total += bin(x ^ a[j]).count("1")
    print(total)


main()
