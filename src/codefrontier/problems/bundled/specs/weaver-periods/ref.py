import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    s = data[1]
    # pi[k] = length of the longest proper border of s[:k+1]; the shortest period of
    # the prefix of length k + 1 is (k + 1) - pi[k].
    pi = [0] * n
    total = 1
    j = 0
    for k in range(1, n):
        c = s[k]
        while j and s[j] != c:
            j = pi[j - 1]
        if s[j] == c:
            j += 1
        pi[k] = j
        total += k + 1 - j
    print(total)


main()
