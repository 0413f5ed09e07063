import random

ID = "greenhouse-escape-bfs"
TITLE = "Greenhouse Escape"
TOPIC = "BFS on a grid"
STATEMENT = """
A robot gardener is stuck in a greenhouse laid out as a grid of R rows and C columns.
Each cell is a free path (`.`), a plant bed it must not enter (`#`), the robot's current
cell (`S`) or the charging dock (`E`). In one move the robot goes to the neighbouring
cell up, down, left or right, never leaving the grid and never entering a bed.

Find the smallest number of moves that brings the robot from S to E, or report that the
dock cannot be reached.

## Input

The first line contains two integers R and C. Each of the next R lines contains a string
of exactly C characters from `.#SE`. There is exactly one `S` and exactly one `E`.

## Output

Print the minimum number of moves, or -1 if E cannot be reached from S.

## Constraints

- 1 <= R, C <= 500
- 2 <= R * C

## Example

Input:

```
4 5
S.#..
.##.#
...#E
.#...
```

Output:

```
8
```

The robot goes down to the third row, right along it, down to the bottom row, right again
and finally up to the dock.
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 11006
TIERS = {"tiny": 4, "small": 3, "medium": 3, "large": 3, "max": 2}

EXAMPLE = "4 5\nS.#..\n.##.#\n...#E\n.#...\n"


def _render(grid: list[list[str]]) -> str:
    return f"{len(grid)} {len(grid[0])}\n" + "".join("".join(row) + "\n" for row in grid)


def _random_grid(rng: random.Random, rows: int, cols: int, wall_share: float) -> list[list[str]]:
    grid = [["#" if rng.random() < wall_share else "." for _ in range(cols)] for _ in range(rows)]
    cells = rng.sample(range(rows * cols), 2)
    grid[cells[0] // cols][cells[0] % cols] = "S"
    grid[cells[1] // cols][cells[1] % cols] = "E"
    return grid


def _maze(rng: random.Random, rows: int, cols: int, shortcuts: float) -> list[list[str]]:
    """A randomised depth-first maze on the odd cells: long winding corridors. `shortcuts`
    is the share of walls knocked out afterwards, creating cycles and several routes."""
    grid = [["#"] * cols for _ in range(rows)]
    start = (0, 0)
    grid[0][0] = "."
    stack = [start]
    while stack:
        r, c = stack[-1]
        options = [
            (r + dr, c + dc, r + dr // 2, c + dc // 2)
            for dr, dc in ((2, 0), (-2, 0), (0, 2), (0, -2))
            if 0 <= r + dr < rows and 0 <= c + dc < cols and grid[r + dr][c + dc] == "#"
        ]
        if not options:
            stack.pop()
            continue
        nr, nc, wr, wc = options[rng.randrange(len(options))]
        grid[wr][wc] = "."
        grid[nr][nc] = "."
        stack.append((nr, nc))
    for r in range(rows):
        for c in range(cols):
            if grid[r][c] == "#" and rng.random() < shortcuts:
                grid[r][c] = "."
    grid[(rows - 1) // 2 * 2][(cols - 1) // 2 * 2] = "S"
    grid[0][0] = "E"
    return grid


def _serpentine(rng: random.Random, rows: int, cols: int) -> list[list[str]]:
    """Free rows separated by walls with one random gap each: a single winding corridor
    from the bottom row (S) to the top row (E)."""
    grid = [["." if r % 2 == 0 else "#" for _ in range(cols)] for r in range(rows)]
    for r in range(1, rows, 2):
        grid[r][rng.randrange(cols)] = "."
    bottom = (rows - 1) // 2 * 2
    grid[bottom][rng.randrange(cols)] = "S"
    grid[0][rng.randrange(cols)] = "E"
    return grid


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        if index == 0:
            return EXAMPLE
        if index == 1:
            return "1 2\nSE\n"
        if index == 2:
            return "3 4\n.#..\n#S#E\n.#..\n"  # the robot is walled in
        return _render(_random_grid(rng, 6, 7, 0.25))
    if tier == "small":
        if index == 0:
            return _render(_maze(rng, 11, 15, 0.0))
        return _render(_random_grid(rng, rng.randint(10, 20), rng.randint(10, 20), (0.2, 0.4)[index - 1]))
    if tier == "medium":
        if index == 0:
            return _render(_maze(rng, 31, 33, 0.05))
        return _render(_random_grid(rng, rng.randint(30, 35), rng.randint(30, 35), (0.3, 0.45)[index - 1]))
    if tier == "large":
        side = rng.randint(120, 150)
        if index == 0:
            return _render(_serpentine(rng, side, side))
        if index == 1:
            return _render(_maze(rng, side, side, 0.02))
        return _render(_random_grid(rng, side, side, 0.38))
    if index == 0:
        return _render(_serpentine(rng, 499, 500))
    return _render(_maze(rng, 500, 499, 0.0))
