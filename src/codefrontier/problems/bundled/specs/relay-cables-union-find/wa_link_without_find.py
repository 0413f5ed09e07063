import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    parent = list(range(n + 1))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    answers = []
    for i in range(q):
        kind, u, v = data[2 + 3 * i], int(data[3 + 3 * i]), int(data[4 + 3 * i])
        if kind == b"Q":
            answers.append("1" if find(u) == find(v) else "0")
        elif find(u) != find(v):
            parent[u] = v  # bug: re-hangs u itself instead of the root of u's tree
    print("".join(answers))


main()
