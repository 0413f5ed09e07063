import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    parent = list(range(n + 1))
    size = [1] * (n + 1)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]  # path halving
            x = parent[x]
        return x

    answers = []
    for i in range(q):
        kind, u, v = data[2 + 3 * i], int(data[3 + 3 * i]), int(data[4 + 3 * i])
        ru, rv = find(u), find(v)
        if kind == b"Q":
            answers.append("1" if ru == rv else "0")
        elif ru != rv:
            if size[ru] < size[rv]:
                ru, rv = rv, ru
            parent[rv] = ru  # union by size keeps the trees shallow
            size[ru] += size[rv]
    print("".join(answers))


main()
