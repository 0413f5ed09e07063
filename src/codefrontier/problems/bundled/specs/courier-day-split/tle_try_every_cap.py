import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, k = int(data[0]), int(data[1])
    weights = list(map(int, data[2 : 2 + n]))
    cap = max(weights)
    while True:  # try every cap from the heaviest parcel upwards
        days, load = 1, 0
        for w in weights:
            if load + w > cap:
                days += 1
                load = w
            else:
                load += w
        if days <= k:
            print(cap)
            return
        cap += 1


main()
