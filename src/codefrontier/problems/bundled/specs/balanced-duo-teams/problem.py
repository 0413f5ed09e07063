import random

ID = "balanced-duo-teams"
TITLE = "Balanced Duo Teams"
TOPIC = "sorting + two pointers"
STATEMENT = """
A climbing gym pairs its members for a relay. Member i has skill s_i. The route setters
consider a pair of two different members balanced when their total skill lies between L
and R inclusive: too weak a pair cannot finish, too strong a pair finds it boring.

Count the unordered pairs {i, j} with i != j and L <= s_i + s_j <= R.

## Input

The first line contains three integers n, L and R. The second line contains n integers
s_1, s_2, ..., s_n separated by spaces.

## Output

Print one integer: the number of balanced pairs.

## Constraints

- 1 <= n <= 120000
- 1 <= s_i <= 10^6
- 2 <= L <= R <= 2 * 10^6

## Example

Input:

```
6 7 10
3 8 1 5 6 2
```

Output:

```
7
```

The balanced pairs have totals 3+5, 3+6, 8+1, 8+2, 1+6, 5+2 and 6+2. The pair 5+6 = 11 is
too strong and 1+5 = 6 is too weak.
"""
CHECKER = "tokens"
MEMORY_MB = 256
SEED = 11002
TIERS = {"tiny": 4, "small": 3, "medium": 3, "large": 3, "max": 2}

EXAMPLE = "6 7 10\n3 8 1 5 6 2\n"


def _render(low: int, high: int, skills: list[int]) -> str:
    return f"{len(skills)} {low} {high}\n" + " ".join(map(str, skills)) + "\n"


def _window(rng: random.Random, skills: list[int]) -> tuple[int, int]:
    """A window [L, R] around typical pair totals, with L hitting an exact pair total."""
    i, j = rng.sample(range(len(skills)), 2) if len(skills) > 1 else (0, 0)
    low = max(2, skills[i] + skills[j])
    high = min(2 * 10**6, low + rng.randint(0, max(1, max(skills))))
    return low, high


def generate(tier: str, index: int, rng: random.Random) -> str:
    if tier == "tiny":
        if index == 0:
            return EXAMPLE
        if index == 1:
            return _render(2, 2, [1])  # one member: no pair at all
        if index == 2:
            return _render(8, 8, [4, 4, 4, 4, 4])  # every pair totals exactly L = R
        skills = [rng.randint(1, 12) for _ in range(8)]
        return _render(*_window(rng, skills), skills)
    if tier == "small":
        skills = [rng.randint(1, 60) for _ in range(rng.randint(30, 90))]
        return _render(*_window(rng, skills), skills)
    if tier == "medium":
        top = (100, 10**4, 10**6)[index]
        skills = [rng.randint(1, top) for _ in range(rng.randint(900, 1000))]
        return _render(*_window(rng, skills), skills)
    if tier == "large":
        skills = [rng.randint(1, 9999) for _ in range(rng.randint(11000, 12000))]
        return _render(*_window(rng, skills), skills)
    skills = [rng.randint(1, 999) for _ in range(120000 - 1000 * index)]
    low = rng.randint(300, 700)
    return _render(low, low + rng.randint(200, 600), skills)
