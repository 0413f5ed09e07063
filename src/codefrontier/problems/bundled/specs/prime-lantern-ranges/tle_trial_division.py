import sys


def is_prime(x: int) -> bool:
    if x < 2:
        return False
    d = 2
    while d * d <= x:
        if x % d == 0:
            return False
        d += 1
    return True


def main() -> None:
    data = sys.stdin.buffer.read().split()
    q = int(data[0])
    out = []
    for k in range(q):
        l = int(data[1 + 2 * k])
        r = int(data[2 + 2 * k])
        c = s = 0
        for x in range(l, r + 1):
            if is_prime(x):
                c += 1
                s += x
        out.append(f"{c} {s}")
    print("\n".join(out))


main()
