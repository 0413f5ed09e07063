import sys
from itertools import accumulate


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    a = list(map(int, data[1 : n + 1]))
    top = max(a)
    count = [0] * (top + 2)
    for x in a:
        count[x] += 1
    # greater_total[v] = number of elements with value > v
    greater_total = list(accumulate(reversed(count)))[::-1][1:] + [0]
    tree = [0] * (top + 1)  # Fenwick tree over values seen so far
    seen = [0] * (top + 1)
    total = 0
    for j, x in enumerate(a):
        i = x - 1
        less_left = 0
        while i:
            less_left += tree[i]
            i &= i - 1
        greater_left = j - less_left - seen[x]
        total += less_left * (greater_total[x] - greater_left)
        seen[x] += 1
        i = x
        while i <= top:
            tree[i] += 1
            i += i & -i
    print(total)


main()
