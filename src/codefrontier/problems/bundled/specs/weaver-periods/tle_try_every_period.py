import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    s = data[1].decode()
    total = 0
    for k in range(1, n + 1):
        for p in range(1, k + 1):
            ok = True
            for i in range(p, k):
                if s[i] != s[i - p]:
                    ok = False
                    break
            if ok:
                total += p
                break
    print(total)


main()
