import sys


def pairs_at_most(sorted_skills: list[int], limit: int) -> int:
    count = 0
    lo, hi = 0, len(sorted_skills) - 1
    while lo < hi:
        if sorted_skills[lo] + sorted_skills[hi] <= limit:
            count += hi - lo
            lo += 1
        else:
            hi -= 1
    return count


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, low, high = int(data[0]), int(data[1]), int(data[2])
    skills = sorted(map(int, data[3 : 3 + n]))
    # bug: subtracting the pairs up to L (not L - 1) also drops the pairs totalling exactly L
    print(pairs_at_most(skills, high) - pairs_at_most(skills, low))


main()
