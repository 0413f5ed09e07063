import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    us = data[2 : 2 + 3 * m : 3]
    vs = data[3 : 3 + 3 * m : 3]
    cs = list(map(int, data[4 : 4 + 3 * m : 3]))
    parent = list(range(n + 1))

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    total = 0
    networks = n
    for j in sorted(range(m), key=cs.__getitem__):  # Kruskal: cheapest offers first
        a = find(int(us[j]))
        b = find(int(vs[j]))
        if a != b:
            parent[a] = b
            total += cs[j]
            networks -= 1
    print(total, networks)


main()
