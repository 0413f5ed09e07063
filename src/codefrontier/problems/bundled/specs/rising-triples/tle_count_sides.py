import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    a = list(map(int, data[1 : n + 1]))
    total = 0
    for j in range(n):
        x = a[j]
        less_left = 0
        for i in range(j):
            if a[i] < x:
                less_left += 1
        greater_right = 0
        for k in range(j + 1, n):
            if a[k] > x:
                greater_right += 1
        total += less_left * greater_right
    print(total)


main()
