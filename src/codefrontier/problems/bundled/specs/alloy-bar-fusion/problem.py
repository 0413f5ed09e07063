import random

ID = "alloy-bar-fusion"
TITLE = "Alloy Bar Fusion"
TOPIC = "interval dynamic programming"
STATEMENT = """
A foundry has n alloy bars lying in a row on a rail, bar i weighing m_i kilograms. The
furnace can only fuse two bars that lie next to each other on the rail; the fused bar takes
their place, and fusing costs as much energy as the new bar weighs. The order of the bars on
the rail never changes. The foundry fuses bars until a single bar remains.

Find the least total energy needed.

## Input

The first line contains one integer n. The second line contains n integers
m_1, m_2, ..., m_n separated by spaces.

## Output

Print one integer: the minimum total energy.

## Constraints

- 1 <= n <= 300
- 1 <= m_i <= 10^6

## Example

Input:

```
5
5 6 5 8 6
```

Output:

```
71
```

Fuse 6 and 5 (11), then 5 with the new 11 (16), then 8 and 6 (14), and finally 16 and 14
(30): 11 + 16 + 14 + 30 = 71. Always fusing the lightest neighbouring pair costs 73.
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 11013
TIERS = {"tiny": 4, "small": 3, "medium": 3, "large": 3, "max": 2}

EXAMPLE = "5\n5 6 5 8 6\n"


def _render(masses: list[int]) -> str:
    return f"{len(masses)}\n" + " ".join(map(str, masses)) + "\n"


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        if index == 0:
            return EXAMPLE
        if index == 1:
            return _render([8])  # a single bar: nothing to fuse
        if index == 2:
            return _render([3, 3])
        return _render([rng.randint(1, 9) for _ in range(6)])
    if tier == "small":
        top = (9, 99, 10**6)[index]
        return _render([rng.randint(1, top) for _ in range(rng.randint(8, 10))])
    if tier == "medium":
        top = (9, 1000, 10**6)[index]
        return _render([rng.randint(1, top) for _ in range(rng.randint(36, 40))])
    if tier == "large":
        top = (50, 10**4, 10**6)[index]
        return _render([rng.randint(1, top) for _ in range(rng.randint(140, 150))])
    if index == 0:
        return _render([rng.randint(1, 10**6) for _ in range(300)])
    # a few heavy bars among light ones
    return _render(
        [rng.randint(9 * 10**5, 10**6) if rng.random() < 0.1 else rng.randint(1000, 9999) for _ in range(299)]
    )
