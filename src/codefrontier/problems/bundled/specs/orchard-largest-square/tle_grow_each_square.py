import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    rows, cols = int(data[0]), int(data[1])
    grid = [data[2 + r].decode() for r in range(rows)]
    best = count = 0
    for top in range(rows):
        for left in range(cols):
            # grow the square at (top, left) while its new bottom row and right column are soil
            side = 0
            while top + side < rows and left + side < cols:
                edge = side
                if any(grid[top + edge][left + j] == "#" for j in range(side + 1)):
                    break
                if any(grid[top + i][left + edge] == "#" for i in range(side + 1)):
                    break
                side += 1
            if side > best:
                best, count = side, 1
            elif side == best and side > 0:
                count += 1
    print(best, count)


main()
