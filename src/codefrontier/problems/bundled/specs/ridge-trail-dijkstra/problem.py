import random

ID = "ridge-trail-dijkstra"
TITLE = "Ridge Trail"
TOPIC = "shortest paths with Dijkstra"
STATEMENT = """
A hiking map divides a mountain range into a grid of R rows and C columns. The digit in
each cell (1 to 9) is the effort of stepping onto that cell. A hiker starts in the
top-left cell and wants to reach the bottom-right cell; in one step she moves to the
neighbouring cell up, down, left or right, and pays the effort of the cell she steps
onto. The starting cell costs nothing.

Find the least total effort of a route from the top-left to the bottom-right cell.

## Input

The first line contains two integers R and C. Each of the next R lines contains a string
of exactly C digits from 1 to 9.

## Output

Print one integer: the minimum total effort.

## Constraints

- 1 <= R, C <= 400

## Example

Input:

```
3 5
19111
19191
11191
```

Output:

```
10
```

The cheapest route goes down the first column, right along the bottom row, up around the
ridge of 9s, right along the top row and down the last column: ten cells of effort 1. A
route that only moves right and down has to cross a 9 and costs at least 14.
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 11008
TIERS = {"tiny": 4, "small": 3, "medium": 3, "large": 3, "max": 2}

EXAMPLE = "3 5\n19111\n19191\n11191\n"


def _render(grid: list[list[int]]) -> str:
    return f"{len(grid)} {len(grid[0])}\n" + "".join("".join(map(str, row)) + "\n" for row in grid)


def _terrain(rng: random.Random, rows: int, cols: int, ridges: int) -> list[list[int]]:
    """Random efforts with `ridges` walls of 9s across the map, each with one cheap pass,
    so the best route often has to double back up or left."""
    grid = [[rng.randint(1, 9) for _ in range(cols)] for _ in range(rows)]
    for _ in range(ridges):
        if rng.random() < 0.5 and rows > 2:
            r = rng.randrange(1, rows - 1)
            gap = rng.randrange(cols)
            for c in range(cols):
                grid[r][c] = 1 if c == gap else 9
        elif cols > 2:
            c = rng.randrange(1, cols - 1)
            gap = rng.randrange(rows)
            for r in range(rows):
                grid[r][c] = 1 if r == gap else 9
    return grid


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        if index == 0:
            return EXAMPLE
        if index == 1:
            return "1 1\n7\n"  # already there: no effort at all
        if index == 2:
            return "5 3\n111\n991\n111\n199\n111\n"  # two ridges: the route zigzags
        return _render(_terrain(rng, 5, 6, 2))
    if tier == "small":
        return _render(_terrain(rng, rng.randint(10, 15), rng.randint(10, 15), index * 2))
    if tier == "medium":
        return _render(_terrain(rng, rng.randint(30, 34), rng.randint(30, 34), (0, 4, 10)[index]))
    if tier == "large":
        side = rng.randint(95, 100)
        return _render(_terrain(rng, side, side, (0, 10, 30)[index]))
    return _render(_terrain(rng, 400 - index, 400, (20, 80)[index]))
