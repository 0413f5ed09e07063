import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    offers = []
    for j in range(m):
        u, v, c = int(data[2 + 3 * j]), int(data[3 + 3 * j]), int(data[4 + 3 * j])
        offers.append((c, u, v))
    offers.sort()
    parent = list(range(n + 1))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    total = 0
    networks = n
    for c, u, v in offers:
        # bug: buys every offer in price order and only merges the networks afterwards,
        # never asking whether the two islands are already linked
        a, b = find(u), find(v)
        total += c
        if a != b:
            parent[a] = b
            networks -= 1
    print(total, networks)


main()
