import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    a = list(map(int, data[1 : n + 1]))
    top = max(a)
    left = [0] * (top + 1)
    right = [0] * (top + 1)

    def add(tree, i, delta):
        while i <= top:
            tree[i] += delta
            i += i & -i

    def prefix(tree, i):
        s = 0
        while i:
            s += tree[i]
            i &= i - 1
        return s

    for x in a:
        add(right, x, 1)
    total = 0
    for j, x in enumerate(a):
        add(right, x, -1)
        # bug: counts equal altitudes as climbing (<= on the left, >= on the right)
        at_most_left = prefix(left, x)
        at_least_right = (n - 1 - j) - prefix(right, x - 1)
        total += at_most_left * at_least_right
        add(left, x, 1)
    print(total)


main()
