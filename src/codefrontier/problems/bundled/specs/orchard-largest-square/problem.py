import random

ID = "orchard-largest-square"
TITLE = "Orchard Square"
TOPIC = "2-D dynamic programming"
STATEMENT = """
A farmer's field is a grid of R rows and C columns. Each cell is either good soil (`.`) or
a boulder (`#`). She wants to plant a square orchard aligned with the grid, covering only
good soil, and as large as possible.

Find the largest side length s of an all-soil s x s square, and the number of different
positions where such a largest square fits (two positions differ when their top-left
cells differ; squares may overlap).

## Input

The first line contains two integers R and C. Each of the next R lines contains a string
of exactly C characters from `.#`.

## Output

Print two integers: the largest side length s and the number of positions of an s x s
all-soil square. If the field has no soil at all, print `0 0`.

## Constraints

- 1 <= R, C <= 600

## Example

Input:

```
4 5
..#..
.....
.....
#....
```

Output:

```
3 2
```

The 3 x 3 squares with top-left cells in row 2, columns 2 and 3 are all soil; no 4 x 4
square fits.
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 11011
TIERS = {"tiny": 4, "small": 3, "medium": 3, "large": 3, "max": 2}

EXAMPLE = "4 5\n..#..\n.....\n.....\n#....\n"


def _render(grid: list[list[str]]) -> str:
    return f"{len(grid)} {len(grid[0])}\n" + "".join("".join(row) + "\n" for row in grid)


def _field(rng: random.Random, rows: int, cols: int, boulders: float, blocks: int = 0) -> list[list[str]]:
    """Scattered boulders plus `blocks` rectangular boulder patches."""
    grid = [["#" if rng.random() < boulders else "." for _ in range(cols)] for _ in range(rows)]
    for _ in range(blocks):
        r, c = rng.randrange(rows), rng.randrange(cols)
        h, w = rng.randint(1, max(1, rows // 8)), rng.randint(1, max(1, cols // 8))
        for i in range(r, min(rows, r + h)):
            for j in range(c, min(cols, c + w)):
                grid[i][j] = "#"
    return grid


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        if index == 0:
            return EXAMPLE
        if index == 1:
            return "1 1\n#\n"  # no soil at all
        if index == 2:
            return "2 2\n#.\n..\n"  # the boulder sits on the diagonal only
        return _render(_field(rng, 5, 6, 0.2))
    if tier == "small":
        return _render(_field(rng, rng.randint(10, 14), rng.randint(10, 14), (0.05, 0.15, 0.3)[index]))
    if tier == "medium":
        return _render(_field(rng, rng.randint(30, 35), rng.randint(30, 35), (0.01, 0.05, 0.002)[index], 3))
    if tier == "large":
        side = rng.randint(140, 150)
        return _render(_field(rng, side, side, (0.0005, 0.00005, 0.002)[index], 2))
    # nearly all soil: huge squares everywhere
    return _render(_field(rng, 600 - index, 600, (0.00001, 0.00003)[index]))
