import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    level = [0] * (n + 1)
    out = []
    pos = 2
    for _ in range(q):
        t, a, b = data[pos], int(data[pos + 1]), int(data[pos + 2])
        pos += 3
        if t == b"1":
            level[a] = b
        else:
            best, where = -1, -1
            for i in range(a, b + 1):
                if level[i] > best:
                    best, where = level[i], i
            out.append(f"{best} {where}")
    print("\n".join(out))


main()
